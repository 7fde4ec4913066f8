from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.fields import MoneyField, PercentField, PhoneNumberField
from projects.formatting import format_share, format_yuan
from projects.querysets import (
    AgreementQuerySet,
    InstalmentQuerySet,
    OrganizationQuerySet,
    ProjectQuerySet,
    RoundQuerySet,
    ScopedByProjectQuerySet,
)
from projects.states import AgreementStatus, InstalmentStatus, ProjectStatus, RoundStatus
from projects.validators import date_window_constraint, programme_date_problem, validate_credit_code

ZERO = Decimal("0")
money_validators = [MinValueValidator(ZERO, message=_("金额不能为负数。"))]


def money_field(verbose_name, **kwargs):
    """A CNY amount to the fen: never float, never negative (also a DB constraint on each model)."""
    return MoneyField(verbose_name, max_digits=14, decimal_places=2, validators=money_validators, **kwargs)


class Organization(models.Model):
    class Type(models.TextChoices):
        GOVERNMENT = "government", _("区委/区政府部门")
        MASS_ORGANIZATION = "mass_org", _("群团组织")
        ASSOCIATION = "association", _("社工协会")
        AGENCY = "agency", _("社工机构/社会组织")
        SUBDISTRICT = "subdistrict", _("街道")
        COMMUNITY = "community", _("社区")
        ENTERPRISE = "enterprise", _("爱心企业")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    type = models.CharField(_("类型"), max_length=20, choices=Type.choices, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18位，按 GB 32100-2015 校验；没有的可留空。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("社区须填写所属街道。"),
    )
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = PhoneNumberField(_("联系电话"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("组织历史"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        permissions = [("import_organization", _("导入组织")), ("export_organization", _("导出组织"))]
        ordering = ["type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organization_credit_code_unique",
                violation_error_message=_("已有组织使用该统一社会信用代码。"),
            ),
            models.CheckConstraint(
                condition=~Q(type="community") | Q(parent__isnull=False),
                name="organization_community_has_subdistrict",
                violation_error_message=_("社区必须填写所属街道。"),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="organization_not_own_parent",
                violation_error_message=_("上级单位不能是自身。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.type == self.Type.COMMUNITY and self.parent_id and self.parent.type != self.Type.SUBDISTRICT:
            raise ValidationError({"parent": _("社区的上级单位必须是街道。")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("上级单位不能是自身。")})


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="memberships"
    )
    title = models.CharField(_("职务"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        ordering = ["organization__name", "user__username"]

    def __str__(self):
        return f"{self.user} @ {self.organization}"


class Round(models.Model):
    Status = RoundStatus

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    budget = money_field(_("区级财政预算（元）"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PREPARING)
    launch_date = models.DateField(_("启动日期"), null=True, blank=True)
    period_start = models.DateField(
        _("服务周期开始"), null=True, blank=True, help_text=_("项目协议的期限须在服务周期之内。")
    )
    period_end = models.DateField(_("服务周期结束"), null=True, blank=True)
    management_cap_percent = PercentField(
        _("管理费上限（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text=_("管理费占申请金额的最高比例，提交申报时检查；留空表示不限。"),
    )
    grade_excellent_min = models.DecimalField(_("优秀分数线"), max_digits=5, decimal_places=2, default=Decimal("90"))
    grade_good_min = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=2, default=Decimal("75"))
    grade_pass_min = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=2, default=Decimal("60"))
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RoundQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("年度批次历史"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("年度批次")
        verbose_name_plural = _("年度批次")
        permissions = [("export_round", _("导出年度批次"))]
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="round_budget_not_negative",
                violation_error_message=_("预算不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="round_year_plausible",
                violation_error_message=_("年度应在2000至2100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="round_period_end_after_start",
                violation_error_message=_("服务周期结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(grade_excellent_min__gte=F("grade_good_min"))
                & Q(grade_good_min__gte=F("grade_pass_min"))
                & Q(grade_pass_min__gte=0)
                & Q(grade_excellent_min__lte=100),
                name="round_grade_bands_ordered",
                violation_error_message=_("分数线应满足：100 ≥ 优秀 ≥ 良好 ≥ 合格 ≥ 0。"),
            ),
            models.CheckConstraint(
                condition=Q(management_cap_percent__isnull=True)
                | Q(management_cap_percent__gte=0, management_cap_percent__lte=100),
                name="round_management_cap_percent",
                violation_error_message=_("管理费上限应在0%%至100%%之间。"),  # %% : Django formats this message,
            ),
        ]

    def __str__(self):
        return self.title or f"{self.year}"

    def clean(self):
        super().clean()
        if not self.year or not 2000 <= self.year <= 2100:
            return  # the year's own check says why
        errors = {}
        for field in ("launch_date", "period_start", "period_end"):
            problem = programme_date_problem(getattr(self, field), self.year)
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)


class ServiceCategory(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    colour_name = models.CharField(_("颜色"), max_length=4, help_text=_("如：红、橙、黄、绿、青、蓝、紫"))
    colour = models.CharField(
        _("色值"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("色值应为 #RRGGBB 格式。"))],
    )
    target_group = models.CharField(_("服务人群"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务类别（七彩）")
        verbose_name_plural = _("服务类别（七彩）")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Project(models.Model):
    Status = ProjectStatus

    class ServiceModel(models.TextChoices):
        SOCIAL_WORKER_VOLUNTEER = "sw_volunteer", _("社工+义工")
        AGENCY_COMMUNITY = "agency_community", _("机构+社区")
        GOVERNMENT_AGENCY = "government_agency", _("机关+机构")
        OTHER = "other", _("其他")

    code = models.CharField(_("项目编号"), max_length=20, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("批次内序号"), editable=False)
    title = models.CharField(_("项目名称"), max_length=120)
    round = models.ForeignKey(Round, verbose_name=_("年度批次"), on_delete=models.PROTECT, related_name="projects")
    implementing_unit = models.ForeignKey(
        Organization,
        verbose_name=_("实施单位"),
        on_delete=models.PROTECT,
        related_name="implemented_projects",
        limit_choices_to={"type__in": ["agency", "subdistrict", "community"]},
    )
    partners = models.ManyToManyField(
        Organization, verbose_name=_("合作单位"), blank=True, related_name="partner_projects"
    )
    guiding_department = models.ForeignKey(
        Organization,
        verbose_name=_("业务指导单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guided_projects",
        limit_choices_to={"type__in": ["government", "mass_org"]},
    )
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="projects"
    )
    service_model = models.CharField(
        _("运作模式"), max_length=20, choices=ServiceModel.choices, default=ServiceModel.SOCIAL_WORKER_VOLUNTEER
    )
    target_group = models.CharField(_("服务对象群体"), max_length=100)
    subdistrict = models.ForeignKey(
        Organization,
        verbose_name=_("所在街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subdistrict_projects",
        limit_choices_to={"type": "subdistrict"},
    )
    community = models.ForeignKey(
        Organization,
        verbose_name=_("所在社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_projects",
        limit_choices_to={"type": "community"},
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    requested_amount = money_field(_("申请金额（元）"), default=ZERO)
    approved_amount = money_field(_("审定金额（元）"), null=True, blank=True)
    target_beneficiaries = models.PositiveIntegerField(_("目标服务人数"), default=0)
    objectives = models.TextField(_("项目目标"), blank=True)
    description = models.TextField(_("项目简介"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Set when an evaluation of the kind is finalised with a passing grade; the
    # mid-term and final instalments wait for them.
    midterm_passed_on = models.DateField(_("中期评估合格日期"), null=True, blank=True, editable=False)
    final_passed_on = models.DateField(_("结项评估合格日期"), null=True, blank=True, editable=False)
    # A failed evaluation puts the project under rectification (整改): the next instalment waits
    # until civil affairs clears it.
    needs_rectification = models.BooleanField(_("整改中"), default=False, editable=False)
    rectification_note = models.TextField(_("整改要求"), blank=True, editable=False)
    # Bumped by every workflow transition: a form carries the version it was
    # rendered with, so a stale submission changes nothing.
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("项目历史"), excluded_fields=["updated_at"], m2m_fields=[partners])

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-round__year", "sequence"]
        permissions = [
            ("import_project", _("导入项目")),
            ("export_project", _("导出项目")),
            ("submit_project", _("提交项目")),
            ("review_project", _("初审推荐、退回或不予推荐项目")),
            ("approve_project", _("审定项目及金额")),
            ("sign_project", _("签订项目协议")),
            ("start_project", _("启动项目实施")),
            ("terminate_project", _("终止项目")),
            ("archive_project", _("归档项目")),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="project_round_status"),
            models.Index(fields=["implementing_unit", "status"], name="project_unit_status"),
            # 待办 lists each state's most recently changed projects.
            models.Index(fields=["status", "-updated_at"], name="project_status_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["round", "sequence"], name="project_round_sequence_unique"),
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0),
                name="project_requested_not_negative",
                violation_error_message=_("申请金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="project_approved_not_negative",
                violation_error_message=_("审定金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="project_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            date_window_constraint("start_date", "project_start_date_window"),
            date_window_constraint("end_date", "project_end_date_window"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("admin:projects_project_change", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.community_id and self.subdistrict_id and self.community.parent_id != self.subdistrict_id:
            errors["community"] = _("所选社区不属于所选街道。")
        if self.round_id:
            for field in ("start_date", "end_date"):
                problem = programme_date_problem(getattr(self, field), self.round.year)
                if problem:
                    errors[field] = problem
        if errors:
            raise ValidationError(errors)


class Agreement(models.Model):
    class Kind(models.TextChoices):
        FRAMEWORK = "framework", _("框架协议")
        PROJECT = "project", _("项目协议")

    Status = AgreementStatus

    kind = models.CharField(_("协议类型"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("协议编号"), max_length=30, unique=True)
    title = models.CharField(_("协议名称"), max_length=120, blank=True)
    party_a = models.ForeignKey(
        Organization, verbose_name=_("甲方"), on_delete=models.PROTECT, related_name="agreements_as_party_a"
    )
    party_b = models.ForeignKey(
        Organization, verbose_name=_("乙方"), on_delete=models.PROTECT, related_name="agreements_as_party_b"
    )
    round = models.ForeignKey(Round, verbose_name=_("年度批次"), on_delete=models.PROTECT, related_name="agreements")
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        help_text=_("项目协议必填；框架协议留空。"),
    )
    signed_date = models.DateField(_("签订日期"), null=True, blank=True)
    amount = money_field(_("协议金额（元）"), default=ZERO)
    term_start = models.DateField(_("期限开始"), null=True, blank=True)
    term_end = models.DateField(_("期限结束"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("备注"), blank=True)
    # The signed scan: stored under a random name outside the static path and
    # served only through a view that checks the viewer's scope.
    scan = models.FileField(_("签字盖章扫描件"), upload_to="agreements/", blank=True, editable=False)
    scan_name = models.CharField(_("扫描件原文件名"), max_length=200, blank=True, editable=False)
    scan_content_type = models.CharField(_("扫描件类型"), max_length=40, blank=True, editable=False)
    scan_size = models.PositiveIntegerField(_("扫描件大小（字节）"), null=True, blank=True, editable=False)
    scan_uploaded_at = models.DateTimeField(_("扫描件上传时间"), null=True, blank=True, editable=False)
    scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("扫描件上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("协议历史"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("协议")
        verbose_name_plural = _("协议")
        permissions = [("export_agreement", _("导出协议"))]
        ordering = ["-round__year", "kind", "number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="project") & Q(project__isnull=False))
                | (Q(kind="framework") & Q(project__isnull=True)),
                name="agreement_project_matches_kind",
                violation_error_message=_("项目协议必须关联项目；框架协议不能关联项目。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="agreement_amount_not_negative",
                violation_error_message=_("协议金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(term_start__isnull=True) | Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="agreement_term_end_after_start",
                violation_error_message=_("协议期限结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.SIGNED) | Q(signed_date__isnull=False),
                name="agreement_signed_has_date",
                violation_error_message=_("已签订的协议必须填写签订日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(party_a=F("party_b")),
                name="agreement_parties_differ",
                violation_error_message=_("甲方和乙方不能是同一单位。"),
            ),
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(kind="framework") & ~Q(status=AgreementStatus.TERMINATED),
                name="agreement_one_framework_per_round",
                violation_error_message=_("该年度批次已有有效的框架协议。"),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="project") & ~Q(status=AgreementStatus.TERMINATED),
                name="agreement_one_live_per_project",
                violation_error_message=_("该项目已有有效的项目协议。"),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def clean(self):
        super().clean()
        if self.project_id and self.round_id and self.project.round_id != self.round_id:
            raise ValidationError({"round": _("协议的年度批次应与项目的年度批次一致。")})


class BudgetCategory(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    is_management = models.BooleanField(
        _("计入管理费"), default=False, help_text=_("计入管理费的类别受年度批次管理费上限约束。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("预算类别")
        verbose_name_plural = _("预算类别")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(BudgetCategory, verbose_name=_("预算类别"), on_delete=models.PROTECT)
    description = models.CharField(_("用途说明"), max_length=200, blank=True)
    amount = money_field(_("金额（元）"))

    objects = ScopedByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        ordering = ["project", "category__order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="budgetline_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            )
        ]

    def __str__(self):
        return f"{self.category} {format_yuan(self.amount)}"


class SocialFund(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", _("资金")
        IN_KIND = "in_kind", _("物资（折价）")
        SERVICE = "service", _("服务（折价）")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="social_funds")
    donor = models.ForeignKey(
        Organization,
        verbose_name=_("出资单位"),
        on_delete=models.PROTECT,
        related_name="donations",
        help_text=_("爱心企业、基金会或其他社会组织。"),
    )
    kind = models.CharField(_("形式"), max_length=20, choices=Kind.choices, default=Kind.CASH)
    amount = money_field(_("金额（元）"))
    received_on = models.DateField(_("到位日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("配套社会资金")
        verbose_name_plural = _("配套社会资金")
        permissions = [("export_socialfund", _("导出配套社会资金"))]
        ordering = ["-received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="socialfund_amount_positive",
                violation_error_message=_("金额必须大于零。"),
            ),
            date_window_constraint("received_on", "socialfund_received_on_window"),
        ]

    def __str__(self):
        return f"{self.donor} {format_yuan(self.amount)}"

    def clean(self):
        super().clean()
        if self.project_id and self.received_on:
            problem = programme_date_problem(self.received_on, self.project.round.year, past_only=True)
            if problem:
                raise ValidationError({"received_on": problem})


class InstalmentCondition(models.TextChoices):
    SIGNED = "signed", _("协议签订后")
    MIDTERM_PASSED = "midterm_passed", _("中期评估合格后")
    FINAL_PASSED = "final_passed", _("结项评估合格后")


class RoundInstalmentRule(models.Model):
    """The round's default instalment plan: e.g. 首期 40% on signing, 中期 40%, 尾期 20%."""

    round = models.ForeignKey(
        Round, verbose_name=_("年度批次"), on_delete=models.CASCADE, related_name="instalment_rules"
    )
    order = models.PositiveSmallIntegerField(_("期次"))
    name = models.CharField(_("名称"), max_length=20)
    percent = PercentField(
        _("比例（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    condition = models.CharField(_("拨付条件"), max_length=20, choices=InstalmentCondition.choices)

    class Meta:
        verbose_name = _("拨付计划规则")
        verbose_name_plural = _("拨付计划规则")
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="instalmentrule_round_order_unique"),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100),
                name="instalmentrule_percent_range",
                violation_error_message=_("比例应大于0%%且不超过100%%。"),  # %% : Django formats this message,
            ),
        ]

    def __str__(self):
        return f"{self.name} {format_share(self.percent)}"


class Instalment(models.Model):
    Status = InstalmentStatus

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    name = models.CharField(_("名称"), max_length=20)
    percent = PercentField(_("比例（%）"), max_digits=5, decimal_places=2)
    amount = money_field(_("计划金额（元）"))
    condition = models.CharField(_("拨付条件"), max_length=20, choices=InstalmentCondition.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    released_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=40, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    objects = InstalmentQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("拨付历史"))

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["project", "sequence"]
        permissions = [("export_instalment", _("导出拨付")), ("release_instalment", _("登记拨付"))]
        constraints = [
            models.UniqueConstraint(fields=["project", "sequence"], name="instalment_project_sequence_unique"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="instalment_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(status=InstalmentStatus.PLANNED) | (Q(released_on__isnull=False) & ~Q(voucher_number="")),
                name="instalment_released_has_date_and_voucher",
                violation_error_message=_("已拨付的款项必须有拨付日期和凭证号。"),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.name}"


class FormSubmission(models.Model):
    """A form that was saved, by the one-time token it carried: the same form posted twice saves once.

    A double click, a resubmitted page or two tabs would otherwise record a social fund, an activity
    or a follow-up twice and mislead the money and service figures.
    """

    token = models.CharField(_("提交标识"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("记录类型"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(_("记录"), max_length=40)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表单提交")
        verbose_name_plural = _("表单提交")
        indexes = [models.Index(fields=["at"], name="formsubmission_at")]

    def __str__(self):
        return self.token
