"""Exports of the admin lists and of a round's figures: their columns, each with a Chinese header and a kind.

A resource says which columns an export has and how each is read from a record; the writer
(``projects.tabular.writing``) turns them into XLSX or CSV. Rows are read with ``iterator()``, so an
export of 100,000 records never holds them all. The querysets come from the scoped admin lists
(``QicaiModelAdmin.get_queryset`` and the list's filters), so a unit exports only its own records.

Headers are Chinese msgids, written in the active language. The ``*_HEADERS`` constants are the
columns of the records the importers read back (``projects.imports``): exporting a list and importing
the file unchanged is a round trip.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from projects import permissions, privacy
from projects.figures import Money
from projects.formatting import format_date, person_name
from projects.models import (
    ActivityStaff,
    ActivityVolunteer,
    Round,
    Scorecard,
)
from projects.services import round_ranking
from projects.tabular.writing import ExportColumn, Kind, csv_response, xlsx_response

HOURS = DecimalField(max_digits=8, decimal_places=1)


@dataclass(frozen=True)
class Field:
    """One column: ``header`` is a Chinese msgid; ``source`` an attribute path (``round__year``, callables are
    called), a function of the record, or None for a ``value_<name>`` method of the resource."""

    name: str
    header: str
    kind: Kind = "text"
    source: str | Callable | None = None
    width: int | None = None


DISPLAY = re.compile(r"get_(?P<field>\w+)_display")


def read_path(record, path: str):
    """``round__year`` of a project: the project's round's year; None as soon as a link is empty."""
    value = record
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value):
            value = value()
    return value


class ExportResource:
    """The columns of one export and how each is read from a record.

    Subclasses list ``fields``; a field whose value needs more than an attribute path reads it through a
    ``value_<name>(record)`` method. ``select_related`` / ``prefetch_related`` fetch what the columns
    read, so the query count does not grow with the rows.
    """

    fields: tuple[Field, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # The columns read, when a record is much wider than its export (a case's long texts): the rest is not
    # fetched. Every path the readers touch must be listed, or each row costs a query (the tests count them).
    only: tuple[str, ...] = ()
    chunk_size = 2000

    def __init__(self, *, user=None):
        self.user = user

    @classmethod
    def headers(cls) -> tuple[str, ...]:
        """Every header, in order, as written in Chinese (the msgids)."""
        return tuple(field.header for field in cls.fields)

    def get_fields(self) -> list[Field]:
        """The columns this user may export (a field chooser offers them)."""
        return list(self.fields)

    def kind_of(self, field: Field) -> Kind:
        return field.kind

    def columns(self, fields: Sequence[Field]) -> list[ExportColumn]:
        return [ExportColumn(gettext(field.header), self.kind_of(field), field.width) for field in fields]

    def prepare(self, queryset):
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.only:
            queryset = queryset.only(*self.only)
        return queryset

    def before_export(self, queryset, fields: Sequence[Field]) -> None:
        """Runs once, before any row is read (an unmasked export writes its audit row here)."""

    def reader(self, field: Field, model) -> Callable:
        """How ``field`` is read from a record of ``model``."""
        method = getattr(self, f"value_{field.name}", None)
        if method is not None:
            return method
        if callable(field.source):
            return field.source
        path = field.source or field.name
        *links, last = path.split("__")
        display = DISPLAY.fullmatch(last)
        if display is None:
            return lambda record: read_path(record, path)
        # get_<field>_display rebuilds its choices' dict on every call: read the labels once per export.
        target = model
        for link in links:
            target = target._meta.get_field(link).related_model
        labels = {value: str(label) for value, label in target._meta.get_field(display["field"]).flatchoices}
        stored = "__".join([*links, display["field"]])

        def label(record):
            value = read_path(record, stored)
            return labels.get(value, value)

        return label

    def rows(self, queryset, fields: Sequence[Field]) -> Iterator[list]:
        """The rows, read from the database as they are consumed (in chunks: memory stays flat). The readers,
        choice labels included, are made now, in the request's language."""
        readers = [self.reader(field, queryset.model) for field in fields]
        records = self.prepare(queryset).iterator(chunk_size=self.chunk_size)
        return ([read(record) for read in readers] for record in records)


def list_file_name(listed: str, year: int | None = None) -> str:
    """A list's download name (and sheet name): ``2013年度七彩工程项目清单`` for one round's, else
    ``七彩工程项目清单_2026年11月27日``."""
    if year is not None:
        return gettext("%(year)s年度七彩工程%(list)s清单") % {"year": year, "list": listed}
    return gettext("七彩工程%(list)s清单_%(date)s") % {"list": listed, "date": format_date(timezone.localdate())}


def export_response(*, resource: ExportResource, queryset, fields: Sequence[Field], file_format: str, name: str):
    """The download of ``queryset`` as ``file_format`` ("xlsx" or "csv"), named ``name`` (its sheet too)."""
    columns = resource.columns(fields)
    resource.before_export(queryset, fields)
    rows = resource.rows(queryset, fields)
    if file_format == "csv":
        response = csv_response(filename=f"{name}.csv", columns=columns, rows=rows)
        # Streamed, so counted before the first row leaves: the access log records who took how many rows.
        response.row_count = queryset.count()
        return response
    return xlsx_response(filename=f"{name}.xlsx", sheet=name, columns=columns, rows=rows)


def yes_no(path: str) -> Callable:
    return lambda record: bool(read_path(record, path))


def unit_name(path: str) -> Callable:
    """An organisation by its full name: what the importers match on (short names are not unique)."""
    return lambda record: read_path(record, f"{path}__name")


def user_name(path: str) -> Callable:
    """A user by name, as the admin shows people; an empty cell for nobody."""

    def read(record):
        user = read_path(record, path)
        return person_name(user) if user is not None else None

    return read


# -- the directory and the money ----------------------------------------------------------------


class OrganizationResource(ExportResource):
    fields = (
        Field("credit_code", gettext_noop("统一社会信用代码"), width=20),
        Field("name", gettext_noop("组织名称"), width=30),
        Field("type", gettext_noop("组织类型"), source="get_type_display", width=16),
        Field("parent", gettext_noop("上级单位"), source=unit_name("parent"), width=24),
        Field("contact_person", gettext_noop("联系人")),
        Field("phone", gettext_noop("联系电话"), width=14),
        Field("address", gettext_noop("地址"), width=30),
    )
    select_related = ("parent",)


ORGANIZATION_HEADERS = OrganizationResource.headers()


class RoundResource(ExportResource):
    """Rounds with their money position (``projects.figures``): the round list's queryset is annotated
    (``with_money``); one round's page exports the same row."""

    fields = (
        Field("year", gettext_noop("年度"), "integer", width=8),
        Field("title", gettext_noop("名称"), width=24),
        Field("status", gettext_noop("状态"), source="get_status_display"),
        Field("money_budget", gettext_noop("区级财政预算（元）"), "amount"),
        Field("money_approved", gettext_noop("已审定（元）"), "amount"),
        Field("money_terminated_paid", gettext_noop("已终止项目已拨付（元）"), "amount"),
        Field("money_government", gettext_noop("政府资金（元）"), "amount"),
        Field("money_remaining", gettext_noop("剩余预算（元）"), "amount"),
        Field("money_contracted", gettext_noop("已签约（元）"), "amount"),
        Field("money_disbursed", gettext_noop("已拨付（元）"), "amount"),
        Field("money_outstanding", gettext_noop("待拨付（元）"), "amount"),
        Field("money_social", gettext_noop("配套社会资金（元）"), "amount"),
        Field("money_leverage", gettext_noop("撬动比（社会资金÷政府资金）"), "percent"),
    )

    def prepare(self, queryset):
        return queryset if "approved_total" in queryset.query.annotations else queryset.with_money()

    def reader(self, field: Field, model) -> Callable:
        if not field.name.startswith("money_"):
            return super().reader(field, model)
        figure = field.name.removeprefix("money_")  # a Money property: approved, remaining, leverage …
        return lambda round_: getattr(Money.of(round_, budget=round_.budget), figure)


class ProjectResource(ExportResource):
    fields = (
        Field("code", gettext_noop("项目编号"), width=14),
        Field("title", gettext_noop("项目名称"), width=30),
        Field("round", gettext_noop("年度"), "integer", "round__year", width=8),
        Field("unit", gettext_noop("实施单位"), source=unit_name("implementing_unit"), width=24),
        Field("category", gettext_noop("服务类别"), source="category__name"),
        Field("service_model", gettext_noop("运作模式"), source="get_service_model_display"),
        Field("target_group", gettext_noop("服务对象群体"), width=16),
        Field("subdistrict", gettext_noop("所在街道"), source="subdistrict__name"),
        Field("community", gettext_noop("所在社区"), source="community__name"),
        Field("start_date", gettext_noop("开始日期"), "date"),
        Field("end_date", gettext_noop("结束日期"), "date"),
        Field("requested_amount", gettext_noop("申请金额（元）"), "amount"),
        Field("approved_amount", gettext_noop("审定金额（元）"), "amount"),
        Field("target_beneficiaries", gettext_noop("目标服务人数"), "integer"),
        Field("status", gettext_noop("状态"), source="get_status_display"),
    )
    select_related = ("round", "implementing_unit", "category", "subdistrict", "community")


PROJECT_HEADERS = ProjectResource.headers()


class AgreementResource(ExportResource):
    fields = (
        Field("number", gettext_noop("协议编号"), width=18),
        Field("kind", gettext_noop("协议类型"), source="get_kind_display"),
        Field("round", gettext_noop("年度"), "integer", "round__year", width=8),
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("party_a", gettext_noop("甲方"), source=unit_name("party_a"), width=24),
        Field("party_b", gettext_noop("乙方"), source=unit_name("party_b"), width=24),
        Field("amount", gettext_noop("协议金额（元）"), "amount"),
        Field("signed_date", gettext_noop("签订日期"), "date"),
        Field("term_start", gettext_noop("期限开始"), "date"),
        Field("term_end", gettext_noop("期限结束"), "date"),
        Field("status", gettext_noop("状态"), source="get_status_display"),
    )
    select_related = ("round", "project", "party_a", "party_b")


class SocialFundResource(ExportResource):
    fields = (
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("project_title", gettext_noop("项目名称"), source="project__title", width=30),
        Field("donor", gettext_noop("出资单位"), source=unit_name("donor"), width=24),
        Field("kind", gettext_noop("形式"), source="get_kind_display"),
        Field("amount", gettext_noop("金额（元）"), "amount"),
        Field("received_on", gettext_noop("到位日期"), "date"),
        Field("note", gettext_noop("备注"), width=24),
    )
    select_related = ("project", "donor")


class InstalmentResource(ExportResource):
    fields = (
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("project_title", gettext_noop("项目名称"), source="project__title", width=30),
        Field("sequence", gettext_noop("期次"), "integer", width=6),
        Field("name", gettext_noop("名称")),
        Field("percent", gettext_noop("比例"), "percent", source=lambda i: i.percent / 100),
        Field("amount", gettext_noop("计划金额（元）"), "amount"),
        Field("condition", gettext_noop("拨付条件"), source="get_condition_display", width=16),
        Field("status", gettext_noop("状态"), source="get_status_display"),
        Field("released_on", gettext_noop("拨付日期"), "date"),
        Field("voucher_number", gettext_noop("凭证号"), width=16),
        Field(
            "released_by", gettext_noop("经办人"), source=lambda i: person_name(i.released_by) if i.released_by else ""
        ),
    )
    select_related = ("project", "released_by")


# -- people served: masked unless the unit may export its own in full (logged) ------------------------


class PersonalDataResource(ExportResource):
    """Records holding people's numbers: ID number, birth date and phone are masked by ``projects.privacy``
    unless the exporting user may export its own records in full (``can_export_unmasked``), and such an
    export of any of them leaves a row in the audit trail before the first row is read."""

    personal_fields: dict[str, str] = {}  # field name → the privacy module's field

    def __init__(self, *, user=None):
        super().__init__(user=user)
        self.unmasked = user is not None and permissions.can_export_unmasked(user)

    def kind_of(self, field: Field) -> Kind:
        return "text" if field.name in self.personal_fields and not self.unmasked else field.kind

    def reader(self, field: Field, model) -> Callable:
        private = self.personal_fields.get(field.name)
        if private is None:
            return super().reader(field, model)
        if self.unmasked:
            if private == "id_number":
                return lambda record: record.beneficiary.id_number
            return lambda record: getattr(record, private) or None

        def masked(record):
            shown = privacy.masked(record, private)
            return None if shown == "—" else shown

        return masked

    def before_export(self, queryset, fields: Sequence[Field]) -> None:
        if self.unmasked and any(field.name in self.personal_fields for field in fields):
            model = queryset.model
            privacy.log_unmasked_export(user=self.user, records=queryset.count(), label=str(model._meta.verbose_name))


class EnrollmentResource(PersonalDataResource):
    """Cases (个案) with the unit's record of the person."""

    fields = (
        Field("code", gettext_noop("个案编号"), width=18),
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("name", gettext_noop("姓名")),
        Field("gender", gettext_noop("性别"), source="get_gender_display", width=6),
        Field("date_of_birth", gettext_noop("出生日期"), "date"),
        Field("id_number", gettext_noop("身份证号"), width=20),
        Field("phone", gettext_noop("联系电话"), width=14),
        Field("community", gettext_noop("居住社区"), source="community__name"),
        Field("special_group", gettext_noop("特殊人群类别"), source="get_special_group_display"),
        Field("intake_date", gettext_noop("接案日期"), "date"),
        Field("risk_level", gettext_noop("风险等级"), source="get_risk_level_display"),
        Field("status", gettext_noop("个案状态"), source="get_status_display"),
    )
    personal_fields = {"date_of_birth": "date_of_birth", "id_number": "id_number", "phone": "phone"}
    select_related = ("project", "beneficiary", "community")
    only = (
        *("code", "name", "gender", "date_of_birth", "phone", "special_group", "intake_date", "risk_level", "status"),
        *("project__code", "beneficiary__id_number", "community__name"),
    )


ENROLLMENT_HEADERS = EnrollmentResource.headers()


class FollowUpResource(ExportResource):
    fields = (
        Field("case", gettext_noop("个案编号"), source="enrollment__code", width=18),
        Field("date", gettext_noop("日期"), "date"),
        Field("method", gettext_noop("方式"), source="get_method_display"),
        Field("social_worker", gettext_noop("社工"), source="social_worker__name"),
        Field("risk_level", gettext_noop("风险等级"), source="get_risk_level_display"),
        Field("needs_change", gettext_noop("需求变化"), width=30),
        Field("circumstances", gettext_noop("情况变化"), width=30),
        Field("note", gettext_noop("跟踪记录"), width=40),
    )
    select_related = ("enrollment", "social_worker")


FOLLOW_UP_HEADERS = FollowUpResource.headers()


def hours_of(model) -> Subquery:
    """The hours logged on an activity by ``model`` (social workers' or volunteers' rows), per activity."""
    rows = model.objects.filter(activity=OuterRef("pk")).order_by().values("activity")
    return Subquery(rows.annotate(total=Sum("hours")).values("total"), output_field=HOURS)


class ActivityResource(ExportResource):
    fields = (
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("type", gettext_noop("活动类型"), source="get_type_display"),
        Field("title", gettext_noop("活动名称"), width=24),
        Field("date", gettext_noop("日期"), "date"),
        Field("venue", gettext_noop("活动地点"), source="venue__name", width=16),
        Field("participants", gettext_noop("参与人数"), "integer"),
        Field("description", gettext_noop("活动内容"), width=40),
        Field("staff_hours", gettext_noop("社工服务时数"), "decimal", source="export_staff_hours"),
        Field("volunteer_hours", gettext_noop("义工服务时数"), "decimal", source="export_volunteer_hours"),
    )
    select_related = ("project", "venue")

    def prepare(self, queryset):
        # Correlated subqueries: per exported row, no JOIN + GROUP BY over the hours tables.
        return (
            super()
            .prepare(queryset)
            .annotate(export_staff_hours=hours_of(ActivityStaff), export_volunteer_hours=hours_of(ActivityVolunteer))
        )


ACTIVITY_HEADERS = ActivityResource.headers()


class SocialWorkerResource(PersonalDataResource):
    fields = (
        Field("name", gettext_noop("姓名")),
        Field("gender", gettext_noop("性别"), source="get_gender_display", width=6),
        Field("employer", gettext_noop("所在单位"), source=unit_name("employer"), width=24),
        Field("certification", gettext_noop("持证情况"), source="get_certification_display", width=16),
        Field("certificate_number", gettext_noop("证书编号"), width=16),
        Field("is_supervisor", gettext_noop("督导"), source=yes_no("is_supervisor"), width=6),
        Field("phone", gettext_noop("联系电话"), width=14),
        Field("is_active", gettext_noop("在岗"), source=yes_no("is_active"), width=6),
    )
    personal_fields = {"phone": "phone"}
    select_related = ("employer",)


class VolunteerResource(PersonalDataResource):
    fields = (
        Field("name", gettext_noop("姓名")),
        Field("gender", gettext_noop("性别"), source="get_gender_display", width=6),
        Field("organization", gettext_noop("登记单位"), source=unit_name("organization"), width=24),
        Field("skills", gettext_noop("特长"), width=16),
        Field("registered_on", gettext_noop("登记日期"), "date"),
        Field("hours", gettext_noop("累计服务时数"), "decimal", source="export_hours"),
        Field("phone", gettext_noop("联系电话"), width=14),
        Field("is_active", gettext_noop("在册"), source=yes_no("is_active"), width=6),
    )
    personal_fields = {"phone": "phone"}
    select_related = ("organization",)

    def prepare(self, queryset):
        rows = ActivityVolunteer.objects.filter(volunteer=OuterRef("pk")).order_by().values("volunteer")
        hours = Subquery(rows.annotate(total=Sum("hours")).values("total"), output_field=HOURS)
        return super().prepare(queryset).annotate(export_hours=hours)


class CaseStoryResource(ExportResource):
    fields = (
        Field("title", gettext_noop("标题"), width=24),
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("project_title", gettext_noop("项目名称"), source="project__title", width=30),
        Field("consent_on", gettext_noop("服务对象同意发布日期"), "date"),
        Field("is_excellent", gettext_noop("优秀案例"), source=yes_no("is_excellent"), width=8),
        Field("narrative", gettext_noop("案例叙述"), width=40),
        Field("service_method", gettext_noop("服务方法"), width=30),
        Field("outcome", gettext_noop("服务成效"), width=30),
        Field("created_at", gettext_noop("创建时间"), "datetime"),
    )
    select_related = ("project",)


# -- evaluations and the audit trail -------------------------------------------------------------


class EvaluationResource(ExportResource):
    fields = (
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("project_title", gettext_noop("项目名称"), source="project__title", width=30),
        Field("round", gettext_noop("年度"), "integer", "project__round__year", width=8),
        Field("kind", gettext_noop("评估类型"), source="get_kind_display"),
        Field("template", gettext_noop("评分模板"), source=lambda e: str(e.template), width=20),
        Field("due_date", gettext_noop("截止日期"), "date"),
        Field("status", gettext_noop("状态"), source="get_status_display"),
        Field("score", gettext_noop("得分"), "decimal"),
        Field("grade", gettext_noop("等级"), source="get_grade_display"),
        Field("evaluators", gettext_noop("评估专家"), width=20),
        Field("finalised_at", gettext_noop("定级时间"), "datetime"),
    )
    select_related = ("project", "project__round", "template")
    prefetch_related = ("evaluators",)

    def get_fields(self) -> list[Field]:
        # Units do not learn who evaluates them (as on the list).
        if self.user is not None and not permissions.can_see_evaluators(self.user):
            return [field for field in self.fields if field.name != "evaluators"]
        return list(self.fields)

    def value_evaluators(self, evaluation) -> str:
        return "、".join(person_name(user) for user in evaluation.evaluators.all())


class ScorecardResource(ExportResource):
    """The scorecards of the evaluations a list shows, in the columns the scores import reads: one column
    per criterion of the rubrics in use (``ScorecardImporter.file_columns``), a card's own rubric filled."""

    fields = (
        Field("project", gettext_noop("项目编号"), source="evaluation__project__code", width=14),
        Field("kind", gettext_noop("评估类型"), source="evaluation__get_kind_display"),
        Field("evaluator", gettext_noop("评估专家"), source=user_name("evaluator")),
        Field("overall_comment", gettext_noop("总体意见"), width=30),
        Field(
            "submit",
            gettext_noop("提交"),
            source=lambda card: gettext("是") if card.status == Scorecard.Status.SUBMITTED else gettext("否"),
        ),
        Field("total", gettext_noop("总分"), "decimal"),
    )
    select_related = ("evaluation__project", "evaluator")
    prefetch_related = ("items__criterion",)

    def __init__(self, *, user=None):
        super().__init__(user=user)
        from projects.imports.scores import ScorecardImporter  # the file's shape has one home: the importer

        criteria = [c for c in ScorecardImporter(user).file_columns() if c.key.startswith("criterion:")]
        self.fields = (
            *type(self).fields,
            *(Field(column.key, column.label, "decimal", source=self.score_of(column.label)) for column in criteria),
        )

    @staticmethod
    def score_of(name: str) -> Callable:
        def read(card):
            return next((item.score for item in card.items.all() if item.criterion.name == name), None)

        return read

    def columns(self, fields: Sequence[Field]) -> list[ExportColumn]:
        # Criterion names are the rubric's own words, not msgids.
        return [
            ExportColumn(
                field.header if field.name.startswith("criterion:") else gettext(field.header),
                self.kind_of(field),
                field.width,
            )
            for field in fields
        ]


class AuditEntryResource(ExportResource):
    fields = (
        Field("at", gettext_noop("时间"), "datetime"),
        Field("action", gettext_noop("操作"), source="get_action_display", width=16),
        Field("actor", gettext_noop("操作人"), source=user_name("actor")),
        Field("record", gettext_noop("记录"), width=24),
        Field("project", gettext_noop("项目编号"), source="project__code", width=14),
        Field("summary", gettext_noop("详情"), width=40),
    )
    select_related = ("actor", "project", "content_type")

    def value_record(self, entry) -> str:
        if entry.content_type_id and entry.content_type.model != "project":
            return f"{entry.content_type.name}：{entry.object_repr}"
        return "" if entry.content_type_id else entry.object_repr

    def value_summary(self, entry) -> str:
        from projects.audit import entry_summary  # the one-line summary the pages show

        return entry_summary(entry)


# -- a round's figures: money position and ranking -----------------------------------------------


def round_money_response(round_: Round):
    """A round's money position as one XLSX row, the round list's columns (one query)."""
    resource = RoundResource()
    name = gettext("%(year)s年度七彩工程资金状况") % {"year": round_.year}
    return export_response(
        resource=resource,
        queryset=Round.objects.filter(pk=round_.pk),
        fields=resource.get_fields(),
        file_format="xlsx",
        name=name,
    )


RANKING_COLUMNS = (
    ExportColumn(gettext_noop("名次"), "integer", 6),
    ExportColumn(gettext_noop("项目编号"), "text", 14),
    ExportColumn(gettext_noop("项目名称"), "text", 30),
    ExportColumn(gettext_noop("实施单位"), "text", 24),
    ExportColumn(gettext_noop("服务类别"), "text", 12),
    ExportColumn(gettext_noop("得分"), "decimal", 8),
    ExportColumn(gettext_noop("等级"), "text", 8),
)


def ranking_response(round_: Round):
    """The round's final-evaluation ranking with grades (``round_ranking``), as the ranking page lists it."""
    evaluations, _distribution = round_ranking(round_)
    name = gettext("%(year)s年度七彩工程结项评估排名") % {"year": round_.year}
    rows = (
        [
            position,
            e.project.code,
            e.project.title,
            e.project.implementing_unit.name,
            e.project.category.name,
            e.score,
            e.get_grade_display(),
        ]
        for position, e in enumerate(evaluations, 1)
    )
    columns = [ExportColumn(gettext(c.header), c.kind, c.width) for c in RANKING_COLUMNS]
    return xlsx_response(filename=f"{name}.xlsx", sheet=name, columns=columns, rows=rows)
