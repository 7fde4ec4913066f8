"""Imports in the admin: upload a spreadsheet, read the dry run (every problem by row and column), confirm.

Each importable list shows 导入 and 下载模板 buttons (``ImportLinks``); the job page follows the job
while the worker checks or writes it (a refresh every few seconds, no script).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.admin.base import QicaiModelAdmin, object_view
from projects.formatting import format_datetime, person_name
from projects.forms import VersionedForm
from projects.imports.base import ACTION_LABELS
from projects.imports.jobs import import_job_abandon, import_job_confirm, import_job_start
from projects.imports.registry import IMPORTERS, importer_for, importers_of
from projects.imports.templates import template_response
from projects.models import ImportJob
from projects.services import StaleTransition, WorkflowError
from projects.states import ImportStatus


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("表格文件"),
        help_text=_("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）；表头上方可以有标题行，末尾的合计行会被忽略。"),
    )


def import_links(user, model) -> list[tuple[str, str, str]]:
    """(label, upload url, template url) of every importer of ``model`` the user may use."""
    links = []
    for importer_class in importers_of(model):
        importer = importer_class(user)
        if importer.may_import():
            links.append(
                (
                    gettext("导入%(label)s") % {"label": importer.label},
                    reverse("admin:projects_importjob_upload", args=[importer.key]),
                    reverse("admin:projects_importjob_template", args=[importer.key]),
                )
            )
    return links


@admin.register(ImportJob)
class ImportJobAdmin(QicaiModelAdmin):
    list_display = ["created_at_display", "importer_label", "original_name", "status", "counts_display", "user_display"]
    list_filter = ["status"]
    change_form_template = "admin/projects/importjob/job.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (obj is None or obj.user_id == request.user.pk or request.user.is_superuser)

    def has_module_permission(self, request):
        return request.user.is_active and any(importer_for(k, request.user).may_import() for k in IMPORTERS)

    def has_add_permission(self, request):
        return False  # an import starts from the list it fills (导入)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("上传时间"), ordering="created_at")
    def created_at_display(self, job):
        return format_datetime(job.created_at)

    @admin.display(description=_("导入内容"))
    def importer_label(self, job):
        importer = importer_for(job.importer, job.user)
        return importer.label if importer else job.importer

    @admin.display(description=_("结果"))
    def counts_display(self, job):
        counts = job.result.get("counts")
        if not counts:
            return "—"
        return "；".join(f"{ACTION_LABELS[action]} {count}" for action, count in counts.items() if count)

    @admin.display(description=_("导入人"))
    def user_display(self, job):
        return person_name(job.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new/<slug:importer>/", view(self.upload_view), name="projects_importjob_upload"),
            path("template/<slug:importer>/", view(self.template_view), name="projects_importjob_template"),
            path("<path:object_id>/confirm/", view(self.confirm_view), name="projects_importjob_confirm"),
            path("<path:object_id>/abandon/", view(self.abandon_view), name="projects_importjob_abandon"),
            *super().get_urls(),
        ]

    def _importer(self, request, key):
        importer = importer_for(key, request.user)
        if importer is None:
            raise Http404(gettext("没有这种导入。"))
        if not importer.may_import():
            raise PermissionDenied
        return importer

    def upload_view(self, request, importer):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        importer = self._importer(request, importer)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = import_job_start(importer_key=importer.key, upload=form.cleaned_data["file"], by=request.user)
            except WorkflowError as error:
                form.add_error("file", error.message)
            else:
                return HttpResponseRedirect(self.change_url(job))
        return self.render_view(
            request,
            "admin/projects/importjob/upload.html",
            title=gettext("导入%(label)s") % {"label": importer.label},
            importer=importer,
            columns=importer.file_columns(),
            form=form,
            limit_mb=f"{settings.QICAI_IMPORT_MAX_BYTES / 1024 / 1024:g}",
            template_url=reverse("admin:projects_importjob_template", args=[importer.key]),
        )

    def template_view(self, request, importer):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return template_response(self._importer(request, importer))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        running = job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
        importer = importer_for(job.importer, job.user)
        return self.render_view(
            request,
            "admin/projects/importjob/job.html",
            title=gettext("导入：%(name)s") % {"name": job.original_name},
            job=job,
            importer=importer,
            running=running,
            result=job.result,
            action_labels=ACTION_LABELS,
            can_confirm=job.status == ImportStatus.CHECKED and job.user_id == request.user.pk,
            can_abandon=job.status in (ImportStatus.CHECKING, ImportStatus.CHECKED),
            confirm_form=VersionedForm(initial={"version": job.version}),
        )

    @object_view("POST")
    def confirm_view(self, request, job):
        form = VersionedForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()))
            return HttpResponseRedirect(self.change_url(job))
        try:
            job = import_job_confirm(job=job, by=request.user, expected_version=form.cleaned_data["version"])
        except (StaleTransition, WorkflowError) as error:
            messages.error(request, error.message)
        else:
            if job.status == ImportStatus.DONE:
                messages.success(request, gettext("导入完成。"))
        return HttpResponseRedirect(self.change_url(job))

    @object_view("POST")
    def abandon_view(self, request, job):
        try:
            import_job_abandon(job=job, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("已放弃本次导入，上传的文件已删除。"))
        return HttpResponseRedirect(reverse("admin:projects_importjob_changelist"))
