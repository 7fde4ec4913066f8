"""Amounts in Chinese capitals (大写金额) and dates in Chinese numerals (projects.formatting).

The rules are the People's Bank's (《正确填写票据和结算凭证的基本规定》); its own examples are checked
verbatim. Beyond the table, every amount of a large seeded sample is read back by an independent parser
and checked against the rules for 零 and 整 (hypothesis is not installed; the sample stands in for it).
"""

import datetime
import random
import re
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from projects.formatting import format_capitals, format_date_hanzi

KNOWN = [
    # the brief's
    ("100000", "壹拾万元整"),
    ("20000.50", "贰万元伍角"),
    ("1000000", "壹佰万元整"),
    ("10305.07", "壹万零叁佰零伍元零柒分"),
    # the standard's own examples (where it allows two forms, the one without 零 before 角)
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万零柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    # edges
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("0.5", "伍角"),
    ("0.07", "柒分"),
    ("0.10", "壹角"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("10.1", "壹拾元壹角"),
    ("1.01", "壹元零壹分"),
    ("110000", "壹拾壹万元整"),
    ("1000500", "壹佰万零伍佰元整"),
    ("1070000", "壹佰零柒万元整"),
    ("100000000", "壹亿元整"),
    ("100005000", "壹亿零伍仟元整"),
    ("100010000", "壹亿零壹万元整"),
    ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    ("1000000000000", "壹万亿元整"),
    ("800000", "捌拾万元整"),
    ("20000.005", "贰万元零壹分"),  # half up to the fen, as format_cny
]


@pytest.mark.parametrize(("amount", "expected"), KNOWN)
def test_known_amounts(amount, expected):
    assert format_capitals(D(amount)) == expected


def test_no_amount_and_impossible_amounts():
    assert format_capitals(None) == "—"
    with pytest.raises(ValueError):
        format_capitals(D("-1"))
    with pytest.raises(ValueError):
        format_capitals(D("1E16"))
    assert format_capitals(D("9999999999999999.99")).endswith("玖元玖角玖分")


DIGITS = {ch: n for n, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
PLACES = {"拾": 10, "佰": 100, "仟": 1000}


def read_back(text: str) -> D:
    """An independent reader of capitals: the value the text stands for, in yuan."""
    integer, _yuan, fraction = text.partition("元") if "元" in text else ("", "", text)
    fraction = fraction.removesuffix("整")
    total = 0
    for group_mark, size in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        if group_mark in integer:
            head, integer = integer.split(group_mark, 1)
            total += read_group(head) * size
    total += read_group(integer)
    jiao = re.search(r"(.)角", fraction)
    fen = re.search(r"(.)分", fraction)
    cents = (DIGITS[jiao.group(1)] * 10 if jiao else 0) + (DIGITS[fen.group(1)] if fen else 0)
    return D(total) + D(cents) / 100


def read_group(text: str) -> int:
    value, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        else:
            value += digit * PLACES[ch]
            digit = None
    return value + (digit or 0)


def sample_amounts(count: int) -> list[D]:
    """Amounts with many zeros in them (the hard cases), of every length, seeded so failures repeat."""
    rng = random.Random(20131)
    amounts = []
    for _ in range(count):
        length = rng.randint(1, 14)
        digits = "".join(rng.choice("0000123456789") for _ in range(length))
        cents = rng.choice(["00", "00", "05", "50", "07", "10", f"{rng.randint(0, 99):02d}"])
        amounts.append(D(f"{int(digits)}.{cents}"))
    return amounts


def test_every_sampled_amount_reads_back_and_keeps_the_rules():
    for amount in sample_amounts(5000):
        text = format_capitals(amount)
        if not amount:
            assert text == "零元整"
            continue
        assert read_back(text) == amount, (amount, text)
        yuan, fen_total = int(amount), int(amount * 100) % 100
        assert "零零" not in text, (amount, text)
        assert not re.search(r"零[万亿元]", text), (amount, text)  # never a zero before a group mark or 元
        assert text.endswith("整") == (fen_total == 0), (amount, text)  # 整 exactly when no 角 and 分
        assert not text.endswith("分整"), text
        if yuan and fen_total and fen_total < 10:
            assert "元零" in text, (amount, text)  # 角 zero, 分 not: 元 is followed by 零
        if fen_total and not yuan:
            assert "元" not in text, (amount, text)  # 伍角, not 零元伍角
        assert not re.search(r"(^|[^壹贰叁肆伍陆柒捌玖])拾", text), (amount, text)  # 壹拾, never a bare 拾
        assert set(text) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整"), text


def test_dates_in_chinese_numerals():
    assert format_date_hanzi(datetime.date(2013, 9, 16)) == "二〇一三年九月十六日"
    assert format_date_hanzi(datetime.date(2020, 10, 1)) == "二〇二〇年十月一日"
    assert format_date_hanzi(datetime.date(2013, 12, 31)) == "二〇一三年十二月三十一日"
    assert format_date_hanzi(datetime.date(2013, 1, 20)) == "二〇一三年一月二十日"
    assert format_date_hanzi(None) == "—"


def test_template_filters():
    rendered = Template("{% load qicai %}{{ amount|capitals }} {{ day|hanzi_day }}").render(
        Context({"amount": D("100000"), "day": datetime.date(2013, 9, 16)})
    )
    assert rendered == "壹拾万元整 二〇一三年九月十六日"
