"""Records of the composition root: printed documents generated in the background and kept."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Round
from projects.states import DOCUMENT_LIVE, DocumentStatus


class GeneratedDocument(models.Model):
    """One printed document of a round, generated in the background and kept until its data change.

    ``kind`` names the document (``qicai.documents.kinds``); ``scope`` whose view of the data it shows
    ("" for the whole programme); ``version`` a fingerprint of everything it prints. A request for a
    document whose data have not changed gets the kept file; changed data make a new version, and the
    old file goes once the new one is ready. ``qicai.documents.generated`` is the only writer.
    """

    Status = DocumentStatus

    kind = models.CharField(_("文档"), max_length=40)
    round = models.ForeignKey(Round, verbose_name=_("年度批次"), on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("数据范围"), max_length=40, blank=True)
    language = models.CharField(_("语言"), max_length=10)
    version = models.CharField(_("数据版本"), max_length=64)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(_("进度"), max_length=100, blank=True)
    done = models.PositiveIntegerField(_("已排版页数"), default=0)
    total = models.PositiveIntegerField(_("预计页数"), default=0)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    stored_name = models.CharField(_("存储文件"), max_length=200, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    message = models.TextField(_("说明"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成的文档")
        verbose_name_plural = _("生成的文档")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two people asking at once for the same version get the same document, made once.
            models.UniqueConstraint(
                fields=["kind", "round", "scope", "language", "version"],
                condition=Q(status__in=sorted(DOCUMENT_LIVE)),
                name="generateddocument_one_live_per_version",
            )
        ]
        indexes = [models.Index(fields=["kind", "round", "scope", "-created_at"], name="generateddocument_lookup")]

    def __str__(self):
        return f"{self.kind} {self.round.year}（{self.get_status_display()}）"
