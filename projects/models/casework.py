"""Casework records: the people served and the service given. The most sensitive data in the system.

A ``Beneficiary`` holds only the identity shared across the district (one person, one
record, keyed by the ID number). Everything a unit learns about the person — family,
traits, social factors, needs, risk, consent, follow-ups — lives on that unit's
``Enrollment``, so a second unit serving the same person sees only what it recorded
itself plus the shared identity. Page titles and ``__str__`` carry case numbers, never
names; ID and phone numbers are masked wherever they are shown (``projects.privacy``).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.fields import PhoneNumberField
from projects.formatting import format_date
from projects.models.core import Organization, Project
from projects.querysets import (
    BeneficiaryQuerySet,
    EnrollmentQuerySet,
    FollowUpQuerySet,
    ScopedByProjectQuerySet,
    SocialWorkerQuerySet,
    VolunteerQuerySet,
)
from projects.states import EnrollmentStatus
from projects.validators import (
    EARLIEST_BIRTH_DATE,
    date_window_constraint,
    programme_date_problem,
    validate_birth_date,
    validate_id_number,
    validate_no_personal_numbers,
)

MAX_HOUSEHOLD = 30
EARLIEST_VOLUNTEER_DATE = datetime.date(1980, 1, 1)
MAX_PARTICIPANTS = 10000


class SpecialGroup(models.TextChoices):
    COMMUNITY_CORRECTION = "correction", _("社区矫正人员")
    RELEASED_PRISONER = "released", _("刑满释放人员")
    DRUG_REHABILITATION = "drug", _("社区戒毒康复人员")
    IDLE_YOUTH = "youth", _("闲散青少年")
    MENTAL_ILLNESS = "mental", _("精神障碍患者")
    ELDERLY_ALONE = "elderly", _("独居老人")
    MIGRANT_FAMILY = "migrant", _("外来务工人员家庭")
    DISABILITY = "disability", _("残疾人")
    HARDSHIP = "hardship", _("低保、特困家庭")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("未说明")


class Beneficiary(models.Model):
    """服务对象: the district-wide key of one person, for counting unique people served.

    It holds only the normalised ID number and a code. What a unit learns about the
    person — name, contacts, family, needs — lives on that unit's ``Enrollment``, so
    whatever a unit enters it sees back only what it recorded itself, and the answer to
    an ID number is the same whether or not the person is known elsewhere. Only
    programme staff holding ``view_beneficiary`` see that two cases are one person.
    """

    code = models.CharField(_("服务对象编号"), max_length=12, unique=True, null=True, editable=False)
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        editable=False,
        validators=[validate_id_number],
        help_text=_("18位；15位旧号码自动升级为18位；没有身份证的为空，每个个案单独计一人。"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["code"]
        permissions = [("view_personal_data", _("查看完整身份证号、出生日期和电话（每次查看都会记录）"))]
        constraints = [
            # One person, one record: the ID number identifies them across the district.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="beneficiary_id_number_unique",
                violation_error_message=_("该身份证号已登记为服务对象。"),
            )
        ]

    def __str__(self):
        return self.code or ""  # never personal data: __str__ ends up in page titles and logs


class Enrollment(models.Model):
    """个案: one person served by one project, with who they are and what the project's unit learned.

    The identity (name, gender, birth date, phone, community, special group) is the unit's own
    record of the person: two units serving the same person each keep their own.
    """

    Status = EnrollmentStatus

    class Subsistence(models.TextChoices):
        NONE = "none", _("无")
        DIBAO = "dibao", _("低保")
        TEKUN = "tekun", _("特困")
        LOW_INCOME = "low_income", _("低收入")

    class Income(models.TextChoices):
        NONE = "none", _("无收入")
        BELOW_1000 = "lt1000", _("1000元以下/月")
        BELOW_3000 = "lt3000", _("1000–3000元/月")
        ABOVE_3000 = "ge3000", _("3000元以上/月")

    code = models.CharField(_("个案编号"), max_length=30, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("项目内序号"), editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="enrollments", editable=False
    )
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="enrollments")
    # Who the person is, as this unit recorded it.
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    date_of_birth = models.DateField(_("出生日期"), null=True, blank=True, validators=[validate_birth_date])
    phone = PhoneNumberField(_("联系电话"))
    community = models.ForeignKey(
        Organization,
        verbose_name=_("居住社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"type": "community"},
    )
    special_group = models.CharField(_("特殊人群类别"), max_length=20, choices=SpecialGroup.choices)
    # What the unit learned at intake.
    intake_date = models.DateField(_("接案日期"))
    household_size = models.PositiveSmallIntegerField(
        _("家庭人口"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("家庭人口至少为1人。")),
            MaxValueValidator(MAX_HOUSEHOLD, _("家庭人口不能超过%(limit_value)s人。")),
        ],
    )
    family_situation = models.TextField(
        _("家庭情况"), blank=True, help_text=_("家庭成员、照料、关系等。"), validators=[validate_no_personal_numbers]
    )
    subsistence = models.CharField(_("低保/特困"), max_length=20, choices=Subsistence.choices, default=Subsistence.NONE)
    income_level = models.CharField(_("收入水平"), max_length=20, choices=Income.choices, blank=True)
    personal_traits = models.TextField(_("个人特点"), blank=True, validators=[validate_no_personal_numbers])
    social_factors = models.TextField(_("社会影响因素"), blank=True, validators=[validate_no_personal_numbers])
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    service_plan = models.TextField(_("服务计划"), blank=True, validators=[validate_no_personal_numbers])
    goals = models.TextField(_("服务目标"), blank=True, validators=[validate_no_personal_numbers])
    consent_on = models.DateField(_("同意处理个人信息日期"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同意书登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("个案状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closing_summary = models.TextField(_("结案小结"), blank=True, validators=[validate_no_personal_numbers])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        permissions = [("import_enrollment", _("导入个案")), ("export_enrollment", _("导出个案"))]
        ordering = ["project", "-intake_date", "pk"]
        indexes = [
            models.Index(fields=["project", "status"], name="enrollment_project_status"),
            # The case list's order (newest intake first) and its date range.
            models.Index(fields=["-intake_date", "-id"], name="enrollment_intake"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "project"],
                name="enrollment_once_per_project",
                violation_error_message=_("该服务对象已在本项目建档。"),
            ),
            models.UniqueConstraint(fields=["project", "sequence"], name="enrollment_project_sequence_unique"),
            models.CheckConstraint(
                condition=Q(status=EnrollmentStatus.OPEN) | Q(closed_on__isnull=False),
                name="enrollment_closed_has_date",
                violation_error_message=_("结案须填写结案日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("intake_date")),
                name="enrollment_closed_after_intake",
                violation_error_message=_("结案日期不能早于接案日期。"),
            ),
            models.CheckConstraint(
                condition=Q(consent_on__isnull=True) | Q(consent_on__lte=models.F("intake_date")),
                name="enrollment_consent_before_intake",
                violation_error_message=_("同意日期不能晚于接案日期：须先取得同意再建档。"),
            ),
            models.CheckConstraint(
                condition=Q(household_size__isnull=True) | Q(household_size__gte=1, household_size__lte=MAX_HOUSEHOLD),
                name="enrollment_household_size_range",
                violation_error_message=_("家庭人口超出合理范围。"),
            ),
            date_window_constraint("intake_date", "enrollment_intake_date_window"),
            date_window_constraint("consent_on", "enrollment_consent_on_window"),
            date_window_constraint("closed_on", "enrollment_closed_on_window"),
            date_window_constraint("date_of_birth", "enrollment_birth_date_window", earliest=EARLIEST_BIRTH_DATE),
        ]

    def __str__(self):
        return self.code  # the case number, never the name

    def clean(self):
        super().clean()
        errors = {}
        if self.project_id:
            year = self.project.round.year
            for field in ("intake_date", "consent_on"):
                problem = programme_date_problem(getattr(self, field), year, past_only=True)
                if problem:
                    errors[field] = problem
        if self.consent_on and self.intake_date and self.consent_on > self.intake_date and "consent_on" not in errors:
            errors["consent_on"] = _("同意日期不能晚于接案日期：须先取得同意再建档。")
        if errors:
            raise ValidationError(errors)


class NeedAssessment(models.Model):
    class Need(models.TextChoices):
        MATERIAL = "material", _("物质帮扶")
        EMOTIONAL = "emotional", _("情感关怀")
        PSYCHOLOGICAL = "psychological", _("心理支持")
        LEGAL = "legal", _("法律援助")
        EMPLOYMENT = "employment", _("就业")
        HEALTH = "health", _("医疗康复")
        EDUCATION = "education", _("教育")
        CARE = "care", _("生活照料")
        SOCIAL = "social", _("社会融入")

    class Severity(models.IntegerChoices):
        NONE = 0, _("无")
        MILD = 1, _("轻")
        MODERATE = 2, _("中")
        SEVERE = 3, _("重")

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(_("需求"), max_length=20, choices=Need.choices)
    severity = models.PositiveSmallIntegerField(_("程度"), choices=Severity.choices, default=Severity.MILD)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("需求评估")
        verbose_name_plural = _("需求评估")
        ordering = ["enrollment", "-severity", "need"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "need"],
                name="need_once_per_enrollment",
                violation_error_message=_("同一需求只需评估一次。"),
            ),
            models.CheckConstraint(condition=Q(severity__lte=3), name="need_severity_range"),
        ]

    def __str__(self):
        return f"{self.get_need_display()}：{self.get_severity_display()}"


class SocialWorker(models.Model):
    class Certification(models.TextChoices):
        NONE = "none", _("无")
        ASSISTANT = "assistant", _("助理社会工作师")
        SOCIAL_WORKER = "social_worker", _("社会工作师")
        SENIOR = "senior", _("高级社会工作师")

    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    phone = PhoneNumberField(_("联系电话"))
    employer = models.ForeignKey(
        Organization, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="social_workers"
    )
    certification = models.CharField(
        _("职业资格"), max_length=20, choices=Certification.choices, default=Certification.NONE
    )
    certificate_number = models.CharField(_("证书编号"), max_length=40, blank=True)
    is_supervisor = models.BooleanField(_("督导"), default=False)
    projects = models.ManyToManyField(Project, verbose_name=_("服务项目"), blank=True, related_name="social_workers")
    is_active = models.BooleanField(_("在岗"), default=True)

    objects = SocialWorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("社工")
        verbose_name_plural = _("社工")
        permissions = [("export_socialworker", _("导出社工"))]
        ordering = ["employer", "name"]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    phone = PhoneNumberField(_("联系电话"))
    organization = models.ForeignKey(
        Organization, verbose_name=_("登记单位"), on_delete=models.PROTECT, related_name="volunteers"
    )
    skills = models.CharField(_("特长"), max_length=100, blank=True)
    registered_on = models.DateField(_("登记日期"))
    is_active = models.BooleanField(_("在册"), default=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("义工/志愿者")
        verbose_name_plural = _("义工/志愿者")
        permissions = [("export_volunteer", _("导出义工/志愿者"))]
        ordering = ["organization", "name"]
        constraints = [
            date_window_constraint("registered_on", "volunteer_registered_on_window", earliest=EARLIEST_VOLUNTEER_DATE)
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.registered_on and not EARLIEST_VOLUNTEER_DATE <= self.registered_on <= datetime.date.today():
            raise ValidationError({"registered_on": _("登记日期应在1980年1月1日至今天之间。")})


class FollowUp(models.Model):
    """跟踪记录: a dated note on how the person's needs, risk and circumstances changed."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("日期"))
    social_worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社工"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(
        _("方式"),
        max_length=20,
        choices=[("visit", _("入户探访")), ("interview", _("面谈")), ("phone", _("电话")), ("other", _("其他"))],
        default="visit",
    )
    needs_change = models.TextField(_("需求变化"), blank=True, validators=[validate_no_personal_numbers])
    circumstances = models.TextField(_("情况变化"), blank=True, validators=[validate_no_personal_numbers])
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    note = models.TextField(_("跟踪记录"), validators=[validate_no_personal_numbers])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟踪记录")
        verbose_name_plural = _("跟踪记录")
        permissions = [("import_followup", _("导入跟踪记录")), ("export_followup", _("导出跟踪记录"))]
        ordering = ["enrollment", "-date", "-pk"]
        indexes = [
            models.Index(fields=["enrollment", "-date"], name="followup_enrollment_date"),
            # The follow-up list's order (newest first) and its date range.
            models.Index(fields=["-date", "-id"], name="followup_date"),
        ]
        constraints = [date_window_constraint("date", "followup_date_window")]

    def __str__(self):
        return f"{self.enrollment} {self.date}"

    def clean(self):
        super().clean()
        if self.enrollment_id and self.date:
            enrollment = self.enrollment
            problem = programme_date_problem(self.date, enrollment.project.round.year, past_only=True)
            if problem is None and self.date < enrollment.intake_date:
                problem = _("跟踪日期不能早于接案日期（%(date)s）。") % {"date": format_date(enrollment.intake_date)}
            end = enrollment.project.end_date
            if problem is None and end and self.date > end:
                problem = _("跟踪日期不能晚于项目结束日期（%(date)s）。") % {"date": format_date(end)}
            if problem:
                raise ValidationError({"date": problem})


class Activity(models.Model):
    class Type(models.TextChoices):
        CASEWORK = "casework", _("个案辅导")
        GROUP = "group", _("小组活动")
        COMMUNITY = "community", _("社区活动")
        TRAINING = "training", _("培训")
        PUBLICITY = "publicity", _("宣传")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="activities")
    type = models.CharField(_("活动类型"), max_length=20, choices=Type.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    date = models.DateField(_("日期"))
    venue = models.ForeignKey(
        Organization,
        verbose_name=_("活动地点（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"type__in": ["community", "subdistrict"]},
    )
    participants = models.PositiveIntegerField(
        _("参与人数"),
        default=0,
        validators=[MaxValueValidator(MAX_PARTICIPANTS, _("参与人数不能超过%(limit_value)s人。"))],
    )
    attendees = models.ManyToManyField(Enrollment, verbose_name=_("参加的个案"), blank=True, related_name="activities")
    description = models.TextField(_("活动内容"), blank=True, validators=[validate_no_personal_numbers])
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务活动")
        verbose_name_plural = _("服务活动")
        permissions = [("import_activity", _("导入服务活动")), ("export_activity", _("导出服务活动"))]
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["project", "type"], name="activity_project_type"),
            # The activity list's order (newest first) and its date range.
            models.Index(fields=["-date", "-id"], name="activity_date"),
        ]
        constraints = [
            date_window_constraint("date", "activity_date_window"),
            models.CheckConstraint(condition=Q(participants__lte=MAX_PARTICIPANTS), name="activity_participants_range"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.date} {self.title}"

    def clean(self):
        super().clean()
        if self.project_id and self.date:
            problem = programme_date_problem(self.date, self.project.round.year, past_only=True)
            if problem:
                raise ValidationError({"date": problem})


class ActivityStaff(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="staff")
    social_worker = models.ForeignKey(SocialWorker, verbose_name=_("社工"), on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(
        _("服务时数"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )

    class Meta:
        verbose_name = _("社工服务时数")
        verbose_name_plural = _("社工服务时数")
        constraints = [
            models.UniqueConstraint(fields=["activity", "social_worker"], name="activitystaff_once"),
            models.CheckConstraint(condition=Q(hours__gte=0, hours__lte=24), name="activitystaff_hours_range"),
        ]

    def __str__(self):
        return f"{self.social_worker} {self.hours}"


class ActivityVolunteer(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="volunteers")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("义工"), on_delete=models.PROTECT, related_name="hours")
    hours = models.DecimalField(
        _("服务时数"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )

    class Meta:
        verbose_name = _("义工服务时数")
        verbose_name_plural = _("义工服务时数")
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="activityvolunteer_once"),
            models.CheckConstraint(condition=Q(hours__gte=0, hours__lte=24), name="activityvolunteer_hours_range"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.hours}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="activity-photos/", editable=False)
    content_type = models.CharField(_("图片类型"), max_length=20, editable=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["activity", "pk"]

    def __str__(self):
        return self.caption or f"{self.activity_id}-{self.pk}"


class CaseStory(models.Model):
    """服务案例: an anonymised case study for publicity and the annual report."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="case_stories")
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("对应个案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("用于核对服务对象的同意；案例正文中不得出现真实姓名或身份证号。"),
    )
    title = models.CharField(_("标题"), max_length=100)
    narrative = models.TextField(_("案例叙述"))
    service_method = models.TextField(_("服务方法"), blank=True)
    outcome = models.TextField(_("服务成效"), blank=True)
    consent_on = models.DateField(_("服务对象同意发布日期"))
    photo = models.FileField(_("照片"), upload_to="case-photos/", blank=True, editable=False)
    is_excellent = models.BooleanField(_("优秀案例"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务案例")
        verbose_name_plural = _("服务案例")
        ordering = ["-created_at"]
        permissions = [("export_casestory", _("导出服务案例")), ("mark_excellent_casestory", _("评定优秀案例"))]
        constraints = [date_window_constraint("consent_on", "casestory_consent_on_window")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.project_id and self.consent_on:
            problem = programme_date_problem(self.consent_on, self.project.round.year, past_only=True)
            if problem:
                raise ValidationError({"consent_on": problem})
