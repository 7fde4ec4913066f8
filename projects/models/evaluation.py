"""Evaluations (评估考核): weighted rubrics, assigned evaluators, scorecards, finalised grades;
and each agency's standing with the association (行业自律)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from projects.formatting import person_name
from projects.models.core import Organization, Project
from projects.querysets import EvaluationQuerySet, ScorecardQuerySet
from projects.states import EvaluationStatus, ScorecardStatus
from projects.validators import programme_date_problem

SCORE = {"max_digits": 5, "decimal_places": 2}


class EvaluationKind(models.TextChoices):
    MIDTERM = "midterm", pgettext_lazy("evaluation kind", "中期评估")  # the same words are also a project status
    FINAL = "final", _("结项评估")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class RubricTemplate(models.Model):
    """A scoring rubric. Once an evaluation uses it, it is frozen: revising it makes a new version."""

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("适用评估"), max_length=20, choices=EvaluationKind.choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分模板")
        verbose_name_plural = _("评分模板")
        ordering = ["kind", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="rubric_name_version_unique")]

    def __str__(self):
        return gettext("%(name)s（第%(version)d版）") % {"name": self.name, "version": self.version}

    @property
    def in_use(self) -> bool:
        return self.evaluations.exists()


class RubricCriterion(models.Model):
    template = models.ForeignKey(
        RubricTemplate, verbose_name=_("评分模板"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("指标"), max_length=60)
    max_score = models.DecimalField(_("分值"), validators=[MinValueValidator(Decimal("0.01"))], **SCORE)
    guidance = models.TextField(_("评分说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分指标")
        verbose_name_plural = _("评分指标")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gt=0),
                name="criterion_max_score_positive",
                violation_error_message=_("分值必须大于零。"),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.max_score}）"


class Evaluation(models.Model):
    Status = EvaluationStatus

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField(_("评估类型"), max_length=20, choices=EvaluationKind.choices)
    template = models.ForeignKey(
        RubricTemplate, verbose_name=_("评分模板"), on_delete=models.PROTECT, related_name="evaluations"
    )
    due_date = models.DateField(_("截止日期"))
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("评估专家"), blank=True, related_name="assigned_evaluations"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    score = models.DecimalField(_("得分"), null=True, blank=True, **SCORE)
    grade = models.CharField(_("等级"), max_length=20, choices=Grade.choices, blank=True)
    scorecards_counted = models.PositiveSmallIntegerField(_("计分评分表数"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("定级时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("定级人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估")
        verbose_name_plural = _("评估")
        ordering = ["-due_date", "pk"]
        # The evaluation list's order and its date drill-down (first and last due dates, years).
        indexes = [models.Index(fields=["-due_date", "id"], name="evaluation_due")]
        permissions = [
            ("export_evaluation", _("导出评估")),
            ("finalise_evaluation", _("评估定级")),
            ("assign_evaluators", _("指派评估专家")),
            ("clear_rectification", _("解除整改")),
        ]
        constraints = [
            # A failed evaluation does not count: after rectification the project is evaluated again.
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=~Q(grade="fail"),
                name="evaluation_once_per_kind",
                violation_error_message=_("该项目已有同类评估。"),
            ),
            models.CheckConstraint(
                condition=Q(status=EvaluationStatus.OPEN) | (Q(score__isnull=False) & ~Q(grade="")),
                name="evaluation_finalised_has_grade",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="evaluation_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if self.project_id and self.due_date:
            problem = programme_date_problem(self.due_date, self.project.round.year)
            if problem:
                raise ValidationError({"due_date": problem})


class Scorecard(models.Model):
    Status = ScorecardStatus

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="scorecards"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估专家"), on_delete=models.PROTECT, related_name="scorecards"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("总分"), null=True, blank=True, **SCORE)
    overall_comment = models.TextField(_("总体意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        permissions = [("import_scorecard", _("导入评分表")), ("export_scorecard", _("导出评分表"))]
        ordering = ["evaluation", "evaluator"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "evaluator"], name="scorecard_once_per_evaluator")]

    def __str__(self):
        return f"{self.evaluation} · {person_name(self.evaluator)}"


class ScoreItem(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(RubricCriterion, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), validators=[MinValueValidator(Decimal("0"))], **SCORE)
    comment = models.TextField(_("评语"), blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["scorecard", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="scoreitem_once_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=0), name="scoreitem_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.score}"


class AgencyStanding(models.Model):
    """The association's record of a member agency (行业自律)."""

    class Membership(models.TextChoices):
        MEMBER = "member", _("会员")
        SUSPENDED = "suspended", _("暂停会籍")
        NONE = "none", _("非会员")

    class Level(models.TextChoices):
        A1 = "1A", "1A"
        A2 = "2A", "2A"
        A3 = "3A", "3A"
        A4 = "4A", "4A"
        A5 = "5A", "5A"

    organization = models.OneToOneField(
        Organization, verbose_name=_("社工机构"), on_delete=models.CASCADE, related_name="standing"
    )
    membership_status = models.CharField(
        _("会籍状态"), max_length=20, choices=Membership.choices, default=Membership.MEMBER
    )
    member_since = models.DateField(_("入会日期"), null=True, blank=True)
    assessment_level = models.CharField(_("社会组织评估等级"), max_length=2, choices=Level.choices, blank=True)
    assessed_on = models.DateField(_("评估等级日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("机构行业自律档案")
        verbose_name_plural = _("机构行业自律档案")
        ordering = ["organization__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment_level="") | Q(assessed_on__isnull=False),
                name="standing_level_has_date",
                violation_error_message=_("填写评估等级时须填写评估日期。"),
            )
        ]

    def __str__(self):
        return str(self.organization)


class ComplianceNote(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        RECTIFICATION = "rectification", _("整改")
        COMMENDATION = "commendation", _("表扬")
        OTHER = "other", _("其他")

    organization = models.ForeignKey(
        Organization, verbose_name=_("社工机构"), on_delete=models.CASCADE, related_name="compliance_notes"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("情况"))
    resolved = models.BooleanField(_("已办结"), default=False)

    class Meta:
        verbose_name = _("合规记录")
        verbose_name_plural = _("合规记录")
        ordering = ["organization", "-date"]

    def __str__(self):
        return f"{self.organization} {self.date} {self.get_kind_display()}"
