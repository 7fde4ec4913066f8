"""服务活动 from a spreadsheet: a unit's activities in its own running projects, with each person's hours.

An activity has no number of its own: a row is the activity on record with the same project, date
and 活动名称 (compared, hours included: unchanged or changed), any other row is a new one. Written
through ``activity_record``, the hours through ``casework_row_save`` (one row per person, 0–24 hours).

社工 / 义工 name the unit's social workers and volunteers (separated by 、，, or spaces); 社工服务时数 /
义工服务时数 are the hours each of them served: one figure for all, or one per name in the same order.
Without names the hours column is what an export writes, the activity's total: it is compared with
the total on record and a difference is a warning, never an error (hours are only ever imported
with the people who served them), so an export imports back with no change.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects import permissions
from projects.formatting import format_date
from projects.imports.base import CHANGED, NEW, UNCHANGED, Finding, Importer, Plan, RowFailed
from projects.imports.common import (
    SEPARATORS,
    Keys,
    Matches,
    comparable,
    is_dash,
    labels_of,
    row_refusals,
    split_names,
    written_text,
)
from projects.models import Activity, ActivityStaff, ActivityVolunteer, Organization, Project, SocialWorker, Volunteer
from projects.services.casework import activity_record, casework_row_delete, casework_row_save
from projects.tabular.headers import Column
from projects.tabular.values import CellError, parse_date, parse_decimal, parse_int, parse_text

MAX_HOURS = Decimal(24)

COLUMNS = [
    Column("project", "项目编号", ("项目代码", "项目"), required=True),
    Column("type", "活动类型", ("类型", "活动类别", "活动形式")),
    Column("title", "活动名称", ("活动主题", "活动标题", "名称"), required=True),
    Column("date", "日期", ("活动日期", "活动时间", "开展日期", "时间"), required=True),
    Column("venue", "活动地点", ("地点", "活动社区", "活动地点（社区）")),
    Column("participants", "参与人数", ("参加人数", "人数", "参与人次", "服务人次")),
    Column("description", "活动内容", ("内容", "活动简介", "活动描述", "活动情况")),
    Column("staff", "社工", ("参与社工", "服务社工", "社工姓名")),
    Column("staff_hours", "社工服务时数", ("社工时数", "社工服务时长", "社工服务时数（小时）", "社工服务小时数")),
    Column("volunteers", "义工", ("志愿者", "参与义工", "义工姓名", "志愿者姓名")),
    Column(
        "volunteer_hours",
        "义工服务时数",
        ("义工时数", "义工服务时长", "义工服务时数（小时）", "志愿者服务时数", "志愿服务时数", "志愿服务时长"),
    ),
]
ATTRIBUTES = {
    "project": "project",
    "type": "type",
    "title": "title",
    "date": "date",
    "venue": "venue",
    "participants": "participants",
    "description": "description",
}
KEYS = {attribute: key for key, attribute in ATTRIBUTES.items()}


class People:
    """One kind of people who serve at activities: the unit's social workers, or its volunteers."""

    def __init__(self, *, names: str, hours: str, model, field: str, related: str, noun: str, people):
        self.names, self.hours = names, hours  # the columns
        self.model, self.field, self.related = model, field, related  # the hours rows
        self.noun = noun
        self.by_name, self.name_of = {}, {}
        for person in people:
            self.by_name.setdefault(person.name, []).append(person)
            self.name_of[person.pk] = person.name

    def on_record(self, activity) -> dict[int, Decimal]:
        return {getattr(row, f"{self.field}_id"): row.hours for row in getattr(activity, self.related).all()}

    def shown(self, hours: dict[int, Decimal]) -> str:
        if not hours:
            return "—"
        return "、".join(f"{self.name_of.get(pk, '?')} {hour.normalize():f}" for pk, hour in hours.items())


def total_shown(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


class ActivityImporter(Importer):
    key = "activities"
    label = _lazy("服务活动")
    model = Activity
    permission = "projects.import_activity"
    columns = COLUMNS
    attributes = ATTRIBUTES
    example = {
        "project": "QC-2014-001",
        "type": "小组活动",
        "title": "银龄健康讲座",
        "date": "2014年10月18日",
        "venue": "南门社区",
        "participants": "25",
        "description": "邀请社区医生讲解慢性病用药与居家安全。",
        "staff": "张敏、李强",
        "staff_hours": "2.5",
        "volunteers": "王芳",
        "volunteer_hours": "3",
    }

    def may_import(self) -> bool:
        # A unit's own casework: programme staff read activities, they never record them.
        return super().may_import() and permissions.is_implementing_unit(self.user)

    def preload(self, table):
        # Every project the user sees, so that an exported list (past projects included) reads back
        # unchanged; a new or changed activity needs a project the unit keeps casework in.
        projects = Project.objects.visible_to(self.user).select_related("round")
        self.projects = {p.code: p for p in projects}
        self.writable = set(Project.objects.casework_by(self.user).values_list("pk", flat=True))
        self.places = {}
        for place in Organization.objects.filter(type__in=[Organization.Type.COMMUNITY, Organization.Type.SUBDISTRICT]):
            for name in {place.name, place.short_name} - {""}:
                self.places.setdefault(name, []).append(place)
        self.place_names = {p.pk: p.name for places in self.places.values() for p in places}
        unit = permissions.organization_id_of(self.user)
        self.staff = People(
            names="staff",
            hours="staff_hours",
            model=ActivityStaff,
            field="social_worker",
            related="staff",
            noun=_("社工"),
            people=SocialWorker.objects.filter(employer_id=unit),
        )
        self.volunteers = People(
            names="volunteers",
            hours="volunteer_hours",
            model=ActivityVolunteer,
            field="volunteer",
            related="volunteers",
            noun=_("义工"),
            people=Volunteer.objects.filter(organization_id=unit),
        )
        dates = [d for d in (self._date(row) for row in table.rows) if d is not None]
        existing = Activity.objects.filter(project__in=projects)
        existing = existing.filter(date__gte=min(dates), date__lte=max(dates)) if dates else existing.none()
        existing = existing.prefetch_related("staff", "volunteers").order_by("pk")
        self.matches = Matches(existing, lambda a: (a.project_id, a.date, comparable(a.title)))
        self.types = labels_of(Activity.Type)
        self.keys = Keys()

    @staticmethod
    def _date(row):
        try:
            return parse_date(row.value("date"))
        except CellError:  # the row reports it; here the date only narrows what is loaded
            return None

    # -- one row -----------------------------------------------------------------------------

    def build(self, row, planned, table):
        code = self.cell(row, table, planned, "project", parse_text, required=True)
        project = self.projects.get(code) if code else None
        if code and project is None:
            self.refuse(planned, table, "project", self.not_writable % {"code": code})
            raise RowFailed  # nothing more is checked against a record the user cannot reach
        values = self.values(row, planned, table)
        hours = {people: self.hours(row, planned, table, people) for people in (self.staff, self.volunteers)}
        if planned.errors:
            raise RowFailed
        title, date = values.pop("title"), values["date"]
        planned.key = self.keys.unique(f"{project.code} {format_date(date)} {title}")
        existing, repeats = self.matches.match(
            (project.pk, date, comparable(title)),
            row.number,
            same=lambda a: not self.differences(a, values, hours, table),
        )
        if repeats:
            self.refuse(
                planned, table, "title", _("与第 %(row)d 行是同一项活动（同一项目、日期和名称）。") % {"row": repeats}
            )
            raise RowFailed
        if existing is None:
            if "type" not in values:
                self.refuse(planned, table, "type", _("新登记的活动须填写活动类型：%(choices)s。") % self.choices())
                raise RowFailed
            record = Activity(project=project, title=title, **values)
            planned.action = NEW
        else:
            record = existing
            record.project = project  # the preloaded project, with its round, for the checks below
            planned.changes = self.differences(existing, values, hours, table)
            for attribute, value in values.items():
                setattr(record, attribute, value)
            planned.action = CHANGED if planned.changes else UNCHANGED
        if planned.action != UNCHANGED and (
            project.pk not in self.writable or not permissions.can_keep_casework(self.user, project)
        ):
            self.refuse(planned, table, "project", self.not_writable % {"code": code})
            raise RowFailed
        for people in (self.staff, self.volunteers):
            self.check_total(row, planned, table, people, hours[people], existing)
        if planned.action != UNCHANGED:
            # The project and the place were resolved from the maps above: no query per row.
            self.validate(planned, table, record, exclude=["project", "venue"])
        planned.record = record
        planned.extra = {
            people.related: (hours[people][0], list(getattr(existing, people.related).all()) if existing else [])
            for people in (self.staff, self.volunteers)
        }

    @property
    def not_writable(self) -> str:
        return _("项目 %(code)s 不是您可以登记活动的项目（须为本单位签约后、结项前的项目）。")

    def choices(self) -> dict:
        return {"choices": "、".join(self.types)}

    def values(self, row, planned, table) -> dict:
        values = {
            "title": self.cell(row, table, planned, "title", written_text, required=True),
            "date": self.cell(row, table, planned, "date", parse_date, required=True),
        }
        label = parse_text(row.value("type")) if "type" in table.headers else ""
        if label and label not in self.types:
            self.refuse(planned, table, "type", _("活动类型应为：%(choices)s。") % self.choices())
        elif label:
            values["type"] = self.types[label]
        if "venue" in table.headers:
            name = parse_text(row.value("venue"))
            found = self.places.get(name, []) if name and not is_dash(name) else [None]
            if len(found) != 1:
                message = _("没有找到名为“%(name)s”的社区或街道，或有重名：请写全称。")
                self.refuse(planned, table, "venue", message % {"name": name})
            else:
                values["venue"] = found[0]
        if "participants" in table.headers:
            participants = self.cell(row, table, planned, "participants", parse_int)
            if participants is not None:
                values["participants"] = participants
        if "description" in table.headers:
            values["description"] = self.cell(row, table, planned, "description", written_text)
        return values

    def hours(self, row, planned, table, people: People) -> tuple[dict[int, Decimal] | None, Decimal | None]:
        """(hours by person, to be written; or None) and (the total the row states without names, or None)."""
        names = split_names(row.value(people.names)) if people.names in table.headers else []
        stated = row.value(people.hours) if people.hours in table.headers else None
        if not names:
            if stated is None or not parse_text(stated):
                return None, None
            try:
                return None, parse_decimal(stated, places=1)
            except CellError as error:
                planned.warnings.append(Finding(row.number, self.header(table, people.hours), error.message))
                return None, None
        found, unknown, repeated = {}, [], []
        for name in names:
            matches = people.by_name.get(name, [])
            if name in found or name in repeated:
                repeated.append(name)
            elif len(matches) != 1:
                unknown.append(name)
            else:
                found[name] = matches[0]
        if unknown:
            message = _("本单位没有名为“%(names)s”的%(noun)s，或有重名（须与名册中的姓名完全一致）。")
            self.refuse(planned, table, people.names, message % {"names": "”“".join(unknown), "noun": people.noun})
        if repeated:
            message = _("“%(names)s”写了不止一次：每人只记一次时数。")
            self.refuse(planned, table, people.names, message % {"names": "”“".join(dict.fromkeys(repeated))})
        figures = self.figures(row, planned, table, people, stated)
        if figures is None or unknown or repeated:
            return None, None
        if len(figures) == 1:
            figures = figures * len(names)
        elif len(figures) != len(names):
            message = _(
                "写了 %(hours)d 个时数，却有 %(people)d 位%(noun)s：请写一个时数（每人相同），或按姓名顺序每人一个。"
            )
            self.refuse(
                planned,
                table,
                people.hours,
                message % {"hours": len(figures), "people": len(names), "noun": people.noun},
            )
            return None, None
        if any(hours > MAX_HOURS for hours in figures):
            self.refuse(planned, table, people.hours, _("每人每次活动的服务时数应在0至24小时之间。"))
            return None, None
        return {person.pk: hours for person, hours in zip(found.values(), figures, strict=True)}, None

    def figures(self, row, planned, table, people: People, stated) -> list[Decimal] | None:
        """The hours a cell holds: one number, or several separated as names are."""
        if stated is None or not parse_text(stated):
            message = _("填写了%(noun)s姓名，请同时填写每人的服务时数。")
            self.refuse(planned, table, people.hours, message % {"noun": people.noun})
            return None
        parts = [stated] if not isinstance(stated, str) else [p for p in SEPARATORS.split(parse_text(stated)) if p]
        try:
            return [parse_decimal(part, places=1) for part in parts]
        except CellError as error:
            self.refuse(planned, table, people.hours, error.message)
            return None

    def differences(self, activity, values, hours, table) -> list[tuple[str, str, str]]:
        """(header, old, new) of each column whose value differs from the activity's, as the pages show them."""
        changes = []
        for attribute, new in values.items():
            if attribute == "date":
                continue  # part of what the activity is
            if attribute == "venue":
                old, new = activity.venue_id, new.pk if new else None  # by id: no query per row
            else:
                old = getattr(activity, attribute)
            same = comparable(old) == comparable(new) if attribute == "description" else old == new
            if not same:
                changes.append(
                    (self.header(table, KEYS[attribute]), self.shown(attribute, old), self.shown(attribute, new))
                )
        for people in (self.staff, self.volunteers):
            wanted = hours[people][0]
            if wanted is not None and wanted != people.on_record(activity):
                changes.append(
                    (self.header(table, people.hours), people.shown(people.on_record(activity)), people.shown(wanted))
                )
        return changes

    def shown(self, attribute, value) -> str:
        if attribute == "venue":
            return self.place_names.get(value, "—")
        if attribute == "type":
            return next((label for label, stored in self.types.items() if stored == value), value)
        return "—" if value in (None, "") else str(value)

    def check_total(self, row, planned, table, people: People, hours, existing) -> None:
        """Hours stated without names are the activity's total (as exported): a difference is only a warning."""
        wanted, stated = hours
        if wanted is not None or stated is None:
            return
        recorded = sum(people.on_record(existing).values(), Decimal(0)) if existing else Decimal(0)
        if stated != recorded:
            message = _(
                "%(header)s写的是合计 %(stated)s 小时，系统中为 %(recorded)s 小时："
                "时数须与%(noun)s姓名一起填写才会导入，本列只作核对。"
            )
            planned.warnings.append(
                Finding(
                    row.number,
                    self.header(table, people.hours),
                    message
                    % {
                        "header": self.header(table, people.hours),
                        "stated": total_shown(stated),
                        "recorded": total_shown(recorded),
                        "noun": people.noun,
                    },
                )
            )

    # -- writing -----------------------------------------------------------------------------

    def write(self, plan: Plan) -> dict[str, int]:
        written = {NEW: 0, CHANGED: 0}
        for row in plan.rows:
            if row.action not in (NEW, CHANGED):
                continue
            with row_refusals(row.number):
                activity = activity_record(activity=row.record, by=self.user)
                for people in (self.staff, self.volunteers):
                    wanted, rows = row.extra[people.related]
                    self.write_hours(activity, people, wanted, rows)
            written[row.action] += 1
        return written

    def write_hours(self, activity, people: People, wanted: dict[int, Decimal] | None, rows) -> None:
        """Make the activity's rows of ``people`` those of ``wanted`` (person → hours): one row per person."""
        if wanted is None:
            return
        current = {getattr(r, f"{people.field}_id"): r for r in rows}
        for person_id, row in current.items():
            if person_id not in wanted:
                casework_row_delete(row=row, by=self.user)
        for person_id, hours in wanted.items():
            row = current.get(person_id)
            if row is None:
                row = people.model(activity=activity, hours=hours, **{f"{people.field}_id": person_id})
            elif row.hours == hours:
                continue
            row.activity, row.hours = activity, hours
            casework_row_save(row=row, by=self.user)
