"""Cell values as offices type them, turned into Python values or refused with a Chinese reason.

Each ``parse_*`` takes what the reader found in a cell (a str from a CSV or a text cell; an int,
float, datetime or bool from an Excel cell) and returns a clean value, or raises ``CellError``
whose message says what was found and what is expected. The caller adds the row and column.
Nothing is guessed: a value that could mean two things is refused.
"""

import datetime
import math
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from projects.validators import normalize_id_number, normalize_phone

FEN = Decimal("0.01")
WAN = Decimal(10000)
# Excel keeps 15 significant digits; a float read back from a file carries binary noise beyond them.
EXCEL_DIGITS = 15
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
SHOWN_MAX_CHARS = 30

_EDGES = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_SPACES = re.compile(r"[\s\u200b\ufeff]+")
_CHINESE_NUMERALS = re.compile(r"[零〇一二两三四五六七八九十百千亿壹贰叁肆伍陆柒捌玖拾佰仟]")
_CURRENCY = re.compile(r"^(?:¥|RMB|CNY|人民币)\s*", re.IGNORECASE)
_GROUPED_OR_PLAIN = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_AMOUNT = re.compile(rf"(?P<whole>{_GROUPED_OR_PLAIN})(?:\.(?P<fraction>\d+))?\s*(?P<unit>万元|万|元)?")
_NUMBER_THEN_TEXT = re.compile(r"[\d,]+(?:\.\d+)?\s*(?P<rest>[^\d,.\s].*)")
_DECIMAL = re.compile(rf"(?P<whole>{_GROUPED_OR_PLAIN})(?:\.(?P<fraction>\d+))?")
_DATE_SEPARATED = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DATE_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_CHINESE_NO_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?e\+?\d+", re.IGNORECASE)

UNIT_FACTORS = {"元": Decimal(1), "万": WAN, "万元": WAN}


class CellError(ValueError):
    """A cell's value is refused; ``message`` is the Chinese reason, without row or column."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_text(value) -> str:
    """Text as shown, without surrounding spaces (full-width and no-break ones too); None → ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _EDGES.sub("", value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 10**EXCEL_DIGITS else f"{value:.15g}"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not parse_text(value))


def shown(value) -> str:
    """A value as a message quotes it: the text, cut short if long."""
    text = parse_text(value)
    return text if len(text) <= SHOWN_MAX_CHARS else text[: SHOWN_MAX_CHARS - 1] + "…"


def _folded(value) -> str:
    """Text with full-width digits, letters and signs folded to ASCII (NFKC): ３００００ → 30000, ￥ → ¥."""
    return unicodedata.normalize("NFKC", parse_text(value))


def _number_from_cell(value) -> Decimal | None:
    """An Excel number cell as a Decimal, as Excel shows it (15 significant digits); None if not finite.

    Rounding to what Excel shows drops the binary noise a float carries (0.30000000000000004 is 0.3);
    it never invents decimals Excel would show.
    """
    if isinstance(value, float):
        return Decimal(f"{value:.{EXCEL_DIGITS}g}") if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return Decimal(value)


def _whole(value) -> int | None:
    """A number cell holding a whole number, as an int; None for anything else (text, 1.5, NaN, True)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = _number_from_cell(value)
    return int(number) if number is not None and number == number.to_integral_value() else None


def _places(number: Decimal) -> int:
    return max(0, -number.as_tuple().exponent)


# -- amounts ------------------------------------------------------------------------------------


def parse_amount(value, *, unit: str = "元") -> Decimal | None:
    """An amount in 元, to the fen; None for an empty cell.

    Accepts ``1,000,000``, ``¥30000``, ``￥30,000.50``, ``３００００``, ``3万``, ``1.5万元``, ``30000元``
    and Excel numbers. ``unit`` is the unit the column's header states ("元" or "万元"); a unit written
    in the cell itself wins. The result must be whole fen: at most two decimals in 元, six in 万元.
    """
    if unit not in UNIT_FACTORS:
        raise ValueError(f"Unknown unit {unit!r}: 元 or 万元")
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CellError(_amount_unreadable(value))
    if isinstance(value, str):
        number, cell_unit = _amount_from_text(value)
    else:
        number, cell_unit = _number_from_cell(value), None
        if number is None:
            raise CellError(_amount_unreadable(value))
        if number < 0:
            raise CellError(gettext("金额“%(value)s”是负数：金额不能为负。") % {"value": shown(value)})
    factor = UNIT_FACTORS[cell_unit or unit]
    if _places(number) > (2 if factor == 1 else 6):
        message = gettext("金额“%(value)s”的小数位数太多：请写到分（以元计最多两位小数）。")
        raise CellError(message % {"value": shown(value)})
    return (number * factor).quantize(FEN)


def _amount_from_text(value: str) -> tuple[Decimal, str | None]:
    text = _folded(value)
    if _CHINESE_NUMERALS.search(text):
        raise CellError(
            gettext("金额“%(value)s”用了中文数字：请写成阿拉伯数字，如 30000 或 3万。") % {"value": shown(value)}
        )
    negative = text.startswith(("-", "−"))
    text = _CURRENCY.sub("", text.lstrip("-−").strip())
    negative = negative or text.startswith(("-", "−")) or (text.startswith("(") and text.endswith(")"))
    if negative:
        raise CellError(gettext("金额“%(value)s”是负数：金额不能为负。") % {"value": shown(value)})
    match = _AMOUNT.fullmatch(text)
    if match:
        return _decimal(match), match["unit"]
    trailing = _NUMBER_THEN_TEXT.fullmatch(text)
    if trailing and _AMOUNT.fullmatch(text[: trailing.start("rest")].strip()):
        raise CellError(
            gettext("金额“%(value)s”后面的“%(text)s”无法识别：数字后只能写 元、万 或 万元。")
            % {"value": shown(value), "text": trailing["rest"]}
        )
    raise CellError(_amount_unreadable(value))


def _decimal(match: re.Match) -> Decimal:
    whole = match["whole"].replace(",", "")
    return Decimal(f"{whole}.{match['fraction']}" if match["fraction"] else whole)


def _amount_unreadable(value) -> str:
    return gettext("“%(value)s”不是金额：请填写数字，如 30000、30,000.50 或 3万。") % {"value": shown(value)}


# -- other numbers ------------------------------------------------------------------------------


def parse_decimal(value, *, places: int = 2) -> Decimal | None:
    """A non-negative number with at most ``places`` decimals (hours, scores); None for an empty cell."""
    number = _non_negative_number(value)
    if number is None:
        return None
    if _places(number) > places:
        raise CellError(
            gettext("“%(value)s”的小数位数太多：最多%(places)d位小数。") % {"value": shown(value), "places": places}
        )
    return number.quantize(Decimal(1).scaleb(-places))


def parse_int(value) -> int | None:
    """A whole number, 0 or more (a count, a year); None for an empty cell. ``1,200`` and ``12.0`` are fine."""
    number = _non_negative_number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(gettext("“%(value)s”不是整数：请填写整数，如 12。") % {"value": shown(value)})
    return int(number)


def _non_negative_number(value) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CellError(_number_unreadable(value))
    if isinstance(value, str):
        text = _folded(value)
        if _CHINESE_NUMERALS.search(text):
            raise CellError(gettext("“%(value)s”用了中文数字：请写成阿拉伯数字。") % {"value": shown(value)})
        negative = text.startswith(("-", "−"))
        match = _DECIMAL.fullmatch(text.lstrip("-−+").strip())
        if not match:
            raise CellError(_number_unreadable(value))
        number = _decimal(match)
    else:
        number = _number_from_cell(value)
        if number is None:
            raise CellError(_number_unreadable(value))
        negative = number < 0
    if negative and number != 0:
        raise CellError(gettext("“%(value)s”是负数：请填写 0 或正数。") % {"value": shown(value)})
    return abs(number)


def _number_unreadable(value) -> str:
    return gettext("“%(value)s”不是数字：请只填写数字，如 12 或 1.5。") % {"value": shown(value)}


# -- dates --------------------------------------------------------------------------------------


def parse_date(value) -> datetime.date | None:
    """A date; None for an empty cell.

    Accepts date cells, ``2013-09-01``, ``2013/9/1``, ``2013.9.1``, ``2013年9月1日``, ``20130901`` and
    Excel serial numbers (1 = 1900-01-01; Excel's nonexistent 1900-02-29, serial 60, is refused). A
    number between 1900 and 2100 is taken for a year on its own and refused, not read as a day in 1905.
    """
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CellError(_date_unreadable(value))
    if not isinstance(value, str):
        serial = _whole(value)
        if serial is None:
            raise CellError(_date_unreadable(value))
        return _date_from_digits(str(serial), value)
    text = _folded(value)
    if text.isdigit():
        return _date_from_digits(text, value)
    if match := _DATE_SEPARATED.fullmatch(text):
        return _date(match[1], match[3], match[4], value)
    compact = _SPACES.sub("", text)
    if match := _DATE_CHINESE.fullmatch(compact):
        return _date(match[1], match[2], match[3], value)
    if _DATE_CHINESE_NO_DAY.fullmatch(compact):
        raise CellError(gettext("日期“%(value)s”少了“日”字：请写成 2013年9月1日。") % {"value": shown(value)})
    raise CellError(_date_unreadable(value))


def _date_from_digits(digits: str, value) -> datetime.date:
    serial = int(digits)
    if len(digits) == 8 and digits[:2] in ("19", "20"):
        return _date(digits[:4], digits[4:6], digits[6:], value)
    if 1900 <= serial <= 2100:
        raise CellError(gettext("“%(value)s”像是只写了年份：请填写完整日期，如 2013-09-01。") % {"value": shown(value)})
    if serial == 60:
        raise CellError(gettext("Excel 日期序号 60（1900年2月29日）并不存在：请填写正确的日期。"))
    if not 1 <= serial <= EXCEL_MAX_SERIAL:
        raise CellError(_date_unreadable(value))
    # Excel counts 1900 as a leap year: serials after its phantom 29 February are one day ahead.
    epoch = datetime.date(1899, 12, 31) if serial < 60 else datetime.date(1899, 12, 30)
    return epoch + datetime.timedelta(days=serial)


def _date(year: str, month: str, day: str, value) -> datetime.date:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(gettext("日期“%(value)s”不存在：请核对年、月、日。") % {"value": shown(value)}) from None


def _date_unreadable(value) -> str:
    return gettext("“%(value)s”不是可识别的日期：请写成 2013-09-01、2013/9/1、2013.9.1 或 2013年9月1日。") % {
        "value": shown(value)
    }


# -- identifiers --------------------------------------------------------------------------------


def parse_id_number(value) -> str:
    """A 居民身份证号 in its 18-character form; "" for an empty cell.

    A number cell is refused: Excel keeps 15 significant digits, so an 18-digit number has lost its
    last three (a 15-digit first-generation number fits and is accepted). Text in scientific
    notation (``3.20105E+17``, what a CSV holds for such a cell) is refused too.
    """
    lost = gettext("身份证号被 Excel 存成了数字，后几位已丢失：请把该列设为文本后重新填写。")
    if _blank(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CellError(gettext("“%(value)s”不是身份证号。") % {"value": shown(value)})
    if isinstance(value, str):
        text = _SPACES.sub("", _folded(value))
        if _SCIENTIFIC.fullmatch(text):
            raise CellError(lost)
    elif len(str(_whole(value))) == 15:
        text = str(_whole(value))
    else:
        raise CellError(lost)
    try:
        return normalize_id_number(text)
    except ValidationError as error:
        if error.code == "check" and text.endswith("000"):
            message = gettext("身份证号校验位不正确，末尾的 000 可能是存成数字时丢失的：请把该列设为文本后重新填写。")
            raise CellError(message) from None
        raise CellError(str(error.messages[0])) from None


def parse_phone(value) -> str:
    """A mobile number as 11 digits or a landline as ``025-84561234``; "" for an empty cell.

    A number cell is fine for a mobile number; a landline stored as a number has lost its leading 0.
    """
    if _blank(value):
        return ""
    if _whole(value) is not None:
        digits = str(_whole(value))
        if not digits.startswith("1"):
            raise CellError(gettext("电话号码被 Excel 存成了数字，开头的 0 已丢失：请把该列设为文本后重新填写。"))
        value = digits
    try:
        return normalize_phone(parse_text(value))
    except ValidationError as error:
        raise CellError(str(error.messages[0])) from None
