import pytest
from django.core.exceptions import ValidationError

from projects.validators import credit_code_check_character, validate_credit_code

# Published codes of well-known companies, and the example printed in GB 32100-2015 material.
REAL_CODES = ["91440300708461136T", "91330100716105852F", "914403001922038216", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    validate_credit_code(code)
    assert credit_code_check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_wrong_check_character_is_rejected(code):
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong == code[17]:
            continue
        with pytest.raises(ValidationError) as error:
            validate_credit_code(code[:17] + wrong)
        assert error.value.code == "check"


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("9144030070846113", "length"),
        ("91440300708461136T0", "length"),
        ("", "length"),
        ("91440300708461136t", "lowercase"),
        ("91350100m000100y43", "lowercase"),
        ("91440300708461I36T", "charset"),
        ("9144O300708461136T", "charset"),
        ("9144AB00708461136T", "division"),
        ("914403007084611X6T", "org_check"),
    ],
)
def test_malformed_codes_are_rejected_with_a_reason(code, error_code):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.code == error_code
    assert "统一社会信用代码" in str(error.value.messages[0])
