"""The forms of a case (个案): opening it, its page with identity corrections, closing it."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.admin.base import UserAwareForm
from projects.forms import DATE_WIDGET
from projects.models import (
    Enrollment,
    Organization,
    Project,
)
from projects.models.casework import Gender
from projects.services import (
    WorkflowError,
    normalized_id,
)
from projects.services.casework import IDENTITY_FIELDS, identity_from_id_number
from projects.validators import normalize_phone, validate_birth_date

INTAKE_FIELDSETS = [
    (_("接案与同意"), {"fields": ["intake_date", "consent_on"]}),
    (
        _("家庭与个人情况"),
        {
            "fields": [
                "household_size",
                "family_situation",
                "subsistence",
                "income_level",
                "personal_traits",
                "social_factors",
                "risk_level",
            ]
        },
    ),
    (_("服务计划"), {"fields": ["service_plan", "goals"]}),
]
INTAKE_FIELDS = [name for _title, options in INTAKE_FIELDSETS for name in options["fields"]]


class EnrollmentAddForm(UserAwareForm):
    """个案建档: who the person is and what this unit learns at intake — all of it this unit's own record."""

    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=30,
        help_text=_("出生日期和性别按身份证号自动填写；没有身份证的可留空。"),
    )

    class Meta:
        model = Enrollment
        fields = ["project", *IDENTITY_FIELDS, *INTAKE_FIELDS]
        widgets = {"intake_date": DATE_WIDGET(), "consent_on": DATE_WIDGET(), "date_of_birth": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.casework_by(self.current_user)
        self.fields["consent_on"].required = True
        self.fields["consent_on"].help_text = _("须先取得服务对象（或监护人）同意处理其个人信息。")
        self.fields["community"].queryset = Organization.objects.filter(type=Organization.Type.COMMUNITY)
        self.fields["gender"].required = False  # taken from the ID number when there is one
        self.fields["gender"].help_text = _("有身份证号的按身份证号自动填写。")

    def clean_gender(self):
        return self.cleaned_data["gender"] or Gender.UNKNOWN

    def clean_id_number(self):
        try:
            return normalized_id(self.cleaned_data["id_number"])
        except WorkflowError as error:
            raise forms.ValidationError(error.message) from None


class EnrollmentChangeForm(UserAwareForm):
    """A case's own record. Full ID number, birth date and phone are never put into the page: corrections
    go into empty fields, and the values are revealed one at a time by a logged POST."""

    new_id_number = forms.CharField(
        label=_("更正身份证号"), required=False, max_length=30, help_text=_("留空则不变；原号码不会显示在此。")
    )
    new_date_of_birth = forms.DateField(
        label=_("更正出生日期"), required=False, widget=DATE_WIDGET(), help_text=_("留空则不变。")
    )
    new_phone = forms.CharField(label=_("更正联系电话"), required=False, max_length=30, help_text=_("留空则不变。"))

    class Meta:
        model = Enrollment
        fields = ["name", "gender", "community", "special_group", *INTAKE_FIELDS]
        widgets = {"intake_date": DATE_WIDGET(), "consent_on": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            self.fields["community"].queryset = Organization.objects.filter(type=Organization.Type.COMMUNITY)

    def clean_new_id_number(self):
        try:
            return normalized_id(self.cleaned_data["new_id_number"])
        except WorkflowError as error:
            raise forms.ValidationError(error.message) from None

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"]
        try:
            return normalize_phone(value) if value.strip() else ""
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_new_date_of_birth(self):
        value = self.cleaned_data["new_date_of_birth"]
        if value is not None:
            try:
                validate_birth_date(value)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return value

    def clean(self):
        # Checked only against what the user typed now, never against the stored ID number: an answer
        # that depended on it ("the birth date does not match") would let the number be rebuilt.
        cleaned = super().clean()
        new_id = cleaned.get("new_id_number")
        if new_id:
            try:
                identity = identity_from_id_number({"date_of_birth": cleaned.get("new_date_of_birth")}, new_id)
            except WorkflowError as error:
                self.add_error("new_date_of_birth", error.message)
            else:
                cleaned["gender"] = self.instance.gender = identity["gender"]
        return cleaned


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("结案日期"), widget=DATE_WIDGET())
    summary = forms.CharField(label=_("结案小结"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
