"""The programme's summaries for the dashboard and the annual report: the projects' figures with awards.

``projects.selectors`` reads projects (status, money, service, grades), ``awards.selectors`` awards;
they are put together here, in the composition root, because projects never imports awards.
"""

from dataclasses import dataclass, replace

from awards.selectors import award_counts
from projects import permissions
from projects.models import Project, Round
from projects.selectors import BREAKDOWNS, Summary, round_breakdown, round_comparison, round_summary


@dataclass
class RoundReport:
    """A round's summary and the same summary per colour category, subdistrict and service model."""

    round: Round
    summary: Summary
    breakdowns: dict  # {"category" | "subdistrict" | "service_model": [Summary, …]}
    comparison: list  # [Summary per round with projects, oldest first], for the comparison across rounds


def summary_scope(user):
    """The projects whose figures ``user`` may see summarised: ``None`` (every project) for programme
    staff, else the user's own (a unit's projects, an evaluator's assignments; nothing for others).

    A unit's summary never counts another unit's cases: its people served are the distinct people of
    its own projects, so the dashboard is no oracle for who is registered elsewhere.
    """
    return None if permissions.sees_whole_portfolio(user) else Project.objects.visible_to(user)


def scope_key(user) -> str:
    """A name for the projects ``summary_scope(user)`` gives, to keep figures under (``data_version.cached``):
    every programme staff member shares the whole portfolio's, a unit's staff their unit's."""
    if permissions.sees_whole_portfolio(user):
        return "all"
    if permissions.is_implementing_unit(user):
        return f"unit:{permissions.organization_id_of(user)}"
    if permissions.is_evaluator(user):
        return f"evaluator:{user.pk}"
    return "none"


def round_summary_with_awards(round_: Round, *, within=None) -> Summary:
    return replace(round_summary(round_, within=within), awards=award_counts(round_, within=within))


def round_breakdown_with_awards(round_: Round, by: str, *, within=None) -> list[Summary]:
    awards = award_counts(round_, by, within=within)
    return [replace(group, awards=awards.get(group.key, {})) for group in round_breakdown(round_, by, within=within)]


def round_report(round_: Round, *, within=None) -> RoundReport:
    """Everything the annual report and the dashboard show of a round; a fixed number of queries.

    ``within``: see ``summary_scope``; ``None`` summarises the whole round.
    """
    return RoundReport(
        round=round_,
        summary=round_summary_with_awards(round_, within=within),
        breakdowns={by: round_breakdown_with_awards(round_, by, within=within) for by in BREAKDOWNS},
        comparison=round_comparison(within=within),
    )
