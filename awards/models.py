from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Organization, Project, Round
from projects.states import NominationStatus
from projects.validators import programme_date_problem


class AwardType(models.Model):
    class RecipientKind(models.TextChoices):
        PROJECT = "project", _("项目")
        ORGANIZATION = "organization", _("组织")
        PERSON = "person", _("个人")

    name = models.CharField(_("名称"), max_length=40, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    recipient_kind = models.CharField(
        _("表彰对象类型"), max_length=20, choices=RecipientKind.choices, default=RecipientKind.PROJECT
    )
    quota = models.PositiveSmallIntegerField(
        _("每批次名额"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("留空表示不限。")
    )
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("奖项类型")
        verbose_name_plural = _("奖项类型")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(quota__gte=1),
                name="awardtype_quota_positive",
                violation_error_message=_("名额至少为1。"),
            )
        ]

    def __str__(self):
        return self.name


class AwardRecordQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("round", "award_type", "project", "organization")


class AwardRecord(models.Model):
    round = models.ForeignKey(Round, verbose_name=_("年度批次"), on_delete=models.PROTECT, related_name="award_records")
    award_type = models.ForeignKey(AwardType, verbose_name=_("奖项"), on_delete=models.PROTECT, related_name="records")
    project = models.ForeignKey(
        Project, verbose_name=_("获奖项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("获奖单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    person_name = models.CharField(_("获奖个人"), max_length=40, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True, validators=[MinValueValidator(1)])
    citation = models.TextField(_("表彰词"), blank=True)
    awarded_on = models.DateField(_("表彰日期"))
    presenter = models.CharField(_("颁奖单位/颁奖人"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AwardRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("表彰记录")
        verbose_name_plural = _("表彰记录")
        permissions = [("import_awardrecord", _("导入表彰记录")), ("export_awardrecord", _("导出表彰记录"))]
        ordering = ["-round__year", "award_type__order", "rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(organization__isnull=True) & Q(person_name=""))
                | (Q(project__isnull=True) & Q(organization__isnull=False) & Q(person_name=""))
                | (Q(project__isnull=True) & Q(organization__isnull=True) & ~Q(person_name="")),
                name="awardrecord_exactly_one_recipient",
                violation_error_message=_("获奖对象须且只能填写一项：项目、单位或个人。"),
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="awardrecord_rank_positive",
                violation_error_message=_("名次从1开始。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "project"],
                condition=Q(project__isnull=False),
                name="awardrecord_project_once",
                violation_error_message=_("该项目在本批次已获得此奖项。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "organization"],
                condition=Q(organization__isnull=False),
                name="awardrecord_organization_once",
                violation_error_message=_("该单位在本批次已获得此奖项。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "person_name"],
                condition=~Q(person_name=""),
                name="awardrecord_person_once",
                violation_error_message=_("该个人在本批次已获得此奖项。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "rank"],
                condition=Q(rank__isnull=False),
                name="awardrecord_rank_unique",
                violation_error_message=_("该名次在本批次此奖项中已被占用。"),
            ),
        ]

    def __str__(self):
        return f"{self.round.year} {self.award_type} · {self.recipient_display}"

    def clean(self):
        super().clean()
        if self.round_id and self.awarded_on:
            problem = programme_date_problem(self.awarded_on, self.round.year)
            if problem:
                raise ValidationError({"awarded_on": problem})

    @property
    def recipient_display(self) -> str:
        if self.project_id:
            return str(self.project)
        if self.organization_id:
            return str(self.organization)
        return self.person_name


class NominationQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("round", "award_type", "project", "organization", "decided_by")


class Nomination(models.Model):
    """提名: proposed from the evaluation ranking or by the association; the committee confirms or declines."""

    class Source(models.TextChoices):
        RANKING = "ranking", _("评估排名")
        ASSOCIATION = "association", _("协会提名")

    Status = NominationStatus

    round = models.ForeignKey(Round, verbose_name=_("年度批次"), on_delete=models.PROTECT, related_name="nominations")
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("奖项"), on_delete=models.PROTECT, related_name="nominations"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="nominations"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    person_name = models.CharField(_("个人"), max_length=40, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    ranking_position = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    score = models.DecimalField(_("评估得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    tied_at_cut = models.BooleanField(_("名额线并列"), default=False)
    reason = models.TextField(_("提名理由"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decision_note = models.TextField(_("确认意见"), blank=True)
    award_record = models.OneToOneField(
        AwardRecord,
        verbose_name=_("表彰记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nomination",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("提名")
        verbose_name_plural = _("提名")
        ordering = ["round", "award_type__order", "ranking_position", "pk"]
        permissions = [("export_nomination", _("导出提名")), ("decide_nomination", _("确认或不采纳提名"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(organization__isnull=True) & Q(person_name=""))
                | (Q(project__isnull=True) & Q(organization__isnull=False) & Q(person_name=""))
                | (Q(project__isnull=True) & Q(organization__isnull=True) & ~Q(person_name="")),
                name="nomination_exactly_one_recipient",
                violation_error_message=_("被提名对象须且只能填写一项：项目、单位或个人。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "project"],
                condition=Q(project__isnull=False) & ~Q(status=NominationStatus.DECLINED),
                name="nomination_project_once",
                violation_error_message=_("该项目已被提名此奖项。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "organization"],
                condition=Q(organization__isnull=False) & ~Q(status=NominationStatus.DECLINED),
                name="nomination_organization_once",
                violation_error_message=_("该单位已被提名此奖项。"),
            ),
            models.UniqueConstraint(
                fields=["round", "award_type", "person_name"],
                condition=~Q(person_name="") & ~Q(status=NominationStatus.DECLINED),
                name="nomination_person_once",
                violation_error_message=_("该个人已被提名此奖项。"),
            ),
        ]

    def __str__(self):
        recipient = self.project or self.organization or self.person_name
        return f"{self.round.year} {self.award_type} · {recipient}"
