"""Agreements in the admin: drafted with automatic numbers, signed and terminated through services, scans."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from projects import permissions
from projects.admin.base import HistoryAdmin
from projects.exports import AgreementResource
from projects.formatting import format_cny, format_datetime, status_badge
from projects.forms import DATE_WIDGET
from projects.models import Agreement
from projects.services import (
    StaleTransition,
    WorkflowError,
    agreement_attach_scan,
    agreement_create,
    agreement_creation_problems,
    agreement_sign_framework,
    agreement_terminate,
    can_manage_agreements,
    can_upload_scan,
)


class AgreementAdminForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["kind", "title", "round", "project", "party_a", "party_b", "amount", "term_start", "term_end", "note"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            candidate = Agreement(**{k: v for k, v in cleaned.items() if k in {"kind", "round", "project"}})
            candidate.term_start, candidate.term_end = cleaned.get("term_start"), cleaned.get("term_end")
            if candidate.kind == Agreement.Kind.PROJECT and candidate.project and not candidate.round_id:
                candidate.round = candidate.project.round
            for problem in agreement_creation_problems(candidate) if candidate.kind else []:
                self.add_error(None, problem)
        return cleaned


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("签字盖章扫描件（PDF、JPEG 或 PNG，不超过 20 MB）"))


class SignFrameworkForm(forms.Form):
    signed_date = forms.DateField(label=_("签订日期"), widget=DATE_WIDGET())


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("终止原因（必填）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


@admin.register(Agreement)
class AgreementAdmin(ExportMixin, HistoryAdmin):
    form = AgreementAdminForm
    resource_classes = [AgreementResource]
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
    list_filter = ["kind", "status", "round"]
    search_fields = ["number", "title", "project__code", "project__title", "party_a__name", "party_b__name"]
    autocomplete_fields = ["party_a", "party_b", "round", "project"]
    date_hierarchy = "signed_date"
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
        # A signed or terminated agreement is record: it is terminated with a reason, never edited.
        return obj.status == Agreement.Status.DRAFT and can_manage_agreements(user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_manage_agreements(request.user)

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
                    "scan_form": ScanForm() if can_upload_scan(user, obj) else None,
                    "can_sign_framework": obj.kind == Agreement.Kind.FRAMEWORK
                    and obj.status == Agreement.Status.DRAFT
                    and can_manage_agreements(user),
                    "can_terminate": obj.kind == Agreement.Kind.FRAMEWORK
                    and obj.status == Agreement.Status.SIGNED
                    and can_manage_agreements(user),
                    "project_sign_url": reverse("admin:projects_project_transition", args=[obj.project_id, "sign"])
                    if obj.kind == Agreement.Kind.PROJECT
                    and obj.status == Agreement.Status.DRAFT
                    and permissions.can_transition_by_action(user, obj.project, "sign")
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

    def _scoped(self, request, object_id) -> Agreement:
        agreement = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, agreement):
            raise PermissionDenied
        return agreement

    def _change_url(self, agreement):
        return reverse("admin:projects_agreement_change", args=[agreement.pk])

    def scan_download_view(self, request, object_id):
        """The scan, only to those who may see the agreement; always as a download, never rendered inline."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        agreement = self._scoped(request, object_id)
        if not agreement.scan:
            raise Http404(gettext("该协议尚未上传扫描件。"))
        try:
            handle = agreement.scan.open("rb")
        except FileNotFoundError:
            raise Http404(gettext("扫描件文件不存在，请联系系统管理员。")) from None
        extension = agreement.scan.name.rsplit(".", 1)[-1]
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{agreement.number}.{extension}",
            content_type=agreement.scan_content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def scan_upload_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._scan_upload(request, object_id)

    def _scan_upload(self, request, object_id):
        agreement = self._scoped(request, object_id)
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
        return HttpResponseRedirect(self._change_url(agreement))

    def _action_view(self, request, object_id, *, form_class, allowed, run, title, button):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        agreement = self._scoped(request, object_id)
        if not allowed(agreement):
            messages.error(request, gettext("该协议当前不能执行此操作。"))
            return HttpResponseRedirect(self._change_url(agreement))
        form = form_class(request.POST or None, initial={"signed_date": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                run(agreement, form.cleaned_data)
            except StaleTransition as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(self._change_url(agreement))
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, gettext("协议 %(number)s 已%(action)s。") % {"number": agreement.number, "action": button}
                )
                return HttpResponseRedirect(self._change_url(agreement))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}：{agreement.number}",
            "opts": self.opts,
            "agreement": agreement,
            "form": form,
            "button": button,
            "change_url": self._change_url(agreement),
        }
        return TemplateResponse(request, "admin/projects/agreement/action.html", context)

    def sign_view(self, request, object_id):
        return self._action_view(
            request,
            object_id,
            form_class=SignFrameworkForm,
            allowed=lambda a: (
                a.kind == Agreement.Kind.FRAMEWORK
                and a.status == Agreement.Status.DRAFT
                and can_manage_agreements(request.user)
            ),
            run=lambda a, data: agreement_sign_framework(agreement=a, by=request.user, signed_date=data["signed_date"]),
            title=gettext("签订框架协议"),
            button=pgettext("agreement action", "签订"),
        )

    def terminate_view(self, request, object_id):
        return self._action_view(
            request,
            object_id,
            form_class=TerminateForm,
            allowed=lambda a: (
                a.kind == Agreement.Kind.FRAMEWORK
                and a.status == Agreement.Status.SIGNED
                and can_manage_agreements(request.user)
            ),
            run=lambda a, data: agreement_terminate(agreement=a, by=request.user, reason=data["reason"]),
            title=gettext("终止协议"),
            button=pgettext("agreement action", "终止"),
        )
