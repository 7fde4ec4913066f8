import datetime
from decimal import Decimal

import pytest

from projects.tabular.values import (
    CellError,
    parse_amount,
    parse_date,
    parse_decimal,
    parse_id_number,
    parse_int,
    parse_phone,
    parse_text,
)
from projects.validators import id_number_check_character


def valid_id(first17: str) -> str:
    return first17 + id_number_check_character(first17)


ID_X = "11010519491231002X"  # the example number of GB 11643, check character X
ID_DIGIT = valid_id("32010519800101123")


def refused(parse, value, **kwargs) -> str:
    with pytest.raises(CellError) as error:
        parse(value, **kwargs)
    assert error.value.message == str(error.value)
    return error.value.message


# -- text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  阳光社工 ", "阳光社工"),
        ("\u3000阳光社工\u3000", "阳光社工"),
        ("\xa0阳光 社工\xa0\n", "阳光 社工"),  # inner spaces stay
        ("\ufeff项目编号", "项目编号"),
        (2013001, "2013001"),
        (2013001.0, "2013001"),
        (0.1, "0.1"),
        (Decimal("12.50"), "12.50"),
        (datetime.datetime(2013, 9, 1), "2013-09-01"),
        (datetime.date(2013, 9, 1), "2013-09-01"),
        (True, "TRUE"),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value) == expected


# -- amounts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,000,000", "1000000.00"),
        ("¥30000", "30000.00"),
        ("￥30,000.50", "30000.50"),
        ("¥ 30,000", "30000.00"),
        ("３００００", "30000.00"),
        ("３０，０００．５０", "30000.50"),
        ("3万", "30000.00"),
        ("1.5万元", "15000.00"),
        ("1.2345万", "12345.00"),
        ("30000元", "30000.00"),
        ("30000 元", "30000.00"),
        (" 30000\u3000", "30000.00"),
        ("0", "0.00"),
        ("30000.5", "30000.50"),
        (30000, "30000.00"),
        (30000.5, "30000.50"),
        (1234.56, "1234.56"),
        (0.1 + 0.2, "0.30"),  # binary noise beyond Excel's 15 digits is not a third decimal
        (Decimal("99.99"), "99.99"),
    ],
)
def test_amounts_accepted(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_empty_amount_is_none(value):
    assert parse_amount(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, "15000.00"), ("3", "30000.00"), (12.3456, "123456.00"), ("0.000001", "0.01")],
)
def test_a_wan_column_multiplies(value, expected):
    assert parse_amount(value, unit="万元") == Decimal(expected)


def test_a_unit_in_the_cell_wins_over_the_column():
    assert parse_amount("30000元", unit="万元") == Decimal("30000.00")
    assert parse_amount("3万", unit="万元") == Decimal("30000.00")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("三万元", "中文数字"),
        ("叁万", "中文数字"),
        ("1.234", "小数位数太多"),
        (1.234, "小数位数太多"),
        ("1.2345678万", "小数位数太多"),
        ("-100", "负数"),
        ("¥-100", "负数"),
        ("（100）", "负数"),
        (-0.5, "负数"),
        ("100美元", "“美元”无法识别"),
        ("100 万美元", "“万美元”无法识别"),
        ("30000左右", "“左右”无法识别"),
        ("abc", "不是金额"),
        ("1,0000", "不是金额"),
        ("30000.", "不是金额"),
        ("1.000.000", "不是金额"),
        (True, "不是金额"),
        (float("nan"), "不是金额"),
        (datetime.datetime(2013, 9, 1), "不是金额"),
    ],
)
def test_amounts_refused_say_what_was_found(value, fragment):
    message = refused(parse_amount, value)
    assert fragment in message
    if isinstance(value, str):
        assert f"“{value}”" in message  # the cell as written, so the user finds it


def test_three_decimals_are_refused_in_a_wan_column_only_past_the_fen():
    assert parse_amount("1.234", unit="万元") == Decimal("12340.00")
    assert "小数位数太多" in refused(parse_amount, "1.2345678", unit="万元")


# -- other numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("1,200", 1200), ("１２", 12), ("12.0", 12), (12, 12), (12.0, 12), ("0", 0), (None, None), ("", None)],
)
def test_parse_int(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("12.5", "不是整数"),
        (12.5, "不是整数"),
        ("-3", "负数"),
        ("三", "中文数字"),
        ("12人", "不是数字"),
        (True, "不是数字"),
    ],
)
def test_parse_int_refuses(value, fragment):
    assert fragment in refused(parse_int, value)


def test_parse_decimal():
    assert parse_decimal("1.5") == Decimal("1.50")
    assert parse_decimal(85.5) == Decimal("85.50")
    assert parse_decimal("") is None
    assert parse_decimal("2.125", places=3) == Decimal("2.125")
    assert "小数位数太多" in refused(parse_decimal, "2.125")
    assert "负数" in refused(parse_decimal, -1)


# -- dates ------------------------------------------------------------------------------------------

SEPT_1 = datetime.date(2013, 9, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2013-09-01",
        "2013-9-1",
        "2013/9/1",
        "2013/09/01",
        "2013.9.1",
        "2013年9月1日",
        "2013 年 9 月 1 日",
        "２０１３年９月１日",
        "2013-09-01 00:00:00",  # a CSV written from a datetime
        "20130901",
        20130901,
        datetime.datetime(2013, 9, 1),
        datetime.date(2013, 9, 1),
        41518,  # the Excel serial number
        41518.0,
        "41518",  # a serial number a CSV holds for a date cell formatted as a number
    ],
)
def test_dates_accepted(value):
    assert parse_date(value) == SEPT_1


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),  # Excel's phantom 29 February 1900 is serial 60
        (366, datetime.date(1900, 12, 31)),
        (2958465, datetime.date(9999, 12, 31)),
    ],
)
def test_excel_serial_numbers_follow_the_1900_leap_year_bug(serial, expected):
    assert parse_date(serial) == expected
    assert parse_date(str(serial)) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("9/1/2013", "不是可识别的日期"),
        ("13-9-1", "不是可识别的日期"),
        ("2013-9/1", "不是可识别的日期"),
        ("2013年9月", "不是可识别的日期"),
        ("九月一日", "不是可识别的日期"),
        ("2013年9月1", "少了“日”字"),
        ("2013-13-01", "不存在"),
        ("2013-02-29", "不存在"),
        ("20131301", "不存在"),
        (60, "并不存在"),
        (0, "不是可识别的日期"),
        (2958466, "不是可识别的日期"),
        (41518.5, "不是可识别的日期"),
        (-1, "不是可识别的日期"),
        (2013, "只写了年份"),
        ("2013", "只写了年份"),
        (True, "不是可识别的日期"),
        (datetime.time(9, 30), "不是可识别的日期"),
    ],
)
def test_dates_refused(value, fragment):
    assert fragment in refused(parse_date, value)


@pytest.mark.parametrize("value", [None, "", " "])
def test_empty_date_is_none(value):
    assert parse_date(value) is None


# -- ID numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ID_X, ID_X),
        (ID_X.lower(), ID_X),
        (" 110105 19491231 002x ", ID_X),
        ("１１０１０５１９４９１２３１００２Ｘ", ID_X),
        (ID_DIGIT, ID_DIGIT),
        ("110105491231002", ID_X),  # a first-generation 15-digit number, upgraded
        (110105491231002, ID_X),  # 15 digits fit in Excel's 15: nothing was lost
        ("", ""),
        (None, ""),
    ],
)
def test_id_numbers_accepted(value, expected):
    assert parse_id_number(value) == expected


LOST = "身份证号被 Excel 存成了数字，后几位已丢失：请把该列设为文本后重新填写。"


@pytest.mark.parametrize(
    "value", [3.20105198001011e17, int(ID_DIGIT), 320105198001011000, "3.20105E+17", "3.20105e17", Decimal(ID_DIGIT)]
)
def test_id_numbers_stored_as_numbers_are_refused(value):
    assert refused(parse_id_number, value) == LOST


def test_an_id_number_ending_in_000_that_fails_its_check_points_at_excel():
    message = refused(parse_id_number, "320105198001011000")
    assert "000" in message and "设为文本" in message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("123", "当前为3位"), (ID_X[:-1] + "1", "校验位不正确"), ("11010519491331002X", "出生日期"), ("A" * 18, "前17位")],
)
def test_id_numbers_refused_with_the_validators_reason(value, fragment):
    assert fragment in refused(parse_id_number, value)


# -- phone numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13912345678", "13912345678"),
        (13912345678, "13912345678"),
        (13912345678.0, "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("025-84561234", "025-84561234"),
        ("（025）84561234", "025-84561234"),
        ("", ""),
        (None, ""),
    ],
)
def test_phones_accepted(value, expected):
    assert parse_phone(value) == expected


def test_a_landline_stored_as_a_number_has_lost_its_zero():
    assert "开头的 0 已丢失" in refused(parse_phone, 2584561234)


@pytest.mark.parametrize("value", ["12345", "abc", 1.5])
def test_phones_refused_with_the_validators_reason(value):
    assert "有效的电话号码" in refused(parse_phone, value)


def test_an_unknown_column_unit_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown unit"):
        parse_amount("1", unit="美元")
