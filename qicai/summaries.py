"""The programme's summaries for the dashboard and the annual report: the projects' figures with awards.

``projects.selectors`` reads projects (status, money, service, grades), ``awards.selectors`` awards;
they are put together here, in the composition root, because projects never imports awards.
"""

from dataclasses import dataclass, replace

from awards.selectors import award_counts
from projects.models import Round
from projects.selectors import BREAKDOWNS, Summary, round_breakdown, round_summary


@dataclass
class RoundReport:
    """A round's summary and the same summary per colour category, subdistrict and service model."""

    round: Round
    summary: Summary
    breakdowns: dict  # {"category" | "subdistrict" | "service_model": [Summary, …]}


def round_summary_with_awards(round_: Round) -> Summary:
    return replace(round_summary(round_), awards=award_counts(round_))


def round_breakdown_with_awards(round_: Round, by: str) -> list[Summary]:
    awards = award_counts(round_, by)
    return [replace(group, awards=awards.get(group.key, {})) for group in round_breakdown(round_, by)]


def round_report(round_: Round) -> RoundReport:
    """Everything the annual report and the dashboard show of a round; a fixed number of queries."""
    return RoundReport(
        round=round_,
        summary=round_summary_with_awards(round_),
        breakdowns={by: round_breakdown_with_awards(round_, by) for by in BREAKDOWNS},
    )
