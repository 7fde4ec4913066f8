"""Model fields shared by the portfolio's records."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.validators import normalize_phone, validate_phone


class PhoneNumberField(models.CharField):
    """A Chinese phone number, normalised when cleaned: mobiles as 11 digits, landlines as ``025-84561234``.

    ``+86``, spaces, dashes, brackets and full-width digits are accepted on input; anything that is
    neither a mobile nor a landline with its area code is refused with a Chinese message.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("help_text", _("11位手机号，或带区号的固定电话，如 025-84561234。"))
        super().__init__(*args, **kwargs)
        self.validators.append(validate_phone)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value) if value else value
