"""Reads for the summary screens (projects.selectors, qicai.summaries): right figures, flat query counts."""

import datetime
from decimal import Decimal as D

import pytest

from projects.figures import round_money
from projects.models import Evaluation, Project, Round, RubricTemplate
from projects.selectors import BREAKDOWNS, project_summary, round_breakdown, round_summary
from qicai.summaries import round_report
from tests.casework_factories import enroll, make_id
from tests.factories import RoundFactory, project_in_state
from tests.helpers import count_queries, grow_served_projects

pytestmark = pytest.mark.django_db
S = Project.Status
DAY = datetime.date(2014, 6, 1)


@pytest.fixture
def round_2014(db):
    return RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=D("500000.00"))


@pytest.fixture
def template(db):
    return RubricTemplate.objects.create(name="评分", kind="final")


def finalised(project, template, kind, grade, score):
    return Evaluation.objects.create(
        project=project, kind=kind, template=template, due_date=DAY, status="finalised", grade=grade, score=D(score)
    )


def test_a_round_summary_counts_people_once(cast, round_2014, unit_org):
    one = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit_org)
    two = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit_org, category=one.category)
    same_person = make_id(serial="777")
    enroll(one, cast["unit"], name="王秀英", id_number=same_person)
    enroll(two, cast["unit"], name="王秀英", id_number=same_person)
    enroll(two, cast["unit"], name="没有身份证的人")
    project_in_state(S.DRAFT, round=round_2014, implementing_unit=unit_org)

    summary = round_summary(round_2014)
    assert summary.projects == 3 and summary.projects_by_status == {"草稿": 1, "实施中": 2}
    assert (summary.service.people_served, summary.service.cases, summary.service.open_cases) == (2, 3, 3)
    assert summary.money == round_money(round_2014)
    assert summary.label == str(round_2014)
    groups = {group.label: group for group in round_breakdown(round_2014, "category")}
    assert groups[one.category.name].service.people_served == 2 and groups[one.category.name].projects == 2
    assert project_summary(two).service.people_served == 2


def test_grades_count_each_projects_latest_evaluation(cast, round_2014, unit_org, template):
    project = project_in_state(S.MIDTERM_EVALUATED, round=round_2014, implementing_unit=unit_org)
    finalised(project, template, "midterm", "fail", "50")
    finalised(project, template, "midterm", "good", "80")  # redone after rectification
    summary = round_summary(round_2014)
    assert summary.grades == {"中期评估": {"优秀": 0, "良好": 1, "合格": 0, "不合格": 0}}
    assert project_summary(project).grades == {"中期评估": "良好"}


def test_breakdowns_add_up_to_the_round(cast, round_2014, unit_org, template):
    grow_served_projects(round_2014, unit_org, cast["unit"], 4, start=0, template=template)
    project_in_state(S.APPROVED, round=round_2014, implementing_unit=unit_org, subdistrict=None)
    report = round_report(round_2014)
    total = report.summary
    assert total.projects == 5 and total.awards == {"奖项0": 4}
    assert total.service.volunteer_hours == D("10.0") and total.service.activities_by_type == {"小组活动": 4}
    assert total.grades["结项评估"]["良好"] == 4
    for by in BREAKDOWNS:
        groups = report.breakdowns[by]
        assert sum(group.projects for group in groups) == 5, by
        assert sum(group.money.approved for group in groups) == total.money.approved, by
        assert sum(group.service.cases for group in groups) == total.service.cases, by
        assert sum(group.awards.get("奖项0", 0) for group in groups) == 4, by
        assert all(group.label for group in groups), by
    assert report.breakdowns["subdistrict"][-1].label == "未填写"
    assert [group.label for group in report.breakdowns["service_model"]] == ["社工+义工", "机构+社区"]


def test_summaries_cost_the_same_queries_however_many_rows(cast, round_2014, unit_org, template):
    first = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit_org)
    reads = {
        "round": lambda: round_summary(round_2014),
        **{by: (lambda by=by: round_breakdown(round_2014, by)) for by in BREAKDOWNS},
        "project": lambda: project_summary(first),
        "report": lambda: round_report(round_2014),
    }
    grow_served_projects(round_2014, unit_org, cast["unit"], 2, start=0, template=template)
    few = {name: count_queries(read) for name, read in reads.items()}
    grow_served_projects(round_2014, unit_org, cast["unit"], 8, start=100, template=template)
    for i in range(3):
        enroll(first, cast["unit"], name=f"新个案{i}", id_number=make_id(serial=f"9{i:02d}"))
    assert {name: count_queries(read) for name, read in reads.items()} == few
    assert few["round"] <= 12 and few["project"] <= 8
