"""The public disclosure (公示 and 新项目发布): what anyone may read about the programme, without a login.

Public, for each round with at least one published project (``Project.objects.published()``: approved,
whatever happened since; a terminated project stays listed, flagged 已终止):

- each published project: code, title, public summary, implementing unit (name and unified social credit
  code, public by law), colour category, service model, subdistrict, approved amount, service period,
  public state (``states.PUBLIC_STATES``), approval date, last change;
- the round's totals: the published projects (terminated ones among them) and the approved figure of
  ``projects.figures`` (committed projects: a terminated project's amount no longer counts);
- the round's signed framework agreements: parties, signing date, amount;
- its award records, which exist only once the committee has confirmed them, with their citations.

Never public: applications that were not approved (draft, submitted, returned, recommended, rejected),
beneficiaries and cases, contact persons and phone numbers, comments of any kind (review, audit,
rectification, nomination, agreement notes), evaluators, scores and grades, instalments, social funds.

The pages are cached; ``*_stamp`` reads, in one query, what tells whether anything they show has changed.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from awards.models import AwardRecord
from projects.audit import AuditAction
from projects.figures import Money, round_money
from projects.models import Agreement, AuditEntry, Organization, Project, Round
from projects.states import PUBLIC_STATES, ProjectStatus


class PublicState(NamedTuple):
    """A published project's state as the public reads it (``states.PUBLIC_STATES``)."""

    code: str  # the status-badge colour
    label: str
    terminated: bool


@dataclass(frozen=True)
class Stamp:
    """How fresh a page's data is: ``version`` changes whenever something it shows changes, as far as the
    tables keep modification times (award records and colour categories keep none: an edit in place of a
    citation or a colour is seen with the next change of anything else on the page)."""

    version: str
    last_modified: datetime | None

    @classmethod
    def of(cls, *values) -> "Stamp":
        digest = hashlib.sha256(repr(values).encode()).hexdigest()[:32]
        moments = [value for value in values if isinstance(value, datetime)]
        return cls(version=digest, last_modified=max(moments, default=None))


@dataclass(frozen=True)
class PublicRound:
    """A round with published projects, as the stamp query found it."""

    round: Round
    stamp: Stamp


@dataclass
class RoundListing:
    round: Round
    projects: int
    approved: Decimal


@dataclass
class Disclosure:
    """Everything a round's public page shows."""

    round: Round
    projects: list  # Project, each with ``public_state`` (PublicState)
    money: Money
    frameworks: list  # Agreement
    awards: list  # AwardRecord
    terminated: int = field(init=False)

    def __post_init__(self):
        self.terminated = sum(1 for project in self.projects if project.public_state.terminated)

    @property
    def count(self) -> int:
        return len(self.projects)

    @property
    def approved(self) -> Decimal:
        return self.money.approved


def signed_frameworks():
    return Agreement.objects.filter(kind=Agreement.Kind.FRAMEWORK, status=Agreement.Status.SIGNED)


def public_awards():
    """Award records: to organisations and people, and to projects that are public."""
    return AwardRecord.objects.filter(Q(project__isnull=True) | Q(project__in=Project.objects.published()))


def _per_round(queryset, aggregate):
    rows = queryset.filter(round=OuterRef("pk")).order_by().values("round").annotate(value=aggregate).values("value")
    return Subquery(rows)


def _count_per_round(queryset):
    return Coalesce(_per_round(queryset, Count("pk")), Value(0))


def published_round(year: int) -> PublicRound | None:
    """The round of ``year`` if it has published projects, with its stamp: one query."""
    projects = Project.objects.published()
    frameworks = signed_frameworks()
    awards = public_awards()
    latest_organisation = Organization.objects.order_by("-updated_at").values("updated_at")[:1]
    round_ = (
        Round.objects.filter(year=year)
        .annotate(
            public_projects=_count_per_round(projects),
            projects_changed=_per_round(projects, Max("updated_at")),
            public_frameworks=_count_per_round(frameworks),
            frameworks_changed=_per_round(frameworks, Max("updated_at")),
            public_awards=_count_per_round(awards),
            awards_created=_per_round(awards, Max("created_at")),
            awards_last=_per_round(awards, Max("pk")),
            # Names of units, subdistricts, parties and awarded organisations: any organisation's change counts.
            organisations_changed=Subquery(latest_organisation),
        )
        .first()
    )
    if round_ is None or not round_.public_projects:
        return None
    stamp = Stamp.of(
        round_.pk,
        round_.updated_at,
        round_.public_projects,
        round_.projects_changed,
        round_.public_frameworks,
        round_.frameworks_changed,
        round_.public_awards,
        round_.awards_created,
        round_.awards_last,
        round_.organisations_changed,
    )
    return PublicRound(round=round_, stamp=stamp)


def index_stamp() -> Stamp:
    """The stamp of the list of rounds (titles, counts, approved totals): one query."""
    found = Project.objects.published().aggregate(
        projects=Count("pk"), changed=Max("updated_at"), rounds_changed=Max("round__updated_at")
    )
    return Stamp.of(found["projects"], found["changed"], found["rounds_changed"])


def published_rounds() -> list[RoundListing]:
    """Rounds with published projects, newest first, with their count and approved figure: one query."""
    rounds = (
        Round.objects.with_money()
        .annotate(public_projects=_count_per_round(Project.objects.published()))
        .filter(public_projects__gt=0)
        .order_by("-year")
    )
    return [
        RoundListing(round=round_, projects=round_.public_projects, approved=Money.of(round_).approved)
        for round_ in rounds
    ]


def public_projects(round_: Round, *, with_approval_date: bool = False) -> list[Project]:
    """The round's published projects in code order, each with ``public_state``; one query.

    ``with_approval_date`` adds ``approved_at``: when the approval (审定) was logged, if it was (projects
    imported or seeded as already approved have no such entry).
    """
    projects = Project.objects.published().filter(round=round_).for_public_list()
    if with_approval_date:
        approvals = AuditEntry.objects.filter(project=OuterRef("pk"), action=AuditAction.PROJECT_APPROVE)
        projects = projects.annotate(approved_at=Subquery(approvals.order_by("-at").values("at")[:1]))
    projects = list(projects)
    for project in projects:
        code, label = PUBLIC_STATES[project.status]
        project.public_state = PublicState(code, label, project.status == ProjectStatus.TERMINATED)
    return projects


def round_frameworks(round_: Round) -> list[Agreement]:
    """The round's signed framework agreements with their parties; one query."""
    agreements = signed_frameworks().filter(round=round_).select_related("party_a", "party_b")
    return list(agreements.order_by("signed_date", "pk"))


def round_disclosure(round_: Round) -> Disclosure:
    """A round's public page: projects, money, framework agreements, awards. Four queries, whatever the size."""
    return Disclosure(
        round=round_,
        projects=public_projects(round_),
        money=round_money(round_),
        frameworks=round_frameworks(round_),
        awards=list(public_awards().filter(round=round_).for_list()),
    )


def latest_published_year() -> int | None:
    """The year of the newest round with published projects; one query."""
    return Project.objects.published().order_by("-round__year").values_list("round__year", flat=True).first()
