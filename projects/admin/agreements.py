"""Agreements in the admin: drafted with automatic numbers, signed and terminated through services, scans."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.admin.base import DateRangeFilter, HistoryAdmin, ListExportMixin, object_view
from projects.exports import AgreementResource
from projects.formatting import format_cny, format_datetime, status_badge
from projects.forms import DATE_WIDGET
from projects.models import Agreement
from projects.services import (
    StaleTransition,
    WorkflowError,
    agreement_attach_scan,
    agreement_create,
    agreement_sign_framework,
    agreement_terminate,
)
from projects.states import Action
from projects.uploads import file_response
from projects.validators import default_in_window


class AgreementAdminForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["kind", "title", "round", "project", "party_a", "party_b", "amount", "term_start", "term_end", "note"]


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("签字盖章扫描件（PDF、JPEG 或 PNG，不超过 20 MB）"))


class SignFrameworkForm(forms.Form):
    signed_date = forms.DateField(label=_("签订日期"), widget=DATE_WIDGET())


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("终止原因（必填）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


@admin.register(Agreement)
class AgreementAdmin(ListExportMixin, HistoryAdmin):
    form = AgreementAdminForm
    export_resource = AgreementResource
    change_form_template = "admin/projects/agreement/change_form.html"
    list_display = [
        "number",
        "kind",
        "round",
        "project",
        "party_a",
        "party_b",
        "amount_display",
        "signed_date",
        "status_display",
        "has_scan",
    ]
    list_filter = ["kind", "status", "round", DateRangeFilter.on("signed_date", _("签订日期"))]
    search_fields = ["number", "title", "project__code", "project__title", "party_a__name", "party_b__name"]
    autocomplete_fields = ["party_a", "party_b", "round", "project"]
    readonly_fields = ["number", "status", "signed_date", "scan_info"]
    fieldsets = [
        (None, {"fields": ["number", "kind", "title", "round", "project", "status", "signed_date"]}),
        (_("双方与金额"), {"fields": ["party_a", "party_b", "amount", "term_start", "term_end"]}),
        (_("备注与扫描件"), {"fields": ["note", "scan_info"]}),
    ]

    def can_view_object(self, user, obj):
        return permissions.can_view_agreement(user, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["kind", "round", "project"]
            if obj.kind == Agreement.Kind.PROJECT:
                readonly += ["party_b", "amount"]  # the project's unit and approved amount
        return readonly

    def can_change_object(self, user, obj):
        return permissions.can_edit_agreement(user, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and permissions.can_manage_agreements(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            agreement_create(agreement=obj, by=request.user)

    @admin.display(description=_("协议金额（元）"), ordering="amount")
    def amount_display(self, agreement):
        return format_cny(agreement.amount)

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, agreement):
        return status_badge(agreement.status, agreement.get_status_display())

    @admin.display(description=_("扫描件"), boolean=True)
    def has_scan(self, agreement):
        return bool(agreement.scan)

    @admin.display(description=_("签字盖章扫描件"))
    def scan_info(self, agreement):
        if not agreement.scan:
            return gettext("尚未上传")
        return gettext("%(name)s（%(size).1f KB，%(when)s 上传）") % {
            "name": agreement.scan_name,
            "size": (agreement.scan_size or 0) / 1024,
            "when": format_datetime(agreement.scan_uploaded_at),
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            user = request.user
            context.update(
                {
                    "scan_form": ScanForm() if permissions.can_upload_scan(user, obj) else None,
                    "can_sign_framework": permissions.can_sign_framework(user, obj),
                    "can_terminate": permissions.can_terminate_agreement(user, obj),
                    "project_sign_url": reverse("admin:projects_project_transition", args=[obj.project_id, Action.SIGN])
                    if permissions.can_sign_project_agreement(user, obj)
                    else None,
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- extra views ------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/scan/", view(self.scan_download_view), name="projects_agreement_scan"),
            path("<path:object_id>/scan/upload/", view(self.scan_upload_view), name="projects_agreement_scan_upload"),
            path("<path:object_id>/sign/", view(self.sign_view), name="projects_agreement_sign"),
            path("<path:object_id>/terminate/", view(self.terminate_view), name="projects_agreement_terminate"),
            *super().get_urls(),
        ]

    @object_view("GET")
    def scan_download_view(self, request, agreement):
        """The scan, only to those who may see the agreement; always as a download, never rendered inline."""
        if not permissions.can_download_scan(request.user, agreement):
            raise PermissionDenied
        if not agreement.scan:
            raise Http404(gettext("该协议尚未上传扫描件。"))
        try:
            handle = agreement.scan.open("rb")
        except FileNotFoundError:
            raise Http404(gettext("扫描件文件不存在，请联系系统管理员。")) from None
        extension = agreement.scan.name.rsplit(".", 1)[-1]
        return file_response(
            handle, content_type=agreement.scan_content_type, download_name=f"{agreement.number}.{extension}"
        )

    @object_view("POST")
    def scan_upload_view(self, request, agreement):
        form = ScanForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, gettext("请选择要上传的扫描件。"))
        else:
            try:
                agreement_attach_scan(agreement=agreement, by=request.user, upload=form.cleaned_data["scan"])
            except WorkflowError as error:
                messages.error(request, gettext("扫描件未保存：%(reason)s") % {"reason": error.message})
            else:
                messages.success(request, gettext("扫描件已上传。"))
        return HttpResponseRedirect(self.change_url(agreement))

    def _action_view(self, request, agreement, *, form_class, allowed, run, title, button):
        if not allowed(agreement):
            messages.error(request, gettext("该协议当前不能执行此操作。"))
            return HttpResponseRedirect(self.change_url(agreement))
        form = form_class(
            request.POST or None,
            initial={"signed_date": default_in_window(agreement.round.year, agreement.round.period_start)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                run(agreement, form.cleaned_data)
            except StaleTransition as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(self.change_url(agreement))
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, gettext("协议 %(number)s 已%(action)s。") % {"number": agreement.number, "action": button}
                )
                return HttpResponseRedirect(self.change_url(agreement))
        return self.render_view(
            request,
            "admin/projects/agreement/action.html",
            title=f"{title}：{agreement.number}",
            agreement=agreement,
            form=form,
            button=button,
            change_url=self.change_url(agreement),
        )

    @object_view("GET", "POST")
    def sign_view(self, request, agreement):
        return self._action_view(
            request,
            agreement,
            form_class=SignFrameworkForm,
            allowed=lambda a: permissions.can_sign_framework(request.user, a),
            run=lambda a, data: agreement_sign_framework(agreement=a, by=request.user, signed_date=data["signed_date"]),
            title=gettext("签订框架协议"),
            button=pgettext("agreement action", "签订"),
        )

    @object_view("GET", "POST")
    def terminate_view(self, request, agreement):
        return self._action_view(
            request,
            agreement,
            form_class=TerminateForm,
            allowed=lambda a: permissions.can_terminate_agreement(request.user, a),
            run=lambda a, data: agreement_terminate(agreement=a, by=request.user, reason=data["reason"]),
            title=gettext("终止协议"),
            button=pgettext("agreement action", "终止"),
        )
