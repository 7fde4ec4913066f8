"""年度总结报告: what the annual summary report of a round prints, read once from the dashboard's functions.

Every figure comes from ``qicai.summaries`` (the same ``round_report`` the dashboard shows), every chart
from ``qicai.portal.dashboard.build_charts`` (the same drawings), the ranking from
``services.round_ranking``, the people per special group from ``selectors.people_by_special_group``;
this module only gathers them, with the awards, the excellent case stories and the list of projects.
The report is the whole round: only programme staff print it (``permissions.sees_whole_portfolio``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from awards.models import AwardRecord
from projects.formatting import choice_label
from projects.models import AuditEntry, CaseStory, Evaluation, Grade, Project, Round, ServiceCategory
from projects.selectors import GroupService, people_by_special_group
from projects.services import round_ranking
from qicai.portal.dashboard import build_charts
from qicai.summaries import RoundReport, round_report


@dataclass
class AnnualReport:
    round: Round
    report: RoundReport  # the round's summary, its breakdowns and the comparison across rounds
    charts: list  # the dashboard's charts of the round, in reading order
    special_groups: list[GroupService]
    ranking: list[Evaluation]  # finalised final evaluations, best first
    grade_distribution: dict  # {grade label: projects}
    awards: list[AwardRecord]
    stories: list[CaseStory]  # excellent case stories, as published (no names)
    projects: list[Project]  # the appendix: every project of the round, in code order
    generated_on: datetime.date  # the data's date: the round's latest recorded change

    @property
    def summary(self):
        return self.report.summary


def data_date(round_: Round) -> datetime.date:
    """The day of the round's latest recorded change (the cover's date): the same data, the same report."""
    latest = AuditEntry.objects.filter(project__round=round_).aggregate(latest=Max("at"))["latest"]
    return timezone.localdate(latest) if latest else timezone.localdate()


def annual_report(round_: Round) -> AnnualReport:
    """Everything the report of ``round_`` prints: a fixed number of queries however large the round."""
    report = round_report(round_)
    projects = list(Project.objects.filter(round=round_).for_list().with_latest_grade().order_by("sequence", "code"))
    for project in projects:
        project.latest_grade_label = choice_label(Grade, project.latest_grade)
    ranking, distribution = round_ranking(round_)
    colours = dict(ServiceCategory.objects.values_list("pk", "colour"))
    return AnnualReport(
        round=round_,
        report=report,
        charts=build_charts(report, colours),
        special_groups=people_by_special_group(round_),
        ranking=ranking,
        grade_distribution=distribution,
        awards=list(
            AwardRecord.objects.filter(round=round_)
            .select_related("award_type", "project", "project__implementing_unit", "organization")
            .order_by("award_type__name", "rank", "project__code", "pk")
        ),
        stories=list(
            CaseStory.objects.filter(project__round=round_, is_excellent=True)
            .select_related("project", "project__implementing_unit")
            .order_by("project__code", "pk")
        ),
        projects=projects,
        generated_on=data_date(round_),
    )
