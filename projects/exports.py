"""Exports of the admin lists (django-import-export). Their querysets come from the scoped admin."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from projects import permissions, privacy
from projects.formatting import format_cny, format_date
from projects.models import Agreement, Enrollment, Project

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SafeResource(resources.ModelResource):
    """Neutralises every text cell a spreadsheet would run as a formula (import-export only handles '=')."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            return "'" + value
        return value


class AmountWidget(widgets.Widget):
    """An amount: a number in a spreadsheet file (so that it sums), ``20,000.00`` in a text file (CSV)."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else format_cny(value)


class DayWidget(widgets.Widget):
    """A date: a date cell in a spreadsheet file, ``2013年9月1日`` in a text file (CSV)."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else format_date(value)


def column(attribute, label, **kwargs):
    return fields.Field(attribute=attribute, column_name=label, readonly=True, **kwargs)


def amount_column(attribute, label):
    return column(attribute, label, widget=AmountWidget())


def date_column(attribute, label):
    return column(attribute, label, widget=DayWidget())


class ProjectResource(SafeResource):
    code = column("code", _("项目编号"))
    title = column("title", _("项目名称"))
    round = column("round__year", _("年度"))
    unit = column("implementing_unit__name", _("实施单位"))
    category = column("category__name", _("服务类别"))
    service_model = column("get_service_model_display", _("运作模式"))
    target_group = column("target_group", _("服务对象群体"))
    subdistrict = column("subdistrict__name", _("所在街道"))
    community = column("community__name", _("所在社区"))
    start_date = date_column("start_date", _("开始日期"))
    end_date = date_column("end_date", _("结束日期"))
    requested_amount = amount_column("requested_amount", _("申请金额（元）"))
    approved_amount = amount_column("approved_amount", _("审定金额（元）"))
    target_beneficiaries = column("target_beneficiaries", _("目标服务人数"))
    status = column("get_status_display", _("状态"))

    class Meta:
        model = Project
        fields = (
            "code",
            "title",
            "round",
            "unit",
            "category",
            "service_model",
            "target_group",
            "subdistrict",
            "community",
            "start_date",
            "end_date",
            "requested_amount",
            "approved_amount",
            "target_beneficiaries",
            "status",
        )
        export_order = fields


class AgreementResource(SafeResource):
    number = column("number", _("协议编号"))
    kind = column("get_kind_display", _("协议类型"))
    round = column("round__year", _("年度"))
    project = column("project__code", _("项目编号"))
    party_a = column("party_a__name", _("甲方"))
    party_b = column("party_b__name", _("乙方"))
    amount = amount_column("amount", _("协议金额（元）"))
    signed_date = date_column("signed_date", _("签订日期"))
    term_start = date_column("term_start", _("期限开始"))
    term_end = date_column("term_end", _("期限结束"))
    status = column("get_status_display", _("状态"))

    class Meta:
        model = Agreement
        fields = (
            "number",
            "kind",
            "round",
            "project",
            "party_a",
            "party_b",
            "amount",
            "signed_date",
            "term_start",
            "term_end",
            "status",
        )
        export_order = fields


class EnrollmentResource(SafeResource):
    """Cases (个案) with the unit's record of the person: ID number, birth date and phone masked by the
    rule of ``projects.privacy``, unless the exporting unit may reveal its own records — which is logged."""

    code = column("code", _("个案编号"))
    project = column("project__code", _("项目编号"))
    name = column("name", _("姓名"))
    gender = column("get_gender_display", _("性别"))
    date_of_birth = fields.Field(column_name=_("出生日期"), readonly=True)
    id_number = fields.Field(column_name=_("身份证号"), readonly=True)
    phone = fields.Field(column_name=_("联系电话"), readonly=True)
    community = column("community__name", _("居住社区"))
    special_group = column("get_special_group_display", _("特殊人群类别"))
    intake_date = date_column("intake_date", _("接案日期"))
    risk_level = column("get_risk_level_display", _("风险等级"))
    status = column("get_status_display", _("个案状态"))

    class Meta:
        model = Enrollment
        fields = (
            "code",
            "project",
            "name",
            "gender",
            "date_of_birth",
            "id_number",
            "phone",
            "community",
            "special_group",
            "intake_date",
            "risk_level",
            "status",
        )
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.unmasked = permissions.can_export_unmasked(user) if user is not None else False

    def _value(self, enrollment, field):
        return privacy.full_value(enrollment, field) if self.unmasked else privacy.masked(enrollment, field)

    def dehydrate_date_of_birth(self, enrollment):
        return self._value(enrollment, "date_of_birth")

    def dehydrate_id_number(self, enrollment):
        return self._value(enrollment, "id_number")

    def dehydrate_phone(self, enrollment):
        return self._value(enrollment, "phone")

    def after_export(self, queryset, dataset, **kwargs):
        if self.unmasked:
            privacy.log_unmasked_export(user=self.user, records=len(dataset), label=str(Enrollment._meta.verbose_name))
        return super().after_export(queryset, dataset, **kwargs)
