"""审计记录: the one audit trail of the portfolio (``projects.audit.log_action`` writes it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.audit import DAILY_ACTIONS, AuditAction
from projects.models.core import Project
from projects.querysets import AuditEntryQuerySet
from projects.states import ProjectStatus


class AuditEntry(models.Model):
    """Who did what to which record, and when, with a small dict of the particulars."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=40, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("记录类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField(_("记录编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("记录"), max_length=120, blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    data = models.JSONField(_("详情"), default=dict, blank=True)
    # The local day of an action logged at most once a day per user and record (a read of a case file); empty
    # for every other action. Its unique constraint makes the second read of the day write nothing.
    day = models.DateField(_("日期"), null=True, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        permissions = [("export_auditentry", _("导出审计记录"))]
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-at"], name="audit_project_time"),
            models.Index(fields=["action", "-at"], name="audit_action_time"),
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "action", "-at"], name="audit_actor_action_time"),
            # The unusual-reading list groups the reads of a span of days by user and day.
            models.Index(fields=["action", "day", "actor"], name="audit_action_day_actor"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "action", "content_type", "object_id", "day"],
                condition=models.Q(day__isnull=False),
                name="audit_once_a_day",
                violation_error_message=_("同一用户同一天对同一记录只记一次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True) | models.Q(action__in=sorted(DAILY_ACTIONS)),
                name="audit_day_only_for_daily_actions",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    # A workflow transition's particulars.
    @property
    def from_status(self) -> str:
        return self.data.get("from", "")

    @property
    def to_status(self) -> str:
        return self.data.get("to", "")

    @property
    def comment(self) -> str:
        return self.data.get("comment", "")

    def get_from_status_display(self) -> str:
        return ProjectStatus(self.from_status).label if self.from_status in ProjectStatus.values else self.from_status

    def get_to_status_display(self) -> str:
        return ProjectStatus(self.to_status).label if self.to_status in ProjectStatus.values else self.to_status


class DataVersion(models.Model):
    """One row: a number that grows whenever the portfolio's data change (``projects.data_version``).

    Figures computed over the whole portfolio (the dashboard's, the 待办 counts) are cached under it: a
    change of any record makes a new number, so a cached figure is never older than the last write.
    """

    value = models.BigIntegerField(_("数据版本"), default=0)
    changed_at = models.DateTimeField(_("更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")
        default_permissions = ()

    def __str__(self):
        return str(self.value)
