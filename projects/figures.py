"""The programme's money figures, each defined once, here: per project, per round and per group of projects.

Every figure is a SQL sum exact to the fen (``MoneyTotalField`` brings SQLite's float sums back to
Decimal fen). The round page and list, the project page, the approval service's budget check and the
summaries for the dashboard and the annual report (``projects.selectors``) all read these.

Populations
    A round's **funded projects** are those whose government amount was fixed (审定: an approved
    amount is set) and that were not rejected, whatever happened to them since: running, completed,
    archived, or terminated. Its **committed projects** are the funded ones not terminated.
    Applications that were never approved (drafts, submitted, returned, recommended, rejected) fund
    nothing and count nowhere, even if social funds were recorded against them as pledges.

Figures (the same definition per project, per round and per group; a round or group sums its projects)
    budget           the district money put up for the round (``Round.budget``; rounds only)
    approved         审定金额 of the committed projects
    terminated_paid  instalments already paid to terminated projects: spent, so still the round's
    government       政府资金 = approved + terminated_paid: what the round has spent or promised
    remaining        剩余预算 = budget − government (what may still be approved)
    contracted       已签约 = amounts of signed project agreements (a terminated project's agreement is
                     terminated with it and no longer counts)
    disbursed        已拨付 = every released instalment (terminated projects' included)
    outstanding      待拨付 = government − disbursed = what committed projects are still to be paid
    social           配套社会资金 = funds received by the funded projects (a terminated project's included;
                     pledges recorded on an application that was never approved are not)
    leverage         撬动比 = social ÷ government, over the same funded projects, to two decimals
                     (shown as a percentage: 0.30 is 30%); none without government money
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import Agreement, Instalment, Project, Round, SocialFund

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
S = Project.Status


class MoneyTotalField(DecimalField):
    """The output of a SQL money sum, always a Decimal to the fen.

    SQLite sums decimals as floats and Django does not quantize computed values;
    this brings 999999.9999999998 back to 1000000.00.
    """

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


MONEY = MoneyTotalField(max_digits=16, decimal_places=2)


def money_sum(queryset, field: str, group_by: str):
    """A correlated SUM of ``field`` over ``queryset`` (already filtered by OuterRef), 0 when empty.

    A subquery per figure keeps joins from multiplying rows, so each total is exact to the fen.
    """
    subquery = queryset.order_by().values(group_by).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(subquery, output_field=MONEY), Value(ZERO), output_field=MONEY)


def leverage(social: Decimal, government: Decimal) -> Decimal | None:
    """撬动比: social money ÷ government money, to two decimals (half up); None without government money."""
    if not government:
        return None
    return (Decimal(social) / Decimal(government)).quantize(FEN, rounding=ROUND_HALF_UP)


# -- populations ----------------------------------------------------------------------------


def funded(prefix: str = "") -> Q:
    """Projects the government funds: an approved amount was fixed and the project was not rejected.

    ``prefix`` is the path from the filtered model to its project (``"project__"``).
    """
    return Q(**{f"{prefix}approved_amount__isnull": False}) & ~Q(**{f"{prefix}status": S.REJECTED})


def is_funded(project: Project) -> bool:
    """``funded()`` for one project in hand."""
    return project.approved_amount is not None and project.status != S.REJECTED


def committed(prefix: str = "") -> Q:
    """Funded projects that were not terminated: their whole approved amount is spoken for."""
    return funded(prefix) & ~Q(**{f"{prefix}status": S.TERMINATED})


# -- the figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyFigure:
    """One summed figure: ``field`` over the rows of ``model`` for which ``rows(prefix)`` holds.

    ``to_project`` is the path from ``model`` to its project ("" for ``Project`` itself); every figure is
    scoped by its projects (one project, a round's, a group's) along it.
    """

    name: str
    model: type
    to_project: str
    field: str
    rows: Callable[[str], Q]

    @property
    def prefix(self) -> str:
        return f"{self.to_project}__" if self.to_project else ""

    def queryset(self, **project_lookups):
        """The rows counted, of the projects matching ``project_lookups`` (``round=…``, ``pk=…``)."""
        lookups = {f"{self.prefix}{key}": value for key, value in project_lookups.items()}
        return self.model.objects.filter(self.rows(self.prefix), **lookups)

    def per_round(self, *, excluding_project_id: int | None = None):
        rows = self.queryset(round=OuterRef("pk"))
        if excluding_project_id is not None:
            rows = rows.exclude(**{f"{self.prefix}pk": excluding_project_id})
        return money_sum(rows, self.field, f"{self.prefix}round")

    def per_project(self):
        return money_sum(self.queryset(pk=OuterRef("pk")), self.field, f"{self.prefix}pk")

    def grouped(self, key: str, **project_lookups) -> dict:
        """``{key value: total}`` over the matching projects, grouped by the project field ``key``."""
        path = f"{self.prefix}{key}"
        totals = (
            self.queryset(**project_lookups)
            .order_by()
            .values(path)
            .annotate(total=Sum(self.field, output_field=MONEY))
            .values_list(path, "total")
        )
        return {group: total or ZERO for group, total in totals}


RELEASED = Q(status=Instalment.Status.RELEASED)

APPROVED = MoneyFigure("approved_total", Project, "", "approved_amount", committed)
TERMINATED_PAID = MoneyFigure(
    "terminated_paid_total",
    Instalment,
    "project",
    "amount",
    lambda prefix: RELEASED & Q(**{f"{prefix}status": S.TERMINATED}),
)
CONTRACTED = MoneyFigure(
    "contracted_total",
    Agreement,
    "project",
    "amount",
    lambda prefix: Q(kind=Agreement.Kind.PROJECT, status=Agreement.Status.SIGNED),
)
DISBURSED = MoneyFigure("disbursed_total", Instalment, "project", "amount", lambda prefix: RELEASED)
SOCIAL = MoneyFigure("social_total", SocialFund, "project", "amount", funded)

FIGURES = (APPROVED, TERMINATED_PAID, CONTRACTED, DISBURSED, SOCIAL)


@dataclass(frozen=True)
class Money:
    """The money position of a round, a group of projects or one project (see the module docstring)."""

    approved: Decimal = ZERO
    terminated_paid: Decimal = ZERO
    contracted: Decimal = ZERO
    disbursed: Decimal = ZERO
    social: Decimal = ZERO
    budget: Decimal | None = None

    @classmethod
    def of(cls, annotated, budget: Decimal | None = None) -> "Money":
        """From a round or project annotated by ``with_round_money`` / ``with_project_money``."""
        return cls(
            approved=annotated.approved_total,
            terminated_paid=annotated.terminated_paid_total,
            contracted=annotated.contracted_total,
            disbursed=annotated.disbursed_total,
            social=annotated.social_total,
            budget=budget,
        )

    @property
    def government(self) -> Decimal:
        return self.approved + self.terminated_paid

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.government

    @property
    def outstanding(self) -> Decimal:
        return self.government - self.disbursed

    @property
    def leverage(self) -> Decimal | None:
        return leverage(self.social, self.government)


def with_round_money(rounds, *, excluding_project_id: int | None = None):
    """Rounds annotated with every figure (``approved_total`` …), one correlated subquery each."""
    return rounds.annotate(
        **{figure.name: figure.per_round(excluding_project_id=excluding_project_id) for figure in FIGURES}
    )


def with_project_money(projects):
    """Projects annotated with every figure (``approved_total`` …), one correlated subquery each."""
    return projects.annotate(**{figure.name: figure.per_project() for figure in FIGURES})


def round_money(round_: Round | int, *, excluding_project_id: int | None = None) -> Money:
    """A round's money position in one query.

    ``excluding_project_id`` leaves one project out, as if it had not been approved: the approval
    service asks what remains for the project it is about to approve.
    """
    round_id = round_ if isinstance(round_, int) else round_.pk
    annotated = with_round_money(Round.objects.filter(pk=round_id), excluding_project_id=excluding_project_id).get()
    return Money.of(annotated, budget=annotated.budget)


def project_money(project: Project) -> Money:
    """One project's money position in one query (a project has no budget of its own)."""
    return Money.of(with_project_money(Project.objects.filter(pk=project.pk)).get())


def grouped_money(key: str, **project_lookups) -> dict:
    """``{key value: Money}`` for the projects matching ``project_lookups``, grouped by ``key``.

    One query per figure, whatever the number of projects or groups.
    """
    totals = {figure.name: figure.grouped(key, **project_lookups) for figure in FIGURES}
    groups = set().union(*(by_group.keys() for by_group in totals.values()))
    return {
        group: Money(
            approved=totals[APPROVED.name].get(group, ZERO),
            terminated_paid=totals[TERMINATED_PAID.name].get(group, ZERO),
            contracted=totals[CONTRACTED.name].get(group, ZERO),
            disbursed=totals[DISBURSED.name].get(group, ZERO),
            social=totals[SOCIAL.name].get(group, ZERO),
        )
        for group in groups
    }


@dataclass(frozen=True)
class ListTotals:
    """The totals row of a list of projects: the sums of its columns as shown, as Excel's SUM would give
    them. Unlike a round's ``approved``, a listed terminated project's approved amount is in the sum."""

    projects: int = 0
    requested: Decimal = ZERO
    approved: Decimal = ZERO


def list_totals(projects) -> ListTotals:
    """Count, requested and approved sums of a (filtered) project queryset, in one query."""
    from django.db.models import Count

    row = projects.order_by().aggregate(
        projects=Count("pk"),
        requested=Sum("requested_amount", output_field=MONEY),
        approved_sum=Sum("approved_amount", output_field=MONEY),
    )
    return ListTotals(row["projects"], row["requested"] or ZERO, row["approved_sum"] or ZERO)


def kept_list_totals(projects) -> ListTotals:
    """``list_totals``, kept under the data version (``projects.data_version``) for exactly this queryset: its
    SQL, which holds the user's scope and the filters, is the key. The workbench's project list shows it."""
    from projects import data_version

    sql, params = projects.order_by().query.sql_with_params()
    return data_version.cached("list-totals", sql, params, compute=lambda: list_totals(projects))


@dataclass(frozen=True)
class PlanTotals:
    """A project's instalment plan summed: how many instalments, their shares and their amounts."""

    count: int = 0
    percent: Decimal = ZERO
    amount: Decimal = ZERO


def instalment_plan_totals(project: Project) -> PlanTotals:
    """The totals row of a project's 拨付计划, in one query."""
    row = Instalment.objects.filter(project=project).aggregate(
        count=Count("pk"), percent=Sum("percent", output_field=MONEY), amount=Sum("amount", output_field=MONEY)
    )
    return PlanTotals(count=row["count"], percent=row["percent"] or ZERO, amount=row["amount"] or ZERO)
