"""Validators for Chinese identifiers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.formatting import format_date

# GB 32100-2015: the 31 characters of the code, in value order (no I, O, S, V, Z).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: the organisation code held in characters 9 to 17.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """The check character of a GB 11714 organisation code (digits and A–Z count as 0–35)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(value: str) -> None:
    """Validate a 统一社会信用代码 per GB 32100-2015, check characters included."""
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"), code="length", params={"length": len(value)}
        )
    if value != value.upper():
        raise ValidationError(_("统一社会信用代码中的字母须为大写。"), code="lowercase")
    bad = sorted({c for c in value if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="charset",
            params={"chars": "".join(bad)},
        )
    if not value[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为行政区划码（数字）。"), code="division")
    if org_code_check_character(value[8:16]) != value[16]:
        raise ValidationError(_("统一社会信用代码中的组织机构代码（第9至17位）校验位不正确。"), code="org_check")
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="check")


# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _birth_date(text: str):
    try:
        born = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return born if datetime.date(1900, 1, 1) <= born <= datetime.date.today() else None


def normalize_id_number(value: str) -> str:
    """A 居民身份证号 in its 18-character form, or ValidationError with a Chinese reason.

    Accepts lowercase x and surrounding spaces. A 15-digit first-generation number
    (issued before 1999; birth year 19xx) is upgraded per GB 11643-1999: "19" is put
    before the year and the check character is computed, so the same person is one
    record whichever card they show.
    """
    value = (value or "").strip().upper()
    if len(value) == 15 and value.isdigit():
        if _birth_date("19" + value[6:12]) is None:
            raise ValidationError(_("15位身份证号中的出生日期不成立。"), code="birth_date")
        first17 = value[:6] + "19" + value[6:]
        return first17 + id_number_check_character(first17)
    if len(value) != 18:
        raise ValidationError(
            _("身份证号应为18位（或15位旧号码），当前为%(length)d位。"), code="length", params={"length": len(value)}
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号前17位应为数字，最后一位为数字或X。"), code="charset")
    if _birth_date(value[6:14]) is None:
        raise ValidationError(_("身份证号中的出生日期不成立。"), code="birth_date")
    if id_number_check_character(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对后重新输入。"), code="check")
    return value


def validate_id_number(value: str) -> None:
    if value != normalize_id_number(value):
        raise ValidationError(_("身份证号应为18位标准格式。"), code="format")


# -- plausible dates ---------------------------------------------------------------------
# The database refuses dates outside a wide fixed window (a typo such as 9999 or 0001 can never be
# stored, whatever path it comes by); the forms and services apply the narrower windows below.
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
DB_EARLIEST_PROGRAMME_DATE = datetime.date(2000, 1, 1)
DB_LATEST_DATE = datetime.date(2100, 12, 31)
# A round's records may lie from the year before its launch to two years after it: 2013's projects
# are prepared in 2012 and run into 2014, with closing paperwork into 2015.
PROGRAMME_YEARS_BEFORE = 1
PROGRAMME_YEARS_AFTER = 2


def programme_window(round_year: int) -> tuple[datetime.date, datetime.date]:
    """The dates a record of a round may carry: 1 January of the year before to 31 December two years after."""
    return (
        datetime.date(round_year - PROGRAMME_YEARS_BEFORE, 1, 1),
        datetime.date(round_year + PROGRAMME_YEARS_AFTER, 12, 31),
    )


def default_in_window(round_year: int, preferred: datetime.date | None = None) -> datetime.date:
    """The date a form offers for something done in a round: today while today lies in the round's window
    (``programme_window``), else ``preferred`` (the round's or project's start) brought into the window.
    Offering 2026 for a 2013 agreement invited a date the record cannot carry."""
    low, high = programme_window(round_year)
    today = datetime.date.today()
    if low <= today <= high:
        return today
    chosen = preferred or datetime.date(round_year, 1, 1)
    return min(max(chosen, low), min(high, today))


def programme_date_problem(value, round_year: int | None, *, past_only: bool = False) -> str | None:
    """Why ``value`` is not a plausible date for a record of the round of ``round_year`` (None if it is).

    ``past_only``: the record says something happened (an intake, a follow-up, money received),
    so it cannot be dated after today.
    """
    if value is None:
        return None
    if past_only and value > datetime.date.today():
        return str(_("日期不能晚于今天。"))
    if round_year is None:
        low, high = DB_EARLIEST_PROGRAMME_DATE, DB_LATEST_DATE
    else:
        low, high = programme_window(round_year)
    if not low <= value <= high:
        return str(_("日期应在%(low)s至%(high)s之间。") % {"low": format_date(low), "high": format_date(high)})
    return None


def validate_birth_date(value) -> None:
    """A birth date between 1 January 1900 and today."""
    if value is None:
        return
    if not EARLIEST_BIRTH_DATE <= value <= datetime.date.today():
        raise ValidationError(
            _("出生日期应在1900年1月1日至今天之间。"), code="birth_date_range", params={"value": value}
        )


def date_window_constraint(field: str, name: str, *, earliest=DB_EARLIEST_PROGRAMME_DATE):
    """A CheckConstraint keeping ``field`` (nullable or not) inside the database's fixed window."""
    from django.db.models import CheckConstraint, Q

    return CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": earliest, f"{field}__lte": DB_LATEST_DATE}),
        name=name,
        violation_error_message=_("日期超出合理范围。"),
    )


# -- phone numbers -------------------------------------------------------------------------
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# Beijing, Tianjin, Shanghai and the 02x cities have 3-digit area codes and 8-digit numbers; the rest 4 and 7–8.
LANDLINE_RE = re.compile(r"(0[12]\d)(\d{8})|(0[3-9]\d{2})(\d{7,8})")
PHONE_SEPARATORS = re.compile(r"[\s\-－—()（）]")


def normalize_phone(value: str) -> str:
    """A mobile number as 11 digits, a landline as ``area-number`` (``025-84561234``); "" stays "".

    Accepts spaces, dashes and brackets, a ``+86``/``0086``/``86`` country prefix and full-width digits.
    ValidationError with a Chinese reason otherwise.
    """
    import unicodedata

    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return ""
    digits = PHONE_SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    else:
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
    if MOBILE_RE.fullmatch(digits):
        return digits
    landline = LANDLINE_RE.fullmatch(digits)
    if landline:
        area, number = (part for part in landline.groups() if part)
        return f"{area}-{number}"
    raise ValidationError(_("请输入有效的电话号码：11位手机号，或带区号的固定电话（如 025-84561234）。"), code="phone")


def validate_phone(value: str) -> None:
    if value and value != normalize_phone(value):
        raise ValidationError(_("电话号码格式不规范。"), code="phone_format")


def id_number_birth_date(id_number: str) -> datetime.date | None:
    """The birth date an 18-character ID number carries (None for "")."""
    return _birth_date(id_number[6:14]) if len(id_number) == 18 else None


def id_number_gender(id_number: str) -> str | None:
    """``male`` or ``female`` from the 17th character (odd: male), None for ""."""
    return ("male" if int(id_number[16]) % 2 else "female") if len(id_number) == 18 else None


# An 18-character (or 15-digit) ID number, or a mobile number, typed into free text.
PERSONAL_NUMBER_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\w)|(?<!\d)\d{15}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)")


def validate_no_personal_numbers(value: str) -> None:
    """Free text (family situation, follow-up notes …) holds no ID or mobile number: text is never masked."""
    if value and PERSONAL_NUMBER_RE.search(value):
        raise ValidationError(
            _("文字记录中请勿填写身份证号或手机号：文字不脱敏，会被其他有权查看的人看到。号码请登记在身份信息中。"),
            code="personal_number",
        )
