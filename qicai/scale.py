"""City-scale data (issue 16): ten districts over ten years, written in bulk on top of the demo district.

``python manage.py seed_scale [--scale 0.01]`` calls :func:`seed_scale`. The demo district is seeded
first when missing (its accounts, categories, rubrics and reference rows are what the city shares);
the city's other nine districts get their own subdistricts, communities, agencies and project officers,
and every district gets ``projects / (districts × years)`` projects a year, with the cases, people,
follow-ups, activities, evaluations with scorecards, agreements, instalments, workflow audit rows and
history rows that the services would have left behind at that scale.

Everything is drawn from one random source seeded by ``seed`` and walked in a fixed order, so the same
sizes give the same rows (the primary keys aside) on SQLite and PostgreSQL. Rows go in with
``bulk_create`` only, in batches; no service runs per row. ``ANALYZE`` runs at the end.
"""

import datetime
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects import roles
from projects.audit import transition_action
from projects.models import (
    Activity,
    ActivityStaff,
    ActivityVolunteer,
    Agreement,
    AuditEntry,
    Beneficiary,
    Enrollment,
    Evaluation,
    EvaluationKind,
    FollowUp,
    Grade,
    Instalment,
    Membership,
    NeedAssessment,
    Organization,
    Project,
    Round,
    RoundInstalmentRule,
    RubricTemplate,
    Scorecard,
    ScoreItem,
    ServiceCategory,
    SocialWorker,
    Volunteer,
)
from projects.models.casework import Gender
from projects.states import Action, AgreementStatus, EnrollmentStatus, ProjectStatus, RoundStatus
from projects.validators import id_number_check_character
from projects.workflow import TRANSITIONS
from qicai import demo

BATCH = 2000
LAST_YEAR = 2014  # the demo's open round; the city's ten years end with it
T = Organization.Type
S = ProjectStatus

# The city's other districts (the demo's 江城区 is the first), with their administrative division codes.
DISTRICTS = [
    ("江城区", "320105"),
    ("玄湖区", "320102"),
    ("秦淮区", "320104"),
    ("鼓楼区", "320106"),
    ("浦口区", "320111"),
    ("栖霞区", "320113"),
    ("雨花区", "320114"),
    ("江宁区", "320115"),
    ("六合区", "320116"),
    ("溧水区", "320117"),
    ("高淳区", "320118"),
    ("仙林区", "320119"),
]
SUBDISTRICT_STEMS = ["中心", "城南", "城北", "东湖", "西湖", "滨江", "新华", "和平"]
COMMUNITY_STEMS = ["文华", "长乐", "桃园", "光明", "幸福", "育才"]
AGENCY_STEMS = [s for _name, s in demo.AGENCIES]
UNIT_WEIGHTS = {demo.UNIT_AGENCY: 20, demo.UNIT2_AGENCY: 8}

# Present states of a round's projects by how far the round has gone: (status, weight).
CLOSED_MIX = [(S.COMPLETED, 50), (S.ARCHIVED, 35), (S.TERMINATED, 4), (S.REJECTED, 11)]
RUNNING_MIX = [(S.IN_PROGRESS, 62), (S.MIDTERM_EVALUATED, 20), (S.CONTRACTED, 4), (S.APPROVED, 2)]
RUNNING_MIX += [(S.TERMINATED, 2), (S.REJECTED, 10)]
OPEN_MIX = [(S.DRAFT, 30), (S.SUBMITTED, 35), (S.RETURNED, 10), (S.RECOMMENDED, 18), (S.REJECTED, 7)]
SERVING = {S.IN_PROGRESS, S.MIDTERM_EVALUATED, S.COMPLETED, S.ARCHIVED, S.TERMINATED}
SIGNED = SERVING | {S.CONTRACTED}
APPROVED = SIGNED | {S.APPROVED}
MIDTERM_DONE = {S.MIDTERM_EVALUATED, S.COMPLETED, S.ARCHIVED}
FINAL_DONE = {S.COMPLETED, S.ARCHIVED}
# The workflow path to each present state (the return and reject branches start from a submission).
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [Action.SUBMIT],
    S.RETURNED: [Action.SUBMIT, Action.RETURN],
    S.RECOMMENDED: [Action.SUBMIT, Action.RECOMMEND],
    S.REJECTED: [Action.SUBMIT, Action.REJECT],
    S.APPROVED: [Action.SUBMIT, Action.RECOMMEND, Action.APPROVE],
    S.CONTRACTED: [Action.SUBMIT, Action.RECOMMEND, Action.APPROVE, Action.SIGN],
    S.IN_PROGRESS: [Action.SUBMIT, Action.RECOMMEND, Action.APPROVE, Action.SIGN, Action.START],
}
PATHS[S.MIDTERM_EVALUATED] = [*PATHS[S.IN_PROGRESS], Action.MIDTERM_PASS]
PATHS[S.COMPLETED] = [*PATHS[S.MIDTERM_EVALUATED], Action.COMPLETE]
PATHS[S.ARCHIVED] = [*PATHS[S.COMPLETED], Action.ARCHIVE]
PATHS[S.TERMINATED] = [*PATHS[S.IN_PROGRESS], Action.TERMINATE]
RISKS = (["low"] * 6) + (["medium"] * 3) + ["high"]
FOLLOW_UP_METHODS = ["visit", "visit", "interview", "phone", "phone", "other"]
ACTIVITY_TYPES = ["casework", "group", "group", "community", "community", "training", "publicity"]
ACTIVITY_TITLES = {
    "casework": "个案辅导（第{n}次）",
    "group": "{stem}支持小组第{n}节",
    "community": "{stem}社区活动日",
    "training": "义工培训第{n}期",
    "publicity": "{stem}宣传进社区",
}


@dataclass(frozen=True)
class Sizes:
    """The city's size. The defaults are issue 16's city: 10 districts, 10 years, 10,000 projects."""

    districts: int = 10
    years: int = 10
    projects: int = 10_000
    people: int = 100_000
    cases: int = 150_000
    follow_ups: int = 300_000
    activities: int = 200_000
    evaluations: int = 20_000

    def scaled(self, factor: float) -> "Sizes":
        """Every row count times ``factor`` (at least one of each); districts and years stay."""
        counts = {f.name: max(1, round(getattr(self, f.name) * factor)) for f in fields(self)}
        counts.update(districts=self.districts, years=self.years)
        return replace(self, **counts)


@contextmanager
def given_times(model, *names: str) -> Iterator[None]:
    """Rows inserted inside the block keep the times they carry (auto_now / auto_now_add switched off)."""
    saved = []
    for name in names:
        field = model._meta.get_field(name)
        saved.append((field, field.auto_now, field.auto_now_add))
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment of office hours on ``day`` (local time)."""
    return demo.local_time(demo.working_day(day), rng.choice([9, 10, 11, 14, 15, 16]), rng.randrange(60))


def between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    return low + datetime.timedelta(days=rng.randint(0, max(0, (high - low).days)))


def weighted(rng: random.Random, mix):
    return rng.choices([value for value, _w in mix], weights=[w for _v, w in mix])[0]


class Progress:
    def __init__(self, write: Callable[[str], None]):
        self.write = write
        self.start = self.last = time.perf_counter()

    def step(self, label: str, rows: int | None = None) -> None:
        now = time.perf_counter()
        count = f" {rows:>9,} rows" if rows is not None else ""
        self.write(f"  {label:<34}{count}  {now - self.last:7.1f} s  (total {now - self.start:6.1f} s)")
        self.last = now


class ScaleSeeder:
    def __init__(self, sizes: Sizes, seed: int = 1, write: Callable[[str], None] = print):
        self.sizes = sizes
        self.rng = random.Random(f"qicai-scale:{seed}")
        self.progress = Progress(write)
        self.write = write
        self.counts: dict[str, int] = {}
        today = datetime.date.today()
        self.today = today

    def bulk(self, model, rows, label: str | None = None) -> list:
        rows = model.objects.bulk_create(rows, batch_size=BATCH)
        key = label or model._meta.model_name
        self.counts[key] = self.counts.get(key, 0) + len(rows)
        return rows

    # -- the city ----------------------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> dict[str, int]:
        if not Round.objects.filter(year=LAST_YEAR).exists():
            demo.DemoSeeder(password=_demo_password()).run()
            self.progress.step("demo district (seed_demo)")
        second_district = f"{DISTRICTS[1][0]}{SUBDISTRICT_STEMS[0]}街道办事处"
        if Organization.objects.filter(name=second_district).exists():
            self.write(f"The database already holds a city's data ({second_district}): nothing seeded.")
            return {}
        self.load_reference()
        self.seed_districts()
        self.progress.step("districts, units, officers, staff", self.counts.get("organization", 0))
        self.seed_rounds()
        self.seed_projects()
        self.progress.step("projects (with history rows)", self.counts["project"])
        self.seed_money()
        self.progress.step("agreements and instalments", self.counts["agreement"] + self.counts["instalment"])
        self.seed_cases()
        self.progress.step("people, cases, needs", self.counts["enrollment"])
        self.seed_follow_ups()
        self.progress.step("follow-ups", self.counts["followup"])
        self.seed_activities()
        self.progress.step("activities, attendees, hours", self.counts["activity"])
        self.seed_evaluations()
        self.progress.step("evaluations, scorecards, items", self.counts["evaluation"])
        self.seed_audit()
        self.progress.step("workflow audit rows", self.counts["auditentry"])
        demo.analyze_tables()
        self.progress.step("ANALYZE")
        return self.counts

    def load_reference(self) -> None:
        User = get_user_model()
        self.categories = list(ServiceCategory.objects.order_by("order", "name"))
        self.users = {u.username: u for u in User.objects.filter(username__in=["civil", "association", "unit"])}
        self.evaluators = list(User.objects.filter(username__startswith="evaluator").order_by("username"))
        self.templates = {
            t.kind: (t, list(t.criteria.order_by("order", "pk")))
            for t in RubricTemplate.objects.order_by("kind", "-version")
        }
        orgs = {o.name: o for o in Organization.objects.all()}
        self.association = orgs[demo.ASSOCIATION[0]]
        self.government = orgs["江城区人民政府"]
        self.guiding = {c.pk: orgs[row[4]] for c, row in zip(self.categories, demo.CATEGORIES, strict=False)}
        self.beneficiary_serial = max(
            [int(code[2:]) for code in Beneficiary.objects.values_list("code", flat=True) if code] or [0]
        )
        self.id_numbers = set(Beneficiary.objects.exclude(id_number="").values_list("id_number", flat=True))
        self.phones: set[str] = set()

    def seed_districts(self) -> None:
        """Per district: subdistricts with their communities, and the units that run its projects."""
        self.districts = []
        password = make_password(_demo_password())
        new_orgs, plan = [], []
        for index in range(self.sizes.districts):
            name, division = DISTRICTS[index % len(DISTRICTS)]
            prefix = name if index < len(DISTRICTS) else f"{name}{index // len(DISTRICTS) + 1}"
            if index == 0:  # the demo district: its own subdistricts, communities and agencies
                existing = Organization.objects.filter(name__startswith=prefix)
                subdistricts = list(existing.filter(type=T.SUBDISTRICT).order_by("name"))
                communities = list(
                    Organization.objects.filter(type=T.COMMUNITY, parent__in=subdistricts).order_by("name")
                )
                agencies = list(existing.filter(type=T.AGENCY).order_by("name"))
                plan.append((prefix, division, subdistricts, communities, agencies))
                continue
            subdistricts = [
                Organization(name=f"{prefix}{stem}街道办事处", short_name=f"{stem}街道", type=T.SUBDISTRICT)
                for stem in SUBDISTRICT_STEMS
            ]
            agencies = [
                Organization(name=f"{prefix}{stem}服务中心", short_name=stem, type=T.AGENCY)
                for stem in AGENCY_STEMS[: 12 + index % 8]
            ]
            new_orgs.append((prefix, division, subdistricts, agencies))
        for prefix, division, subdistricts, agencies in new_orgs:
            subdistricts = bulk_create_with_history(subdistricts, Organization, batch_size=BATCH)
            communities = [
                Organization(
                    name=f"{sub.name.removesuffix('街道办事处')}{stem}社区居民委员会",
                    short_name=f"{stem}社区",
                    type=T.COMMUNITY,
                    parent=sub,
                )
                for sub in subdistricts
                for stem in COMMUNITY_STEMS[:3]
            ]
            communities = bulk_create_with_history(communities, Organization, batch_size=BATCH)
            agencies = bulk_create_with_history(agencies, Organization, batch_size=BATCH)
            self.counts["organization"] = self.counts.get("organization", 0) + len(
                subdistricts + communities + agencies
            )
            plan.append((prefix, division, subdistricts, communities, agencies))
        for prefix, division, subdistricts, communities, agencies in plan:
            units = agencies + subdistricts + communities[:: max(1, len(communities) // 4)]
            # Agencies run most projects (the demo's unit, 阳光社工, is the busiest); subdistricts and
            # a few communities run some.
            weights = [UNIT_WEIGHTS.get(unit.name, 4 if unit.type == T.AGENCY else 1) for unit in units]
            self.districts.append(
                {
                    "name": prefix,
                    "division": division,
                    "subs": subdistricts,
                    "communities": communities,
                    "units": units,
                    "weights": weights,
                }
            )
        # A project officer's account for every unit without one (the demo's busiest units have theirs): who
        # submits its projects and records its follow-ups.
        User = get_user_model()
        existing = demo.unit_officers()
        members = []
        for index, district in enumerate(self.districts):
            for k, unit in enumerate(district["units"]):
                if unit.pk not in existing:
                    gender = self.rng.choice([Gender.FEMALE, Gender.MALE])
                    name = demo.chinese_name(self.rng, gender, self.rng.randint(1970, 1990))
                    user = User(username=f"officer{index + 1}-{k + 1}", last_name=name[0], first_name=name[1:])
                    user.password = password
                    members.append((user, unit))
        self.bulk(User, [user for user, _unit in members], "user")
        self.bulk(Membership, [Membership(user=user, organization=unit, title="项目主管") for user, unit in members])
        group = Group.objects.get(name=roles.IMPLEMENTING_UNIT)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group.pk) for user, _unit in members], batch_size=BATCH
        )
        self.officers = demo.unit_officers()
        self.seed_unit_staff()

    def seed_unit_staff(self) -> None:
        """Four social workers and six volunteers of every unit that will run a city project."""
        rng = self.rng
        workers, volunteers = [], []
        for district in self.districts:
            for unit in district["units"]:
                for i in range(4):
                    gender = rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE])
                    workers.append(
                        SocialWorker(
                            name=demo.chinese_name(rng, gender, rng.randint(1965, 1992)),
                            gender=gender,
                            phone=self.phone(),
                            employer=unit,
                            certification=rng.choice(["social_worker", "assistant", "assistant", "senior", "none"]),
                            is_supervisor=i == 0,
                        )
                    )
                for _i in range(6):
                    gender = rng.choice([Gender.FEMALE, Gender.MALE])
                    volunteers.append(
                        Volunteer(
                            name=demo.chinese_name(rng, gender, rng.randint(1950, 1996)),
                            gender=gender,
                            phone=self.phone(),
                            organization=unit,
                            skills=rng.choice(["心理咨询", "法律咨询", "文艺表演", "医疗保健", "陪伴探访"]),
                            registered_on=between(rng, datetime.date(2004, 1, 1), datetime.date(2014, 6, 30)),
                        )
                    )
        self.staff: dict[int, list] = {}
        for worker in self.bulk(SocialWorker, workers):
            self.staff.setdefault(worker.employer_id, []).append(worker)
        self.volunteers: dict[int, list] = {}
        for volunteer in self.bulk(Volunteer, volunteers):
            self.volunteers.setdefault(volunteer.organization_id, []).append(volunteer)

    def phone(self) -> str:
        number = demo.mobile_number(self.rng)
        while number in self.phones:
            number = demo.mobile_number(self.rng)
        self.phones.add(number)
        return number

    # -- rounds and projects -----------------------------------------------------------------------

    def seed_rounds(self) -> None:
        self.rounds = []
        first = LAST_YEAR - self.sizes.years + 1
        existing = {r.year: r for r in Round.objects.filter(year__gte=first, year__lte=LAST_YEAR)}
        for year in range(first, LAST_YEAR + 1):
            round_ = existing.get(year)
            if round_ is None:
                start = datetime.date(year, 9, 1)
                round_ = Round.objects.create(
                    year=year,
                    title=f"{year}年度七彩工程",
                    budget=Decimal(600_000 + 40_000 * (year - first)),
                    status=RoundStatus.CLOSED,
                    launch_date=start,
                    period_start=start,
                    period_end=datetime.date(year + 1, 8, 31),
                    management_cap_percent=Decimal("10"),
                    description=f"{year}年度政府购买社会工作服务“七彩工程”项目（全市）。",
                )
                RoundInstalmentRule.objects.bulk_create(
                    RoundInstalmentRule(round=round_, order=order, name=name, percent=percent, condition=condition)
                    for order, (name, percent, condition) in enumerate(demo.INSTALMENT_PLAN, start=1)
                )
                self.counts["round"] = self.counts.get("round", 0) + 1
            self.rounds.append(round_)

    def mix_for(self, round_) -> list:
        if round_.year == LAST_YEAR:
            return OPEN_MIX
        if round_.year == LAST_YEAR - 1:
            return RUNNING_MIX
        return CLOSED_MIX

    def seed_projects(self) -> None:
        rng = self.rng
        per_cell = self.sizes.projects / (len(self.rounds) * len(self.districts))
        projects, carry = [], 0.0
        self.district_of: dict[str, dict] = {}
        for round_ in self.rounds:
            sequence = Project.objects.filter(round=round_).aggregate(last=Max("sequence"))["last"] or 0
            start = round_.period_start or datetime.date(round_.year, 9, 1)
            end = round_.period_end or datetime.date(round_.year + 1, 8, 31)
            for district in self.districts:
                carry += per_cell
                count, carry = int(carry), carry - int(carry)
                for _n in range(count):
                    sequence += 1
                    category = rng.choice(self.categories)
                    stems = demo.CATEGORIES[(category.order - 1) % len(demo.CATEGORIES)][5]
                    unit = rng.choices(district["units"], weights=district["weights"])[0]
                    community = rng.choice(district["communities"])
                    status = weighted(rng, self.mix_for(round_))
                    requested = Decimal(rng.choice([12, 15, 16, 18, 20, 20, 25, 30]) * 1000)
                    approved = requested - Decimal(rng.choice([0, 0, 1000, 2000, 3000])) if status in APPROVED else None
                    created = at(datetime.date(round_.year, 5, 2) + datetime.timedelta(days=rng.randrange(40)), rng)
                    project = Project(
                        code=demo.project_code(year=round_.year, sequence=sequence),
                        sequence=sequence,
                        title=f"{district['name']}{rng.choice(stems)}项目",
                        round=round_,
                        implementing_unit=unit,
                        guiding_department=self.guiding.get(category.pk),
                        category=category,
                        service_model=rng.choice(demo.MODELS),
                        target_group=category.target_group,
                        subdistrict=community.parent,
                        community=community,
                        start_date=start,
                        end_date=end,
                        requested_amount=requested,
                        approved_amount=approved,
                        target_beneficiaries=rng.choice([20, 30, 40, 50, 60, 80, 100]),
                        objectives="为服务对象提供个案、小组和社区服务，增强社会支持网络。",
                        description=f"{category.target_group}的专业社会工作服务。",
                        status=status,
                        midterm_passed_on=datetime.date(round_.year + 1, 3, 10) if status in MIDTERM_DONE else None,
                        final_passed_on=datetime.date(round_.year + 1, 8, 20) if status in FINAL_DONE else None,
                        version=len(PATHS[status]),
                        created_at=created,
                        updated_at=created + datetime.timedelta(days=rng.randint(30, 400)),
                    )
                    projects.append(project)
                    self.district_of[project.code] = district
        when = timezone.make_aware(datetime.datetime(LAST_YEAR, 1, 1))
        with given_times(Project, "created_at", "updated_at"):
            self.projects = bulk_create_with_history(projects, Project, batch_size=BATCH, default_date=when)
        self.counts["project"] = len(self.projects)
        self.counts["historicalproject"] = len(self.projects)

    # -- money -------------------------------------------------------------------------------------

    def seed_money(self) -> None:
        rng = self.rng
        agreements, instalments = [], []
        framework_rounds = set(
            Agreement.objects.filter(kind=Agreement.Kind.FRAMEWORK).values_list("round_id", flat=True)
        )
        for round_ in self.rounds:
            if round_.pk not in framework_rounds:
                agreements.append(
                    Agreement(
                        kind=Agreement.Kind.FRAMEWORK,
                        number=f"QCKJ-{round_.year}",
                        title=f"{round_.year}年度七彩工程服务项目协议书",
                        party_a=self.government,
                        party_b=self.association,
                        round=round_,
                        signed_date=round_.launch_date,
                        amount=round_.budget,
                        term_start=round_.period_start,
                        term_end=round_.period_end,
                        status=AgreementStatus.SIGNED,
                    )
                )
        for project in self.projects:
            if project.status not in APPROVED:
                continue
            signed = project.status in SIGNED
            year = project.round.year
            agreements.append(
                Agreement(
                    kind=Agreement.Kind.PROJECT,
                    number=f"QCXY-{project.code[3:]}",
                    title=f"{project.title}服务协议",
                    party_a=self.association,
                    party_b=project.implementing_unit,
                    round_id=project.round_id,
                    project=project,
                    signed_date=datetime.date(year, 8, 27) if signed else None,
                    amount=project.approved_amount,
                    term_start=project.start_date,
                    term_end=project.end_date,
                    status=AgreementStatus.SIGNED if signed else AgreementStatus.DRAFT,
                )
            )
            amounts = demo.plan_amounts(project.approved_amount, [p for _n, p, _c in demo.INSTALMENT_PLAN])
            released_days = [
                datetime.date(year, 9, 11) if project.status in SERVING else None,
                datetime.date(year + 1, 3, 25) if project.status in MIDTERM_DONE else None,
                datetime.date(year + 1, 9, 5) if project.status in FINAL_DONE else None,
            ]
            for order, ((name, percent, condition), amount, day) in enumerate(
                zip(demo.INSTALMENT_PLAN, amounts, released_days, strict=True), start=1
            ):
                instalments.append(
                    Instalment(
                        project=project,
                        sequence=order,
                        name=name,
                        percent=percent,
                        amount=amount,
                        condition=condition,
                        status=Instalment.Status.RELEASED if day else Instalment.Status.PLANNED,
                        released_on=day,
                        voucher_number=f"PZ{year}{rng.randrange(10**6):06d}" if day else "",
                        released_by=self.users["civil"] if day else None,
                        released_at=demo.local_time(day, 10) if day else None,
                        version=1 if day else 0,
                    )
                )
        when = timezone.make_aware(datetime.datetime(LAST_YEAR, 1, 1))
        agreements = bulk_create_with_history(agreements, Agreement, batch_size=BATCH, default_date=when)
        instalments = bulk_create_with_history(instalments, Instalment, batch_size=BATCH, default_date=when)
        self.counts["agreement"] = len(agreements)
        self.counts["instalment"] = len(instalments)

    # -- casework ----------------------------------------------------------------------------------

    def serving(self) -> list:
        return [p for p in self.projects if p.status in SERVING]

    def window(self, project) -> tuple[datetime.date, datetime.date]:
        """The days a project served on: from its start to its end, today or (terminated) half-way."""
        last = min(project.end_date, self.today)
        if project.status == S.TERMINATED:
            last = project.start_date + (last - project.start_date) / 2
        return project.start_date, last

    def seed_cases(self) -> None:
        rng, sizes = self.rng, self.sizes
        projects = self.serving()
        self.cases: dict[int, list] = {}
        if not projects:
            return
        reuse_share = max(0.0, 1 - sizes.people / sizes.cases)
        pools: dict[str, list] = {}  # district → earlier people: (beneficiary, identity)
        per_project = sizes.cases / len(projects)
        carry = 0.0
        pending_people, pending_cases = [], []
        for project in projects:
            district = self.district_of[project.code]
            pool = pools.setdefault(district["name"], [])
            carry += per_project * rng.uniform(0.5, 1.5)
            count, carry = int(carry), carry - int(carry)
            first, last = self.window(project)
            closed = project.status in {S.COMPLETED, S.ARCHIVED, S.TERMINATED}
            group = demo.GROUP_BY_CATEGORY[(project.category.order - 1) % len(demo.GROUP_BY_CATEGORY)]
            seen: set[int] = set()
            for index in range(count):
                person = None
                if pool and rng.random() < reuse_share:
                    candidate = pool[rng.randrange(len(pool))]
                    if id(candidate[0]) not in seen:
                        person = candidate
                if person is None:
                    person = self.new_person(rng, group, project, district["division"])
                    pending_people.append(person[0])
                    pool.append(person)
                seen.add(id(person[0]))
                intake = between(rng, first, last - datetime.timedelta(days=min(30, (last - first).days)))
                is_closed = closed or rng.random() < 0.15
                pending_cases.append(
                    (
                        person[0],
                        Enrollment(
                            code=f"{project.code}/{index + 1:03d}",
                            sequence=index + 1,
                            project=project,
                            **person[1],
                            intake_date=intake,
                            household_size=rng.randint(1, 6),
                            family_situation=demo.FAMILY_SITUATIONS[person[1]["special_group"]][index % 3],
                            subsistence=rng.choice(["none", "none", "dibao", "tekun", "low_income"]),
                            income_level=rng.choice(["none", "lt1000", "lt3000", "ge3000"]),
                            personal_traits=rng.choice(["性格内向，不善表达。", "乐观开朗，愿意参与活动。"]),
                            social_factors=rng.choice(["社区支持网络薄弱。", "邻里关系良好。", "缺少就业渠道。"]),
                            risk_level=rng.choice(RISKS),
                            service_plan="建立信任关系，每月至少两次跟踪，链接社区资源。",
                            goals="改善生活状况和情绪，增强社会支持。",
                            consent_on=intake,
                            status=EnrollmentStatus.CLOSED if is_closed else EnrollmentStatus.OPEN,
                            closed_on=between(rng, intake, last) if is_closed else None,
                            closing_summary="服务目标基本达成，转入社区常规关注。" if is_closed else "",
                        ),
                    )
                )
            if len(pending_cases) >= 20_000:
                self.flush_cases(pending_people, pending_cases)
                pending_people, pending_cases = [], []
        self.flush_cases(pending_people, pending_cases)

    def new_person(self, rng, group, project, division) -> tuple:
        self.beneficiary_serial += 1
        gender = rng.choice([Gender.FEMALE, Gender.MALE])
        youngest, oldest = demo.AGES[group]
        year = project.round.year
        born = between(rng, datetime.date(year - oldest, 1, 1), datetime.date(year - youngest, 12, 31))
        id_number = ""
        if rng.random() > 1 / 17:  # some people give no ID number
            while True:
                sequence = rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
                first17 = f"{division}{born:%Y%m%d}{sequence:03d}"
                id_number = first17 + id_number_check_character(first17)
                if id_number not in self.id_numbers:
                    break
            self.id_numbers.add(id_number)
        person = Beneficiary(code=f"FW{self.beneficiary_serial:08d}", id_number=id_number)
        identity = {
            "name": demo.chinese_name(rng, gender, born.year),
            "gender": gender,
            "date_of_birth": born,
            "phone": self.phone(),
            "community": project.community,
            "special_group": group,
        }
        return person, identity

    def flush_cases(self, people, cases) -> None:
        self.bulk(Beneficiary, people)
        for person, case in cases:
            case.beneficiary = person
        enrollments = self.bulk(Enrollment, [case for _person, case in cases])
        needs = []
        for case in enrollments:
            self.cases.setdefault(case.project_id, []).append(case)
            options = demo.NEEDS_BY_CATEGORY[(case.project.category.order - 1) % len(demo.NEEDS_BY_CATEGORY)]
            for need in self.rng.sample(options, k=min(len(options), self.rng.randint(1, 2))):
                needs.append(NeedAssessment(enrollment=case, need=need, severity=self.rng.randint(1, 3)))
        self.bulk(NeedAssessment, needs)

    def seed_follow_ups(self) -> None:
        rng = self.rng
        total_cases = sum(len(c) for c in self.cases.values()) or 1
        per_case = self.sizes.follow_ups / total_cases
        rows, carry = [], 0.0
        for project in self.serving():
            staff = self.staff.get(project.implementing_unit_id) or [None]
            officer = self.officers.get(project.implementing_unit_id)
            _first, last = self.window(project)
            for case in self.cases.get(project.pk, []):
                carry += per_case * rng.uniform(0.3, 1.7)
                count, carry = int(carry), carry - int(carry)
                end = case.closed_on or last
                for _k in range(count):
                    note, change = rng.choice(demo.FOLLOW_UP_NOTES)
                    rows.append(
                        FollowUp(
                            enrollment=case,
                            date=between(rng, case.intake_date, end),
                            social_worker=rng.choice(staff),
                            method=rng.choice(FOLLOW_UP_METHODS),
                            note=note,
                            needs_change=change,
                            risk_level=rng.choice(RISKS),
                            recorded_by=officer,
                        )
                    )
                if len(rows) >= 20_000:
                    self.bulk(FollowUp, rows)
                    rows = []
        self.bulk(FollowUp, rows)

    def seed_activities(self) -> None:
        rng = self.rng
        projects = self.serving()
        per_project = self.sizes.activities / max(1, len(projects))
        carry = 0.0
        pending: list[tuple] = []
        for project in projects:
            carry += per_project * rng.uniform(0.5, 1.5)
            count, carry = int(carry), carry - int(carry)
            first, last = self.window(project)
            stem = project.category.name.split("·")[-1]
            cases = self.cases.get(project.pk, [])
            staff = self.staff.get(project.implementing_unit_id, [])
            volunteers = self.volunteers.get(project.implementing_unit_id, [])
            for n in range(1, count + 1):
                kind = rng.choice(ACTIVITY_TYPES)
                activity = Activity(
                    project=project,
                    type=kind,
                    title=ACTIVITY_TITLES[kind].format(stem=stem, n=n),
                    date=between(rng, first, last),
                    venue=project.community,
                    participants={"casework": 1, "group": 8, "community": 60}.get(kind, 20) + rng.randrange(10),
                    description="由项目社工带领，义工协助开展。",
                )
                attendees = rng.sample(cases, k=min(len(cases), rng.choice([0, 1, 2, 3, 4])))
                pending.append((activity, attendees, rng.sample(staff, k=min(len(staff), rng.randint(1, 2)))))
                pending[-1] += (rng.sample(volunteers, k=min(len(volunteers), rng.randint(0, 2))),)
            if len(pending) >= 20_000:
                self.flush_activities(pending)
                pending = []
        self.flush_activities(pending)

    def flush_activities(self, pending) -> None:
        activities = self.bulk(Activity, [row[0] for row in pending])
        Through = Activity.attendees.through
        links, hours, helpers = [], [], []
        for activity, (_a, attendees, staff, volunteers) in zip(activities, pending, strict=True):
            links += [Through(activity_id=activity.pk, enrollment_id=case.pk) for case in attendees]
            hours += [ActivityStaff(activity=activity, social_worker=w, hours=Decimal("2.5")) for w in staff]
            helpers += [ActivityVolunteer(activity=activity, volunteer=v, hours=Decimal("2")) for v in volunteers]
        self.bulk(Through, links, "activity attendee")
        self.bulk(ActivityStaff, hours)
        self.bulk(ActivityVolunteer, helpers)

    # -- evaluations -------------------------------------------------------------------------------

    def item_score(self, max_score: Decimal, share: float) -> Decimal:
        raw = Decimal(round(float(max_score) * share + self.rng.uniform(-2, 2)))
        return max(Decimal(0), min(max_score, raw))

    def grade(self, score: Decimal) -> str:
        if score >= 90:
            return Grade.EXCELLENT
        if score >= 75:
            return Grade.GOOD
        if score >= 60:
            return Grade.PASS
        return Grade.FAIL

    def seed_evaluations(self) -> None:
        """Mid-term and final evaluations of the projects that passed them (some failed once first),
        each scored by three evaluators on the rubric's criteria; open mid-terms for the running ones."""
        rng = self.rng
        due = []
        for project in self.projects:
            year = project.round.year
            if project.status in MIDTERM_DONE:
                if rng.random() < 0.04:
                    due.append((project, EvaluationKind.MIDTERM, datetime.date(year + 1, 2, 20), "fail"))
                due.append((project, EvaluationKind.MIDTERM, datetime.date(year + 1, 3, 8), "pass"))
            elif project.status == S.IN_PROGRESS:
                due.append((project, EvaluationKind.MIDTERM, datetime.date(year + 1, 3, 8), "open"))
            if project.status in FINAL_DONE:
                due.append((project, EvaluationKind.FINAL, datetime.date(year + 1, 8, 15), "pass"))
        # The city's size of evaluations: a share of the due list, in order (the rest never got one).
        keep = min(1.0, self.sizes.evaluations / max(1, len(due)))
        due = [row for row in due if rng.random() < keep]
        civil = self.users["civil"]
        evaluations, cards = [], []
        for project, kind, day, outcome in due:
            template, criteria = self.templates[kind]
            finalised = outcome != "open"
            totals = []
            for _evaluator in self.evaluators:
                base = rng.uniform(0.35, 0.55) if outcome == "fail" else rng.uniform(0.62, 0.98)
                items = [
                    (
                        c,
                        min(c.max_score, Decimal(round(float(c.max_score) * base + rng.uniform(-2, 2)))).max(
                            Decimal(0)
                        ),
                    )
                    for c in criteria
                ]
                totals.append((items, sum((s for _c, s in items), Decimal(0))))
            score = (sum(t for _i, t in totals) / len(totals)).quantize(Decimal("0.01")) if finalised else None
            grade = self.grade(score) if finalised else ""
            if outcome == "pass" and grade == Grade.FAIL:
                score, grade = Decimal("60.00"), Grade.PASS
            if outcome == "fail":
                grade = Grade.FAIL
            evaluation = Evaluation(
                project=project,
                kind=kind,
                template=template,
                due_date=day,
                status=Evaluation.Status.FINALISED if finalised else Evaluation.Status.OPEN,
                score=score,
                grade=grade,
                scorecards_counted=len(totals) if finalised else None,
                finalised_at=demo.local_time(day, 16) if finalised else None,
                finalised_by=civil if finalised else None,
                version=1 if finalised else 0,
            )
            evaluations.append(evaluation)
            cards.append(totals)
        evaluations = self.bulk(Evaluation, evaluations)
        Through = Evaluation.evaluators.through
        self.bulk(
            Through,
            [Through(evaluation_id=e.pk, user_id=u.pk) for e in evaluations for u in self.evaluators],
            "evaluation evaluator",
        )
        scorecards, item_rows = [], []
        for evaluation, totals in zip(evaluations, cards, strict=True):
            finalised = evaluation.status == Evaluation.Status.FINALISED
            for evaluator, (items, total) in zip(self.evaluators, totals, strict=False):
                if not finalised and rng.random() < 0.5:
                    continue  # an open evaluation: not every evaluator has scored yet
                scorecards.append(
                    Scorecard(
                        evaluation=evaluation,
                        evaluator=evaluator,
                        status=Scorecard.Status.SUBMITTED,
                        total=total,
                        overall_comment=rng.choice(["项目执行规范，成效明显。", "档案需进一步完善。", ""]),
                        submitted_at=demo.local_time(evaluation.due_date, 11),
                    )
                )
                item_rows.append(items)
        scorecards = self.bulk(Scorecard, scorecards)
        self.bulk(
            ScoreItem,
            [
                ScoreItem(scorecard=card, criterion=criterion, score=score)
                for card, items in zip(scorecards, item_rows, strict=True)
                for criterion, score in items
            ],
        )

    # -- the workflow log --------------------------------------------------------------------------

    def seed_audit(self) -> None:
        """Each project's transitions, as the services log them (the from/to states and a comment)."""
        rng = self.rng
        project_type = ContentType.objects.get_for_model(Project)
        civil, association = self.users["civil"], self.users["association"]
        rows = []
        for project in self.projects:
            path = PATHS[project.status]
            officer = self.officers.get(project.implementing_unit_id)
            when = project.created_at
            status = S.DRAFT
            for action in path:
                target = TRANSITIONS[action].target
                actor = {Action.SUBMIT: officer, Action.START: officer, Action.RECOMMEND: association}.get(
                    action, civil
                )
                when = when + datetime.timedelta(days=rng.randint(3, 40), minutes=rng.randrange(600))
                rows.append(
                    AuditEntry(
                        at=when,
                        action=transition_action(action),
                        actor=actor,
                        content_type=project_type,
                        object_id=str(project.pk),
                        object_repr=str(project)[:120],
                        project=project,
                        data={"from": status, "to": target, "comment": ""},
                    )
                )
                status = target
            if len(rows) >= 20_000:
                with given_times(AuditEntry, "at"):
                    self.bulk(AuditEntry, rows)
                rows = []
        with given_times(AuditEntry, "at"):
            self.bulk(AuditEntry, rows)


def _demo_password() -> str:
    from django.conf import settings

    return settings.QICAI_DEMO_PASSWORD


def seed_scale(sizes: Sizes, *, seed: int = 1, write: Callable[[str], None] = print) -> dict[str, int]:
    return ScaleSeeder(sizes, seed=seed, write=write).run()
