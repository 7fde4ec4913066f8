"""跟踪记录 from a spreadsheet: a unit's dated notes on its own open cases, written through ``follow_up_save``.

A follow-up has no number of its own: a row is one already on record when its case, date and
跟踪记录 text are that record's (the other columns are then compared: unchanged, or changed through
the same service), so re-importing an export changes nothing; any other row is a new follow-up.
Only the unit's own open cases, in projects where it keeps casework now, can be named: any other
case number (another unit's, a closed case's) is answered exactly as one that does not exist
(README "Protection"). 社工 is one of the unit's social workers, by exact name.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects import permissions
from projects.formatting import format_date
from projects.imports.base import CHANGED, NEW, UNCHANGED, Importer, Plan, RowFailed
from projects.imports.common import Keys, Matches, comparable, is_dash, labels_of, row_refusals, written_text
from projects.models import Enrollment, FollowUp, Project, SocialWorker
from projects.models.casework import RiskLevel
from projects.services.casework import follow_up_save
from projects.tabular.headers import Column
from projects.tabular.values import CellError, parse_date, parse_text

COLUMNS = [
    Column("case", "个案编号", ("个案", "个案号", "案号", "案例编号"), required=True),
    Column("date", "日期", ("跟踪日期", "跟进日期", "记录日期", "服务日期", "探访日期"), required=True),
    Column("method", "方式", ("跟踪方式", "跟进方式", "服务方式", "探访方式")),
    Column("social_worker", "社工", ("跟踪社工", "跟进社工", "负责社工", "社工姓名", "记录社工")),
    Column("risk_level", "风险等级", ("风险", "风险评估")),
    Column("needs_change", "需求变化", ("需求变化情况",)),
    Column("circumstances", "情况变化", ("情况变化情况", "近况变化")),
    Column("note", "跟踪记录", ("跟踪内容", "跟进记录", "跟进内容", "记录内容", "服务记录", "内容"), required=True),
]
ATTRIBUTES = {
    "case": "enrollment",
    "date": "date",
    "method": "method",
    "social_worker": "social_worker",
    "risk_level": "risk_level",
    "needs_change": "needs_change",
    "circumstances": "circumstances",
    "note": "note",
}
KEYS = {attribute: key for key, attribute in ATTRIBUTES.items()}
TEXT = ("needs_change", "circumstances")


class FollowUpImporter(Importer):
    key = "followups"
    label = _lazy("跟踪记录")
    model = FollowUp
    permission = "projects.import_followup"
    columns = COLUMNS
    attributes = ATTRIBUTES
    example = {
        "case": "QC-2014-001/001",
        "date": "2014年10月15日",
        "method": "入户探访",
        "social_worker": "张敏",
        "risk_level": "低",
        "needs_change": "情绪较上次稳定，仍需生活照料。",
        "circumstances": "女儿每周回来探望一次。",
        "note": "入户探访，了解近况，协助联系社区助餐点。",
    }

    def may_import(self) -> bool:
        # A unit's own casework: programme staff read follow-ups, they never write them.
        return super().may_import() and permissions.is_implementing_unit(self.user)

    def preload(self, table):
        projects = Project.objects.casework_by(self.user)
        # Every case the user sees, so that an exported list (closed cases included) reads back unchanged;
        # a new or changed follow-up needs an open case of a project the unit keeps casework in.
        visible = Enrollment.objects.visible_to(self.user)
        self.cases = {case.code: case for case in visible.select_related("project__round")}
        self.writable = set(
            visible.filter(project__in=projects, status=Enrollment.Status.OPEN).values_list("pk", flat=True)
        )
        dates = [d for d in (self._date(row) for row in table.rows) if d is not None]
        existing = FollowUp.objects.filter(enrollment__in=visible)
        existing = existing.filter(date__gte=min(dates), date__lte=max(dates)) if dates else existing.none()
        self.matches = Matches(existing.order_by("pk"), lambda f: (f.enrollment_id, f.date, comparable(f.note)))
        self.workers, self.worker_names = {}, {}
        for worker in SocialWorker.objects.filter(employer_id=permissions.organization_id_of(self.user)):
            self.workers.setdefault(worker.name, []).append(worker)
            self.worker_names[worker.pk] = worker.name
        self.methods = labels_of(FollowUp._meta.get_field("method").choices)
        self.risks = labels_of(RiskLevel)
        self.keys = Keys()

    @staticmethod
    def _date(row):
        try:
            return parse_date(row.value("date"))
        except CellError:  # the row reports it; here the date only narrows what is loaded
            return None

    def build(self, row, planned, table):
        code = self.cell(row, table, planned, "case", parse_text, required=True)
        case = self.cases.get(code) if code else None
        if code and case is None:
            self.refuse(planned, table, "case", self.not_writable % {"code": code})
            raise RowFailed  # nothing more is checked against a record the user cannot reach
        values = self.values(row, planned, table)
        if planned.errors:
            raise RowFailed
        note = values.pop("note")
        date = values["date"]
        planned.key = self.keys.unique(f"{case.code} {format_date(date)}")
        existing, repeats = self.matches.match(
            (case.pk, date, comparable(note)), row.number, same=lambda f: not self.differences(f, values, table)
        )
        if repeats:
            self.refuse(planned, table, "note", _("与第 %(row)d 行是同一条跟踪记录。") % {"row": repeats})
            raise RowFailed
        if existing is None:
            record = FollowUp(enrollment=case, note=note, **values)
            planned.action = NEW
        else:
            record = existing
            record.enrollment = case  # the preloaded case, with its project and round, for the checks below
            planned.changes = self.differences(existing, values, table)
            for attribute, value in values.items():
                setattr(record, attribute, value)
            planned.action = CHANGED if planned.changes else UNCHANGED
        if planned.action != UNCHANGED and (
            case.pk not in self.writable or not permissions.can_change_case(self.user, case)
        ):
            self.refuse(planned, table, "case", self.not_writable % {"code": code})
            raise RowFailed
        if planned.action != UNCHANGED:
            # The case and the social worker were resolved from the maps above: no query per row.
            self.validate(planned, table, record, exclude=["enrollment", "social_worker", "recorded_by"])
        planned.record = record

    @property
    def not_writable(self) -> str:
        return _("没有找到您可以记录跟踪的个案 %(code)s（须为本单位签约后、结项前的项目中未结案的个案）。")

    def values(self, row, planned, table) -> dict:
        values = {
            "date": self.cell(row, table, planned, "date", parse_date, required=True),
            "note": self.cell(row, table, planned, "note", written_text, required=True),
        }
        for key, labels in (("method", self.methods), ("risk_level", self.risks)):
            label = parse_text(row.value(key)) if key in table.headers else ""
            if label and label not in labels:
                self.refuse(planned, table, key, _("应为：%(choices)s。") % {"choices": "、".join(labels)})
            elif label:
                values[key] = labels[label]
        for key in TEXT:
            if key in table.headers:
                values[key] = self.cell(row, table, planned, key, written_text)
        if "social_worker" in table.headers:
            name = parse_text(row.value("social_worker"))
            found = self.workers.get(name, []) if name and not is_dash(name) else [None]
            if not found:
                self.refuse(planned, table, "social_worker", _("本单位没有名为“%(name)s”的社工。") % {"name": name})
            elif len(found) > 1:
                self.refuse(
                    planned,
                    table,
                    "social_worker",
                    _("本单位有 %(count)d 名社工都叫“%(name)s”，无法确定是哪一位：请先在社工名册中区分姓名。")
                    % {"count": len(found), "name": name},
                )
            else:
                values["social_worker"] = found[0]
        return values

    def differences(self, follow_up, values, table) -> list[tuple[str, str, str]]:
        """(header, old, new) of each column whose value differs from the follow-up's, as the pages show them."""
        changes = []
        for attribute, new in values.items():
            if attribute == "date":
                continue  # part of what the follow-up is
            if attribute == "social_worker":
                old, new = follow_up.social_worker_id, new.pk if new else None  # by id: no query per row
            else:
                old = getattr(follow_up, attribute)
            same = comparable(old) == comparable(new) if attribute in TEXT else old == new
            if not same:
                shown = [self.shown(attribute, value) for value in (old, new)]
                changes.append((self.header(table, KEYS[attribute]), *shown))
        return changes

    def shown(self, attribute, value) -> str:
        if attribute == "social_worker":
            return self.worker_names.get(value, "—")
        labels = {"method": self.methods, "risk_level": self.risks}.get(attribute)
        if labels:
            return next((label for label, stored in labels.items() if stored == value), value)
        return value or "—"

    def write(self, plan: Plan) -> dict[str, int]:
        written = {NEW: 0, CHANGED: 0}
        for row in plan.rows:
            if row.action in (NEW, CHANGED):
                with row_refusals(row.number):
                    follow_up_save(follow_up=row.record, by=self.user)
                written[row.action] += 1
        return written
