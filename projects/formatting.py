"""How a figure, a date or a person is shown: the admin, exports, the portal and the PDFs all ask here.

- Amounts: ``20,000.00`` under a heading that says 元 (table columns, ``format_cny``), ``20,000.00 元``
  anywhere else (``format_yuan``), and ``123.46 万元`` in summaries (``format_wan``). Never ``20000.00``.
  Agreements write them in Chinese capitals too: ``壹拾万元整`` (``format_capitals``).
- Counts and hours with thousands separators: ``12,345`` people, ``1,234.5`` hours (``format_count``).
- Ratios and shares as percentages: a leverage ratio of 0.45 is ``45%`` (``format_ratio``), an
  instalment of 40.00 per cent is ``40%`` (``format_share``).
- Dates in the language's long form, in text and in tables alike: ``2013年9月1日`` (``format_date``);
  moments as ``2013年9月1日 14:05`` (``format_datetime``); certificates in Chinese numerals,
  ``二〇一三年九月十六日`` (``format_date_hanzi``).
- People by their names, never by their user names (``person_name``).
- Choices by their labels, never by their codes (``choice_label``).

A missing value is a dash (``—``) everywhere.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext

DASH = "—"
FEN = Decimal("0.01")
WAN = Decimal("10000")


def _trimmed(value: Decimal) -> str:
    """``Decimal("10.00")`` → ``10``, ``Decimal("33.50")`` → ``33.5`` (never ``1E+1``)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_cny(amount: Decimal | None) -> str:
    """``1234567.5`` → ``1,234,567.50``, for a cell under a heading that says 元; a dash for no amount."""
    if amount is None:
        return DASH
    return f"{Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP):,.2f}"


def format_yuan(amount: Decimal | None) -> str:
    """``1234567.5`` → ``1,234,567.50 元``, for an amount standing on its own."""
    if amount is None:
        return DASH
    return gettext("%(amount)s 元") % {"amount": format_cny(amount)}


def format_wan(amount: Decimal | None) -> str:
    """``1234567.89`` → ``123.46 万元``, ``1000000`` → ``100 万元``: summaries (dashboards, reports)."""
    if amount is None:
        return DASH
    wan = (Decimal(amount) / WAN).quantize(FEN, rounding=ROUND_HALF_UP)
    whole, _dot, fraction = f"{wan:,.2f}".partition(".")
    fraction = fraction.rstrip("0")
    return gettext("%(amount)s 万元") % {"amount": f"{whole}.{fraction}" if fraction else whole}


def format_count(value: int | Decimal | None) -> str:
    """Counts and hours with thousands separators: ``12345`` → ``12,345``, ``1234.50`` → ``1,234.5``."""
    if value is None:
        return DASH
    if isinstance(value, int):
        return f"{value:,}"
    whole, _dot, fraction = f"{Decimal(value):,f}".partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def format_percent(value: Decimal) -> str:
    """A per-cent number without its sign, for messages that add it: ``10.00`` → ``10``, ``33.50`` → ``33.5``."""
    return _trimmed(Decimal(value))


def format_share(percent: Decimal | None) -> str:
    """A per-cent number as a percentage: an instalment's ``40.00`` → ``40%``, ``12.50`` → ``12.5%``."""
    if percent is None:
        return DASH
    return f"{_trimmed(Decimal(percent))}%"


def format_ratio(ratio: Decimal | None) -> str:
    """A ratio as a percentage to a tenth at most: ``0.45`` → ``45%``, ``1.2345`` → ``123.5%``; a dash for none."""
    if ratio is None:
        return DASH
    percent = (Decimal(ratio) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{_trimmed(percent)}%"


def format_date(value: datetime.date | None) -> str:
    """``2013年9月1日`` (the active language's long date form, the one the admin's own columns use)."""
    if value is None:
        return DASH
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


def format_datetime(value: datetime.datetime | None) -> str:
    """``2013年9月1日 14:05``, in the site's time zone."""
    if value is None:
        return DASH
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def person_name(user) -> str:
    """How a user is shown to other users: the real name, else the user name (an account nobody named)."""
    return (user.get_full_name() or user.get_username()) if user else DASH


def choice_label(choices, value) -> str:
    """The label of ``value`` among ``choices`` (a ``TextChoices`` class or ``(code, label)`` pairs)."""
    if value in (None, ""):
        return DASH
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return str(dict(pairs).get(value, value))


def status_badge(value: str, label: str) -> str:
    return format_html('<span class="status-badge status-{}">{}</span>', value, label)


CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
CAPITAL_PLACES = ("", "拾", "佰", "仟")
CAPITAL_GROUPS = ("", "万", "亿", "万亿")


def _capital_integer(number: int) -> str:
    """The yuan of an amount in capitals, without 元: ``10305`` → ``壹万零叁佰零伍``, ``0`` → ``""``.

    Four-digit groups (个, 万, 亿, 万亿); one 零 stands for any run of zeros between two written digits,
    across groups too (``100005000`` → ``壹亿零伍仟``); a group of zeros writes no 万 or 亿; 拾 is always
    preceded by its digit (``壹拾万``), as the standard requires.
    """
    digits = str(number) if number else ""
    written: list[str] = []
    zeros = False
    for index, digit in enumerate(digits):
        place = len(digits) - 1 - index
        value = int(digit)
        if value:
            if zeros:
                written.append(CAPITAL_DIGITS[0])
                zeros = False
            written.append(CAPITAL_DIGITS[value] + CAPITAL_PLACES[place % 4])
        else:
            zeros = True
        if place % 4 == 0 and place:
            group = digits[max(0, index - 3) : index + 1]
            if int(group):
                written.append(CAPITAL_GROUPS[place // 4])
    return "".join(written)


def format_capitals(amount: Decimal | None) -> str:
    """An amount in Chinese capitals (大写金额), as contracts and vouchers write it beside the figures.

    ``100000`` → ``壹拾万元整``, ``20000.50`` → ``贰万元伍角``, ``10305.07`` → ``壹万零叁佰零伍元零柒分``,
    ``0`` → ``零元整``. The People's Bank rules (《正确填写票据和结算凭证的基本规定》): 整 after 元 when there
    are no 角 or 分 (never after 分; after 角 it may be left out, and is); one 零 for any run of zeros
    between digits; 零 after 元 when 角 is zero and 分 is not; where the standard allows either, no 零
    between a zero 元 and its 角 (``1680.32`` → ``壹仟陆佰捌拾元叁角贰分``). Rounded half up to the fen like
    ``format_cny``; ``人民币`` is the caller's to write. A dash for no amount; negative amounts and amounts
    of 10¹⁶ yuan or more raise ``ValueError``.
    """
    if amount is None:
        return DASH
    fen_total = int(Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP) * 100)
    if fen_total < 0:
        raise ValueError(f"negative amount: {amount}")
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if yuan >= 10**16:
        raise ValueError(f"amount too large: {amount}")
    integer = _capital_integer(yuan)
    if not jiao and not fen:
        return f"{integer or CAPITAL_DIGITS[0]}元整"
    text = f"{integer}元" if integer else ""
    if jiao:
        text += f"{CAPITAL_DIGITS[jiao]}角"
    elif integer:
        text += CAPITAL_DIGITS[0]  # 元零柒分: the zero 角 must be written
    if fen:
        text += f"{CAPITAL_DIGITS[fen]}分"
    return text


HANZI_NUMERALS = "〇一二三四五六七八九"


def _hanzi_number(value: int) -> str:
    """1 – 31 as a date writes them: ``9`` → ``九``, ``16`` → ``十六``, ``20`` → ``二十``, ``31`` → ``三十一``."""
    tens, units = divmod(value, 10)
    tens_text = (HANZI_NUMERALS[tens] if tens > 1 else "") + ("十" if tens else "")
    return tens_text + (HANZI_NUMERALS[units] if units else "")


def format_date_hanzi(value: datetime.date | None) -> str:
    """A date in Chinese numerals, as certificates and seals write it: ``2013-09-16`` → ``二〇一三年九月十六日``."""
    if value is None:
        return DASH
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    year = "".join(HANZI_NUMERALS[int(digit)] for digit in str(value.year))
    return f"{year}年{_hanzi_number(value.month)}月{_hanzi_number(value.day)}日"
