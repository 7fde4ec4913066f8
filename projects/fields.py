"""Model fields shared by the portfolio's records, and the form field for amounts."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.formatting import format_cny
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


class MoneyInput(forms.TextInput):
    """An amount shown as the pages show it (``20,000.00``), so an edit page never mixes two forms.

    A text input, not ``type=number``: a number input cannot show thousands separators.
    """

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return None
        try:
            return format_cny(Decimal(str(value).replace(",", "")))
        except InvalidOperation:
            return value  # what was typed, shown back with its error


class MoneyFormField(forms.DecimalField):
    """An amount in yuan to the fen; accepts ``20,000``, ``20，000.5`` and ``20000 元`` as well as ``20000``."""

    widget = MoneyInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "").replace("元", "").strip()
        return super().to_python(value)


class MoneyField(models.DecimalField):
    """A CNY amount to the fen (``money_field``), edited through ``MoneyFormField``.

    Migrations see a plain ``DecimalField``: the difference is only in forms and display.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MoneyFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class PercentField(models.DecimalField):
    """A share in per cent (``40.00`` is 40%): read-only, the admin shows it as ``40%``.

    Migrations see a plain ``DecimalField``.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
