from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.fields import MoneyFormField
from projects.models import Project
from projects.states import Action
from projects.validators import default_in_window


def DATE_WIDGET():
    """A browser date picker; it needs ISO dates whatever the language's input format."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


STALE_PAGE = _("页面已过期或提交的数据不完整，请刷新页面后重试。")


class VersionedForm(forms.Form):
    """A confirmation that carries, hidden, the version of the record the user saw.

    A missing or garbled version (a page kept from an older release, a hand-made POST) has no visible
    field to show its error next to: it becomes an error at the top of the form, and nothing changes.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": STALE_PAGE, "invalid": STALE_PAGE}
    )

    def clean(self):
        cleaned = super().clean()
        if "version" in self._errors:
            del self._errors["version"]
            self.add_error(None, STALE_PAGE)
        return cleaned


class TransitionForm(VersionedForm):
    """Confirmation of a workflow transition. ``version`` is the state the user saw."""

    comment = forms.CharField(
        label=_("意见/说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def __init__(self, *args, transition, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.project = project
        self.fields["version"].initial = project.version
        if transition.comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("意见/原因（必填）")
            self.fields["comment"].error_messages["required"] = _("请填写意见或原因。")

    def service_arguments(self) -> dict:
        return {"comment": self.cleaned_data["comment"]}


class ApproveForm(TransitionForm):
    amount = MoneyFormField(label=_("审定金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].initial = self.project.requested_amount
        self.order_fields(["amount", "comment", "version"])

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "amount": self.cleaned_data["amount"]}


class SignForm(TransitionForm):
    signed_date = forms.DateField(label=_("签订日期"), widget=DATE_WIDGET())
    term_start = forms.DateField(label=_("协议期限开始"), widget=DATE_WIDGET())
    term_end = forms.DateField(label=_("协议期限结束"), widget=DATE_WIDGET())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        round_ = self.project.round
        self.fields["signed_date"].initial = default_in_window(
            round_.year, round_.period_start or self.project.start_date
        )
        self.fields["term_start"].initial = self.project.start_date
        self.fields["term_end"].initial = self.project.end_date
        self.order_fields(["signed_date", "term_start", "term_end", "comment", "version"])

    def service_arguments(self) -> dict:
        return {
            **super().service_arguments(),
            "signed_date": self.cleaned_data["signed_date"],
            "term_start": self.cleaned_data["term_start"],
            "term_end": self.cleaned_data["term_end"],
        }


TRANSITION_FORMS = {Action.APPROVE: ApproveForm, Action.SIGN: SignForm}


def transition_form_class(action: str) -> type[TransitionForm]:
    return TRANSITION_FORMS.get(action, TransitionForm)
