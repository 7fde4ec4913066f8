"""个案 from a spreadsheet: a unit's list of the people it serves, each opened as a case of its own project.

The rules of the casework hold (README "Protection"): a unit imports only into its own running
projects; a row is checked only against that unit's own records, so the dry run says nothing about
people served elsewhere (a duplicate is reported only within the project); cases are opened through
``enrollment_open``, which links the ID number to the district's person key. A row with a 个案编号
updates that case's own record. Masked values from an export (``320105************``, ``1958年``,
``138****5678``) mean "not given" and change nothing.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects import permissions
from projects.imports.base import CHANGED, NEW, UNCHANGED, Importer, Plan, RowFailed, compare
from projects.imports.common import written_text
from projects.models import Enrollment, Organization, Project
from projects.models.casework import Gender, RiskLevel, SpecialGroup
from projects.services.casework import (
    enrollment_correct_identity,
    enrollment_open,
    enrollment_update,
    identity_from_id_number,
)
from projects.services.errors import WorkflowError
from projects.tabular.headers import Column
from projects.tabular.values import CellError, parse_date, parse_id_number, parse_int, parse_phone

MASKED = re.compile(r"\*{3,}|^\d{4}年$")

COLUMNS = [
    Column("code", "个案编号", ("编号",)),
    Column("project", "项目编号", ("项目",)),
    Column("name", "姓名", ("服务对象姓名", "服务对象"), required=True),
    Column("gender", "性别"),
    Column("date_of_birth", "出生日期", ("出生年月日", "生日")),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证")),
    Column("phone", "联系电话", ("电话", "手机", "手机号")),
    Column("community", "居住社区", ("社区", "所在社区")),
    Column("special_group", "特殊人群类别", ("人群类别", "类别", "特殊人群")),
    Column("intake_date", "接案日期", ("建档日期", "接案时间")),
    Column("consent_on", "同意处理个人信息日期", ("同意日期", "知情同意日期", "同意书日期")),
    Column("household_size", "家庭人口", ("家庭人数",)),
    Column("subsistence", "低保/特困", ("低保", "低保特困")),
    Column("income_level", "收入水平", ("收入",)),
    Column("risk_level", "风险等级", ("风险",)),
    Column("family_situation", "家庭情况"),
    Column("personal_traits", "个人特点"),
    Column("social_factors", "社会影响因素"),
    Column("service_plan", "服务计划"),
    Column("goals", "服务目标"),
    Column("status", "个案状态", ("状态",)),
]
TEXT = ["family_situation", "personal_traits", "social_factors", "service_plan", "goals"]
CHOICES = {
    "gender": Gender,
    "special_group": SpecialGroup,
    "risk_level": RiskLevel,
    "subsistence": Enrollment.Subsistence,
    "income_level": Enrollment.Income,
}
ATTRIBUTES = {
    key: key
    for key in [
        "name",
        "gender",
        "date_of_birth",
        "phone",
        "community",
        "special_group",
        "intake_date",
        "consent_on",
        "household_size",
        *CHOICES,
        *TEXT,
    ]
}
ATTRIBUTES["project"] = "project"


def masked(value) -> bool:
    return isinstance(value, str) and bool(MASKED.search(value))


class CaseImporter(Importer):
    key = "cases"
    label = _lazy("个案")
    model = Enrollment
    permission = "projects.import_enrollment"
    columns = COLUMNS
    attributes = ATTRIBUTES
    example = {
        "project": "QC-2014-001",
        "name": "王秀英",
        "gender": "女",
        "id_number": "32010519580317122X",
        "phone": "13812345678",
        "community": "南门社区",
        "special_group": "独居老人",
        "intake_date": "2014年10月8日",
        "consent_on": "2014年10月8日",
        "risk_level": "中",
        "family_situation": "独居，子女在外地工作。",
    }

    def preload(self, table):
        projects = Project.objects.casework_by(self.user)
        self.projects = {p.code: p for p in projects}
        codes = [written_text(row.value("code")) for row in table.rows if row.value("code")]
        cases = (
            Enrollment.objects.visible_to(self.user)
            .filter(code__in=codes)
            .select_related("project__round", "beneficiary", "community")
        )
        self.cases = {case.code: case for case in cases}
        self.taken = set(
            Enrollment.objects.filter(project__in=list(self.projects.values()))
            .exclude(beneficiary__id_number="")
            .values_list("project_id", "beneficiary__id_number")
        )
        self.communities = {}
        for community in Organization.objects.filter(type=Organization.Type.COMMUNITY):
            for name in {community.name, community.short_name} - {""}:
                self.communities.setdefault(name, []).append(community)
        self.labels = {key: {str(label): value for value, label in enum.choices} for key, enum in CHOICES.items()}

    def build(self, row, planned, table):
        code = written_text(row.value("code")) if "code" in table.headers else ""
        case = None
        if code:
            case = self.cases.get(code)  # only cases the user sees: nothing is learnt of the others
            if case is None:
                self.refuse(planned, table, "code", _("没有找到您可以修改的个案 %(code)s。") % {"code": code})
                raise RowFailed
            planned.key = code
        values, id_number, new_id = self.values(row, planned, table, case)
        if planned.errors:
            raise RowFailed
        if case is None:
            project = values.get("project")
            if id_number and (project.pk, id_number) in self.taken:
                self.refuse(planned, table, "id_number", _("该服务对象已在本项目建档。"))
                raise RowFailed
            record = Enrollment(**values)
            try:
                identity = identity_from_id_number(
                    {"date_of_birth": record.date_of_birth, "gender": record.gender}, id_number
                )
            except WorkflowError as error:
                self.refuse(planned, table, error.field or "id_number", error.message)
                raise RowFailed from None
            record.date_of_birth, record.gender = identity["date_of_birth"], identity.get("gender") or Gender.UNKNOWN
            if record.consent_on is None:
                self.refuse(planned, table, "consent_on", _("须先取得服务对象同意，并填写同意日期。"))
            planned.key = f"{project.code}/{row.number}"
            planned.action = NEW
            planned.extra["id_number"] = id_number
        else:
            record = case
            labels = {ATTRIBUTES[k]: self.header(table, k) for k in ATTRIBUTES if k in table.headers}
            values.pop("project", None)
            planned.changes = compare(case, values, labels)
            for attribute, value in values.items():
                setattr(record, attribute, value)
            if new_id:
                planned.changes.append((self.header(table, "id_number"), _("（原号码）"), _("（新号码）")))
                planned.extra["id_number"] = new_id
            planned.action = CHANGED if planned.changes else UNCHANGED
            # An exported list imports back unchanged, closed cases included; only a change needs the right.
            if planned.changes and not permissions.can_change_case(self.user, case):
                self.refuse(planned, table, "code", _("没有找到您可以修改的个案 %(code)s。") % {"code": code})
                raise RowFailed
        if planned.action != UNCHANGED:
            self.validate(
                planned,
                table,
                record,
                exclude=["project", "beneficiary", "community", "consent_recorded_by", "code", "sequence"],
            )
        planned.record = record

    def values(self, row, planned, table, case):
        values = {}
        if case is None:
            project_code = self.cell(row, table, planned, "project", written_text, required=True)
            project = self.projects.get(project_code) if project_code else None
            if project_code and project is None:
                self.refuse(
                    planned,
                    table,
                    "project",
                    _("项目 %(code)s 不是您可以记录个案的项目（须为本单位签约后、结项前的项目）。")
                    % {"code": project_code},
                )
            values["project"] = project
        for key in ["name", *TEXT]:
            if key in table.headers:
                values[key] = self.cell(row, table, planned, key, written_text)
        for key, labels in self.labels.items():
            if key in table.headers and written_text(row.value(key)):
                label = written_text(row.value(key))
                if label not in labels:
                    self.refuse(planned, table, key, _("应为：%(choices)s。") % {"choices": "、".join(labels)})
                else:
                    values[key] = labels[label]
        for key in ("intake_date", "consent_on"):
            if key in table.headers:
                values[key] = self.cell(row, table, planned, key, parse_date)
        if "date_of_birth" in table.headers and not masked(row.value("date_of_birth")):
            values["date_of_birth"] = self.cell(row, table, planned, "date_of_birth", parse_date)
        if "phone" in table.headers and not masked(row.value("phone")):
            values["phone"] = self.cell(row, table, planned, "phone", parse_phone)
        if "household_size" in table.headers:
            values["household_size"] = self.cell(row, table, planned, "household_size", parse_int)
        if "community" in table.headers:
            name = written_text(row.value("community"))
            found = self.communities.get(name, []) if name else [None]
            if len(found) != 1:
                self.refuse(
                    planned, table, "community", _("没有找到“%(name)s”社区，或有重名，请写全称。") % {"name": name}
                )
            else:
                values["community"] = found[0]
        id_number, new_id = "", ""
        if "id_number" in table.headers and not masked(row.value("id_number")):
            try:
                id_number = parse_id_number(row.value("id_number"))
            except CellError as error:
                self.refuse(planned, table, "id_number", error.message)
            if case is not None and id_number and id_number != case.beneficiary.id_number:
                new_id = id_number
        if case is not None and "date_of_birth" in values and case.beneficiary.id_number and not new_id:
            values.pop("date_of_birth")  # with an ID number the birth date is the number's (README "Protection")
        return values, id_number, new_id

    def write(self, plan: Plan) -> dict[str, int]:
        written = {"new": 0, "changed": 0}
        for row in plan.rows:
            if row.action == NEW:
                enrollment_open(enrollment=row.record, by=self.user, id_number=row.extra.get("id_number", ""))
                written["new"] += 1
            elif row.action == CHANGED:
                enrollment_update(enrollment=row.record, by=self.user)
                if row.extra.get("id_number"):
                    enrollment_correct_identity(enrollment=row.record, by=self.user, id_number=row.extra["id_number"])
                written["changed"] += 1
        return written
