"""Validators for Chinese identifiers."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
