"""Reads for the screens that summarise the programme: the portal's dashboard, the annual report, the
project page. Every figure is a SQL aggregate over a set of projects (one project, a round's, a group
of a round's), so a summary costs the same few queries however many projects, cases and activities
there are. Money comes from ``projects.figures``; how it is shown, from ``projects.formatting``.

Service figures (no personal data: counts and sums only)
    people_served        unique people: distinct person keys (``Beneficiary``) with a case in the
                         projects; a person served by two projects of the group counts once
    cases                cases (``Enrollment``) opened; open_cases those still open
    follow_ups           follow-up records of those cases
    activities_by_type   activities per type, by label, in the type's order
    participants         activities' participants, summed (人次, not people); participants_by_type
                         the same per type, by label
    volunteer_hours      hours logged by volunteers on the activities
    social_worker_hours  hours logged by social workers on the activities

Grades: per project and kind of evaluation, the grade of its latest finalised evaluation (a failed
evaluation redone after rectification counts once, as its redo).

Awards live in the awards app, which projects never imports: ``qicai.summaries`` adds them.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import data_version
from projects.figures import Money, grouped_money, project_money
from projects.formatting import format_date
from projects.models import (
    Activity,
    ActivityStaff,
    ActivityVolunteer,
    Enrollment,
    Evaluation,
    EvaluationKind,
    FollowUp,
    Grade,
    Organization,
    Project,
    Round,
    ServiceCategory,
    SpecialGroup,
)
from projects.workflow import next_step

HOUR = Decimal("0.1")
NOT_GIVEN = _("未填写")
# The groupings of a round's summary: the project field each groups by.
BREAKDOWNS = {"category": _("服务类别"), "subdistrict": _("所在街道"), "service_model": _("运作模式")}


@dataclass
class Service:
    """Service figures of a set of projects (see the module docstring)."""

    people_served: int = 0
    cases: int = 0
    open_cases: int = 0
    follow_ups: int = 0
    activities_by_type: dict = field(default_factory=dict)
    participants: int = 0
    participants_by_type: dict = field(default_factory=dict)
    volunteer_hours: Decimal = Decimal("0.0")
    social_worker_hours: Decimal = Decimal("0.0")

    @property
    def activities(self) -> int:
        return sum(self.activities_by_type.values())


@dataclass
class Summary:
    """A round, or one group of its projects: projects by status, money, service, grades (and awards)."""

    key: object
    label: str
    projects_by_status: dict = field(default_factory=dict)
    money: Money = field(default_factory=Money)
    service: Service = field(default_factory=Service)
    grades: dict = field(default_factory=dict)  # {kind label: {grade label: projects}}
    awards: dict = field(default_factory=dict)  # {award type name: records}, filled in by qicai.summaries

    @property
    def projects(self) -> int:
        return sum(self.projects_by_status.values())

    @property
    def award_records(self) -> int:
        return sum(self.awards.values())


@dataclass
class ProjectSummary:
    """One project: its money, its service against its target, its latest grade per kind of evaluation."""

    project: Project
    money: Money
    service: Service
    grades: dict  # {kind label: grade label}
    open_evaluations: list = field(default_factory=list)

    @property
    def next_step(self) -> str:
        """Where the project stands and what comes next, in one phrase (the project page's 下一步)."""
        if self.project.needs_rectification:
            return str(_("整改中：整改完成后解除整改，再组织复评"))
        for evaluation in self.open_evaluations:
            return gettext("%(kind)s评分中，%(due)s截止") % {
                "kind": evaluation.get_kind_display(),
                "due": format_date(evaluation.due_date),
            }
        return next_step(self.project.status)

    @property
    def target_beneficiaries(self) -> int:
        return self.project.target_beneficiaries

    @property
    def target_reached(self) -> Decimal | None:
        """People served ÷ target, as a ratio (``formatting.format_ratio`` shows it as a percentage)."""
        if not self.project.target_beneficiaries:
            return None
        return Decimal(self.service.people_served) / Decimal(self.project.target_beneficiaries)


def _by_group(rows, path: str) -> dict:
    return {row.pop(path): row for row in rows}


def service_figures(key: str, **project_lookups) -> dict:
    """``{key value: Service}`` for the projects matching ``project_lookups``, grouped by project field ``key``.

    Five queries, one per table counted.
    """

    def rows(model, to_project: str, *extra_keys, **aggregates):
        path = f"{to_project}__{key}"
        lookups = {f"{to_project}__{name}": value for name, value in project_lookups.items()}
        return path, list(model.objects.filter(**lookups).order_by().values(path, *extra_keys).annotate(**aggregates))

    path, cases = rows(
        Enrollment,
        "project",
        people=Count("beneficiary", distinct=True),
        cases=Count("pk"),
        open=Count("pk", filter=Q(status=Enrollment.Status.OPEN)),
    )
    cases = _by_group(cases, path)
    path, follow_ups = rows(FollowUp, "enrollment__project", n=Count("pk"))
    follow_ups = {row[path]: row["n"] for row in follow_ups}
    path, activities = rows(Activity, "project", "type", n=Count("pk"), participants=Sum("participants"))
    path_v, volunteer = rows(ActivityVolunteer, "activity__project", hours=Sum("hours"))
    volunteer = {row[path_v]: row["hours"] for row in volunteer}
    path_s, staff = rows(ActivityStaff, "activity__project", hours=Sum("hours"))
    staff = {row[path_s]: row["hours"] for row in staff}

    labels = dict(Activity.Type.choices)
    order = {code: index for index, code in enumerate(labels)}
    by_type: dict = {}
    participants: dict = {}
    participants_by_type: dict = {}
    for row in sorted(activities, key=lambda row: order.get(row["type"], len(order))):
        label = str(labels.get(row["type"], row["type"]))
        by_type.setdefault(row[path], {})[label] = row["n"]
        participants_by_type.setdefault(row[path], {})[label] = row["participants"] or 0
        participants[row[path]] = participants.get(row[path], 0) + (row["participants"] or 0)

    groups = set(cases) | set(follow_ups) | set(by_type) | set(volunteer) | set(staff)
    return {
        group: Service(
            people_served=cases.get(group, {}).get("people", 0),
            cases=cases.get(group, {}).get("cases", 0),
            open_cases=cases.get(group, {}).get("open", 0),
            follow_ups=follow_ups.get(group, 0),
            activities_by_type=by_type.get(group, {}),
            participants=participants.get(group, 0),
            participants_by_type=participants_by_type.get(group, {}),
            volunteer_hours=Decimal(volunteer.get(group) or 0).quantize(HOUR),
            social_worker_hours=Decimal(staff.get(group) or 0).quantize(HOUR),
        )
        for group in groups
    }


def latest_grades(key: str, **project_lookups) -> dict:
    """``{key value: {kind label: {grade label: projects}}}``: each project's latest finalised grade per kind."""
    path = f"project__{key}"
    later = Evaluation.objects.filter(
        project=OuterRef("project"), kind=OuterRef("kind"), status=Evaluation.Status.FINALISED, pk__gt=OuterRef("pk")
    )
    rows = (
        Evaluation.objects.filter(
            status=Evaluation.Status.FINALISED, **{f"project__{name}": value for name, value in project_lookups.items()}
        )
        .filter(~Exists(later))
        .order_by()
        .values(path, "kind", "grade")
        .annotate(n=Count("pk"))
    )
    counts = {(row[path], row["kind"], row["grade"]): row["n"] for row in rows}
    grades: dict = {}
    for group in {group for group, _kind, _grade in counts}:
        for kind in EvaluationKind:
            by_grade = {str(grade.label): counts.get((group, kind.value, grade.value), 0) for grade in Grade}
            if any(by_grade.values()):
                grades.setdefault(group, {})[str(kind.label)] = by_grade
    return grades


def projects_by_status(key: str, **project_lookups) -> dict:
    """``{key value: {status label: projects}}``, statuses in workflow order, only those with projects."""
    rows = Project.objects.filter(**project_lookups).order_by().values(key, "status").annotate(n=Count("pk"))
    counts = {(row[key], row["status"]): row["n"] for row in rows}
    return {
        group: {
            str(status.label): counts[group, status.value]
            for status in Project.Status
            if (group, status.value) in counts
        }
        for group in {group for group, _status in counts}
    }


def summaries(key: str, **project_lookups) -> dict:
    """``{key value: Summary}`` (labels left to the caller): every group with at least one project."""
    statuses = projects_by_status(key, **project_lookups)
    money = grouped_money(key, **project_lookups)
    service = service_figures(key, **project_lookups)
    grades = latest_grades(key, **project_lookups)
    return {
        group: Summary(
            key=group,
            label="",
            projects_by_status=by_status,
            money=money.get(group, Money()),
            service=service.get(group, Service()),
            grades=grades.get(group, {}),
        )
        for group, by_status in statuses.items()
    }


def within_lookups(within) -> dict:
    """Project lookups that limit a summary to the projects of ``within`` (a ``Project`` queryset: what a
    user may see), or none for the whole portfolio."""
    return {} if within is None else {"pk__in": within.order_by().values("pk")}


def round_summary(round_: Round, *, within=None) -> Summary:
    """A round's summary: projects by status, money, service, grades. Twelve queries.

    ``within`` limits it to some projects (a unit's own, an evaluator's assignments); the round's budget
    belongs to the whole round, so it is given only without ``within``.
    """
    summary = summaries("round", round=round_, **within_lookups(within)).get(round_.pk)
    summary = summary or Summary(key=round_.pk, label="")
    budget = round_.budget if within is None else None
    return replace(summary, label=str(round_), money=replace(summary.money, budget=budget))


def round_comparison(*, within=None) -> list[Summary]:
    """Every round with projects (of ``within``), oldest first, each summarised as ``round_summary`` does.

    Twelve queries plus one for the rounds, however many rounds.
    """
    groups = summaries("round", **within_lookups(within))
    rounds = Round.objects.filter(pk__in=list(groups)).order_by("year")
    return [
        replace(
            groups[r.pk],
            label=str(r.year),
            money=replace(groups[r.pk].money, budget=r.budget if within is None else None),
        )
        for r in rounds
    ]


def round_breakdown(round_: Round, by: str, *, within=None) -> list[Summary]:
    """The round's summary per colour category, subdistrict or service model (``BREAKDOWNS``), in that
    dimension's own order; projects without a subdistrict form a group of their own, last."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown: {by}")
    groups = summaries(by, round=round_, **within_lookups(within))
    keys = [key for key in groups if key is not None]
    if by == "category":
        ordered = [(c.pk, c.name) for c in ServiceCategory.objects.filter(pk__in=keys).order_by("order", "name")]
    elif by == "subdistrict":
        places = Organization.objects.filter(pk__in=keys).order_by("name")
        ordered = [(o.pk, o.short_name or o.name) for o in places]
    else:
        ordered = [(code, label) for code, label in Project.ServiceModel.choices if code in groups]
    if None in groups:
        ordered.append((None, NOT_GIVEN))
    return [replace(groups[key], label=str(label)) for key, label in ordered]


def project_summary(project: Project) -> ProjectSummary:
    """One project's money, service, latest grades and open evaluations: eight queries."""
    grades = latest_grades("pk", pk=project.pk).get(project.pk, {})
    return ProjectSummary(
        project=project,
        money=project_money(project),
        service=service_figures("pk", pk=project.pk).get(project.pk, Service()),
        grades={kind: next(grade for grade, n in by_grade.items() if n) for kind, by_grade in grades.items()},
        open_evaluations=list(project.evaluations.filter(status=Evaluation.Status.OPEN).order_by("due_date")),
    )


def kept_project_summary(project: Project) -> ProjectSummary:
    """``project_summary``, kept under the data version (``projects.data_version``): one query when nothing
    changed since it was read. The dossier and the workbench's project page show it."""
    return data_version.cached("project-summary", project.pk, compute=lambda: project_summary(project))


@dataclass(frozen=True)
class GroupService:
    """The people and cases of one special group (特殊人群类别) in a round."""

    key: str
    label: str
    people: int
    cases: int


def people_by_special_group(round_: Round, *, within=None) -> list[GroupService]:
    """A round's unique people and cases per special group, in the groups' order; one query.

    A person registered in two groups counts in each; the round's unique total is ``Summary.service``.
    """
    lookups = {f"project__{name}": value for name, value in within_lookups(within).items()}
    rows = {
        row["special_group"]: row
        for row in Enrollment.objects.filter(project__round=round_, **lookups)
        .order_by()
        .values("special_group")
        .annotate(people=Count("beneficiary", distinct=True), cases=Count("pk"))
    }
    return [
        GroupService(key, str(label), rows[key]["people"], rows[key]["cases"])
        for key, label in SpecialGroup.choices
        if key in rows
    ]
