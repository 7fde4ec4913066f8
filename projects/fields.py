"""Model fields shared by the portfolio's records."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.validators import normalize_phone


class PhoneNumberField(models.CharField):
    """A Chinese phone number, normalised when validated: mobiles as 11 digits, landlines as ``025-84561234``.

    ``+86``, spaces, dashes, brackets and full-width digits are accepted on input; anything that is
    neither a mobile nor a landline with its area code is refused with a Chinese message. Only
    validation (``full_clean``, every form) normalises: saving never raises, so a record holding a
    number entered before the rule existed can still be saved, and is asked to be corrected when
    its phone is next edited.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("help_text", _("11位手机号，或带区号的固定电话，如 025-84561234。"))
        super().__init__(*args, **kwargs)

    def clean(self, value, model_instance):
        value = super().clean(value, model_instance)
        return normalize_phone(value) if value else value
