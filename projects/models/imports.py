"""导入: a spreadsheet a user uploads, checked row by row before anything is written, then written at once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.states import ImportStatus


class ImportJob(models.Model):
    """One upload of one importer's spreadsheet: its file (kept only until it is written or given up), the
    dry run's findings, and the outcome. ``projects.imports.jobs`` is the only writer."""

    Status = ImportStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    importer = models.CharField(_("导入内容"), max_length=40)
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(_("存储文件"), max_length=200, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    phase = models.CharField(_("进度"), max_length=100, blank=True)
    processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    result = models.JSONField(_("检查结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入")
        verbose_name_plural = _("导入")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="importjob_user_time")]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"
