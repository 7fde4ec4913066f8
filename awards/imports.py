"""表彰记录 from a spreadsheet: past rounds' award lists, the programme's history, brought in by civil affairs.

Only a round that has ended (已结束) takes records this way: a current round's awards come only from
the committee's confirmed nominations. The rules of a confirmation hold: within the award's quota
per round, nobody the same award twice in a round, a project only of that round. A row is the
record on file with the same round, award and recipient (获奖项目编号, 获奖单位 or 获奖个人, exactly
one): unchanged, or changed through the same service unless it came from a confirmed nomination.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from awards import permissions
from awards.models import AwardRecord, AwardType, Nomination
from awards.services import award_quota_refusal, award_record_import, award_round_refusal
from projects.imports.base import CHANGED, NEW, UNCHANGED, Finding, Importer, Plan, RowFailed, compare
from projects.imports.common import comparable, row_refusals, written_text
from projects.models import Organization, Project, Round
from projects.tabular.headers import Column
from projects.tabular.values import parse_date, parse_int, parse_text

COLUMNS = [
    Column("year", "年度", ("年份", "批次", "年度批次", "表彰年度"), required=True),
    Column("award", "奖项", ("奖项名称", "奖项类型", "表彰项目", "荣誉称号"), required=True),
    Column("rank", "名次", ("排名", "序号")),
    Column("project", "获奖项目编号", ("项目编号", "获奖项目", "项目代码")),
    Column("organization", "获奖单位", ("获奖组织", "获奖机构", "实施单位")),
    Column("person", "获奖个人", ("获奖人", "获奖者", "获奖人姓名")),
    Column("citation", "表彰词", ("颁奖词", "表彰理由", "获奖事迹")),
    Column("awarded_on", "表彰日期", ("颁奖日期", "表彰时间", "日期"), required=True),
    Column("presenter", "颁奖单位/颁奖人", ("颁奖单位", "颁奖人", "颁奖单位或颁奖人")),
]
ATTRIBUTES = {
    "year": "round",
    "award": "award_type",
    "rank": "rank",
    "project": "project",
    "organization": "organization",
    "person": "person_name",
    "citation": "citation",
    "awarded_on": "awarded_on",
    "presenter": "presenter",
}
RECIPIENTS = {
    "project": AwardType.RecipientKind.PROJECT,
    "organization": AwardType.RecipientKind.ORGANIZATION,
    "person": AwardType.RecipientKind.PERSON,
}


def recipient_of(record) -> tuple[str, object]:
    """("project", id), ("organization", id) or ("person_name", name): who an award record is for."""
    if record.project_id:
        return ("project", record.project_id)
    if record.organization_id:
        return ("organization", record.organization_id)
    return ("person_name", record.person_name)


def identity(round_id: int, award_type_id: int, recipient: tuple[str, object]) -> tuple:
    return (round_id, award_type_id, *recipient)


class AwardRecordImporter(Importer):
    key = "awards"
    label = _lazy("表彰记录")
    model = AwardRecord
    permission = "awards.import_awardrecord"
    columns = COLUMNS
    attributes = ATTRIBUTES
    example = {
        "year": "2012",
        "award": "优秀项目",
        "rank": "1",
        "project": "QC-2012-001",
        "citation": "服务扎实、成效显著，获评2012年度七彩工程优秀项目。",
        "awarded_on": "2013年9月16日",
        "presenter": "江城区社会工作委员会",
    }

    def may_import(self) -> bool:
        return permissions.can_import_award_records(self.user)

    def preload(self, table):
        self.rounds = {r.year: r for r in Round.objects.all()}
        self.award_types = {a.name: a for a in AwardType.objects.all()}
        codes = {self.project_code(row.value("project")) for row in table.rows} - {""}
        self.projects = {p.code: p for p in Project.objects.filter(code__in=codes).select_related("round")}
        self.organizations = {}
        for organization in Organization.objects.all():
            self.organizations.setdefault(organization.name, []).append(organization)
        records = list(
            AwardRecord.objects.annotate(confirmed=Exists(Nomination.objects.filter(award_record=OuterRef("pk"))))
        )
        self.records = {identity(r.round_id, r.award_type_id, recipient_of(r)): r for r in records}
        self.given, self.ranks = {}, {}
        for record in records:
            place = (record.round_id, record.award_type_id)
            self.given[place] = self.given.get(place, 0) + 1
            if record.rank is not None:
                self.ranks[(*place, record.rank)] = record.pk
        self.in_file: set[tuple] = set()
        self.ranked_in_file: dict[tuple, int] = {}

    @staticmethod
    def project_code(value) -> str:
        """A project's code, also from ``QC-2012-001 南门社区…`` (how a list shows a project)."""
        text = parse_text(value)
        return text.split()[0] if text else ""

    # -- one row -----------------------------------------------------------------------------

    def build(self, row, planned, table):
        year = self.cell(row, table, planned, "year", parse_int, required=True)
        round_ = self.rounds.get(year) if year is not None else None
        if year is not None and round_ is None:
            self.refuse(planned, table, "year", _("没有 %(year)s 年度的批次。") % {"year": year})
        elif round_ is not None and round_.status != Round.Status.CLOSED:
            self.refuse(planned, table, "year", award_round_refusal(round_))
        name = self.cell(row, table, planned, "award", parse_text, required=True)
        award_type = self.award_types.get(name) if name else None
        if name and award_type is None:
            message = _("没有名为“%(name)s”的奖项（现有：%(names)s）。")
            self.refuse(planned, table, "award", message % {"name": name, "names": "、".join(self.award_types)})
        values = self.values(row, planned, table)
        recipient = self.recipient(row, planned, table, award_type, round_)
        if planned.errors:
            raise RowFailed
        values.update(round=round_, award_type=award_type, **recipient)
        kind, target = next(iter(recipient.items()))
        planned.key = f"{round_.year} {award_type.name} {target.code if kind == 'project' else target}"
        known = identity(round_.pk, award_type.pk, (kind, getattr(target, "pk", target)))
        existing = self.records.get(known)
        repeated = known in self.in_file  # refused as a repeated row by the engine, not counted twice
        self.in_file.add(known)
        if existing is None:
            if not repeated:
                self.check_quota(planned, table, round_, award_type)
            record = AwardRecord(**values)
            planned.action = NEW
        else:
            record = existing
            labels = {ATTRIBUTES[k]: self.header(table, k) for k in ATTRIBUTES if k in table.headers}
            compared = {
                attribute: value
                for attribute, value in values.items()
                if attribute in ("rank", "awarded_on")
                or (
                    attribute in ("citation", "presenter")
                    and comparable(value) != comparable(getattr(existing, attribute))
                )
            }
            planned.changes = compare(existing, compared, labels)
            if planned.changes and existing.confirmed:
                message = _("该表彰记录由社工委确认提名产生，不能通过导入修改。")
                planned.errors.append(Finding(planned.number, planned.changes[0][0], message))
                raise RowFailed
            for attribute, value in values.items():
                setattr(record, attribute, value)
            planned.action = CHANGED if planned.changes else UNCHANGED
        self.check_rank(planned, table, record)
        # Round, award, project and organisation were resolved from the maps above: no query per row.
        self.validate(planned, table, record, exclude=["round", "award_type", "project", "organization"])
        planned.record = record
        if planned.action == NEW and not repeated and not planned.errors:
            place = (round_.pk, award_type.pk)
            self.given[place] = self.given.get(place, 0) + 1

    def values(self, row, planned, table) -> dict:
        values = {"awarded_on": self.cell(row, table, planned, "awarded_on", parse_date, required=True)}
        if "rank" in table.headers:
            values["rank"] = self.cell(row, table, planned, "rank", parse_int)
        for key in ("citation", "presenter"):
            if key in table.headers:
                values[ATTRIBUTES[key]] = self.cell(row, table, planned, key, written_text)
        return values

    def recipient(self, row, planned, table, award_type, round_) -> dict:
        """The one recipient the row names: {"project": …}, {"organization": …} or {"person_name": …}."""
        given = [key for key in RECIPIENTS if key in table.headers and parse_text(row.value(key))]
        if len(given) != 1:
            expected = next(
                (k for k, kind in RECIPIENTS.items() if award_type and kind == award_type.recipient_kind), None
            )
            key = given[1] if given else expected
            self.refuse(planned, table, key, _("获奖项目编号、获奖单位、获奖个人须且只能填写一项。"))
            return {}
        key = given[0]
        if award_type is not None and RECIPIENTS[key] != award_type.recipient_kind:
            expected = next(k for k, kind in RECIPIENTS.items() if kind == award_type.recipient_kind)
            message = _("“%(award)s”表彰的是%(kind)s：请填写“%(header)s”。")
            self.refuse(
                planned,
                table,
                key,
                message
                % {
                    "award": award_type.name,
                    "kind": award_type.get_recipient_kind_display(),
                    "header": self.header(table, expected),
                },
            )
            return {}
        if key == "person":
            return {"person_name": written_text(row.value("person"))}
        if key == "project":
            code = self.project_code(row.value("project"))
            project = self.projects.get(code)
            if project is None:
                self.refuse(planned, table, "project", _("没有项目 %(code)s。") % {"code": code})
                return {}
            if round_ is not None and project.round_id != round_.pk:
                message = _("项目 %(code)s 是 %(its)s 年度的项目，不是 %(year)s 年度的。")
                self.refuse(
                    planned, table, "project", message % {"code": code, "its": project.round.year, "year": round_.year}
                )
                return {}
            return {"project": project}
        name = parse_text(row.value("organization"))
        found = self.organizations.get(name, [])
        if len(found) != 1:
            message = _("没有名为“%(name)s”的单位，或有重名（须与系统中的名称完全一致）。")
            self.refuse(planned, table, "organization", message % {"name": name})
            return {}
        return {"organization": found[0]}

    def check_quota(self, planned, table, round_, award_type) -> None:
        """Within the award's quota per round, counting what is on record and the file's good new rows so far."""
        given = self.given.get((round_.pk, award_type.pk), 0)
        if award_type.quota is not None and given >= award_type.quota:
            self.refuse(planned, table, "award", award_quota_refusal(award_type, round_, given))
            raise RowFailed

    def check_rank(self, planned, table, record) -> None:
        if record.rank is None:
            return
        place = (record.round.pk, record.award_type.pk, record.rank)
        holder = self.ranks.get(place)
        earlier = self.ranked_in_file.setdefault(place, planned.number)
        if holder is not None and holder != record.pk:
            message = _("第 %(rank)d 名在 %(year)s 年度“%(award)s”中已有获奖者。")
            self.refuse(
                planned,
                table,
                "rank",
                message % {"rank": record.rank, "year": record.round.year, "award": record.award_type.name},
            )
        elif earlier != planned.number:
            self.refuse(planned, table, "rank", _("与第 %(row)d 行的名次相同。") % {"row": earlier})

    def write(self, plan: Plan) -> dict[str, int]:
        written = {NEW: 0, CHANGED: 0}
        for row in plan.rows:
            if row.action in (NEW, CHANGED):
                with row_refusals(row.number):
                    award_record_import(record=row.record, by=self.user)
                written[row.action] += 1
        return written
