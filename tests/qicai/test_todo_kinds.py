"""待办 beyond project transitions: evaluations to score (the evaluator), evaluations ready to grade (civil
affairs), nominations to confirm (the committee): each counted on the workbench's index, listed on the
to-do page and summed in the portal's header."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from awards.models import AwardType, Nomination
from projects import data_version
from projects.models import Project, RubricTemplate
from projects.services import evaluation_assign, evaluation_create, scorecard_save
from qicai.todo import todo_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(demo_district):
    return {name: get_user_model().objects.get(username=name) for name in ("civil", "evaluator", "committee", "unit")}


def counts(user) -> dict:
    return {item.action: item.count for item in todo_for(user)}


def open_evaluation(users):
    project = Project.objects.get(code="QC-2013-001")
    template = RubricTemplate.objects.filter(kind="midterm").order_by("-version").first()
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 4, 30), by=users["civil"]
    )
    return evaluation_assign(evaluation=evaluation, evaluator=users["evaluator"], by=users["civil"])


def test_an_assigned_evaluation_waits_on_its_evaluator_until_the_scorecard_is_submitted(client, users):
    evaluator, civil = users["evaluator"], users["civil"]
    before_finalise = counts(civil)["finalise"]
    before_score = counts(evaluator)["score"]  # the demo's own evaluation under way
    evaluation = open_evaluation(users)
    assert counts(evaluator)["score"] == before_score + 1
    assert counts(civil)["finalise"] == before_finalise  # the expert has not submitted yet

    client.force_login(evaluator)
    index = client.get(reverse("admin:index")).content.decode()
    assert "待评分的评估" in index
    page = client.get(reverse("admin:todo")).content.decode()
    assert reverse("admin:projects_evaluation_change", args=[evaluation.pk]) in page
    assert "QC-2013-001" in page
    header = client.get("/").context["portal"]
    assert header.todo_count == sum(counts(evaluator).values())

    scores = {criterion.pk: (criterion.max_score, "") for criterion in evaluation.template.criteria.all()}
    scorecard_save(evaluation=evaluation, by=evaluator, scores=scores, submit=True)
    assert counts(evaluator)["score"] == before_score
    assert counts(civil)["finalise"] == before_finalise + 1
    client.force_login(civil)
    page = client.get(reverse("admin:todo")).content.decode()
    assert "待定级的评估" in page
    assert reverse("admin:projects_evaluation_change", args=[evaluation.pk]) in page


def test_a_pending_nomination_waits_on_the_committee(client, users):
    committee = users["committee"]
    before = counts(committee).get("decide_nomination", 0)
    award_type = AwardType.objects.order_by("order").first()
    project = Project.objects.filter(round__year=2013).order_by("code").last()
    Nomination.objects.create(
        round=project.round, award_type=award_type, project=project, source="association", reason="服务成效显著"
    )
    assert counts(committee)["decide_nomination"] == before + 1
    client.force_login(committee)
    page = client.get(reverse("admin:todo")).content.decode()
    assert "待确认的表彰提名" in page and project.code in page
    assert "decide_nomination" not in counts(users["unit"]) and "score" not in counts(users["unit"])


def test_an_instalment_whose_condition_is_met_waits_on_civil_affairs(client, users):
    civil = users["civil"]
    before = counts(civil)["release"]
    project = Project.objects.get(code="QC-2013-001")
    Project.objects.filter(pk=project.pk).update(midterm_passed_on=datetime.date(2014, 3, 20))  # as finalising does
    data_version.changed()  # … whose audit row makes a new data version (an update() sends no signal)
    assert counts(civil)["release"] == before + 1
    assert "release" not in counts(users["unit"]) and "release" not in counts(users["committee"])
    client.force_login(civil)
    page = client.get(reverse("admin:todo")).content.decode()
    assert "可以拨付的款项" in page and "QC-2013-001" in page
    from projects.models import Instalment
    from projects.services import instalment_release

    project.refresh_from_db()
    instalment = project.instalments.filter(status=Instalment.Status.PLANNED).order_by("sequence").first()
    instalment_release(instalment=instalment, by=civil, released_on=datetime.date(2014, 3, 25), voucher_number="PZ-9")
    assert counts(civil)["release"] == before


def test_open_cases_without_a_recent_follow_up_wait_on_their_unit(client, users, settings):
    from projects.models import Enrollment, FollowUp

    unit = users["unit"]
    settings.QICAI_FOLLOW_UP_DAYS = 30
    waiting = counts(unit)["follow_up"]
    assert waiting > 0  # the demo's running 2013 projects ended in 2014 with open cases last seen earlier
    case = (
        Enrollment.objects.filter(
            status="open", project__status="in_progress", project__implementing_unit__memberships__user=unit
        )
        .select_related("project")
        .first()
    )
    FollowUp.objects.create(enrollment=case, date=case.project.end_date, note="结项前回访")
    assert counts(unit)["follow_up"] == waiting - 1
    settings.QICAI_FOLLOW_UP_DAYS = 100000
    assert counts(unit)["follow_up"] == 0
    assert "follow_up" not in counts(users["civil"])
    client.force_login(unit)
    settings.QICAI_FOLLOW_UP_DAYS = 30
    page = client.get(reverse("admin:todo")).content.decode()
    assert "超过 30 天未跟踪的个案" in page


def test_a_drafted_framework_agreement_waits_on_whoever_signs_it(client, users):
    from projects.models import Agreement, Organization, Round
    from projects.services import agreement_create, agreement_sign_framework

    civil = users["civil"]
    before = counts(civil)["sign_framework"]
    assert "sign_framework" not in counts(users["unit"]) and "sign_framework" not in counts(users["evaluator"])
    round_2014 = Round.objects.get(year=2014)
    agreement = agreement_create(
        agreement=Agreement(
            kind=Agreement.Kind.FRAMEWORK,
            round=round_2014,
            party_a=Organization.objects.filter(type="government").first(),
            party_b=Organization.objects.filter(type="association").first(),
            amount=round_2014.budget,
            term_start=datetime.date(2014, 5, 1),
            term_end=datetime.date(2015, 4, 30),
        ),
        by=civil,
    )
    assert counts(civil)["sign_framework"] == before + 1
    client.force_login(civil)
    page = client.get(reverse("admin:todo")).content.decode()
    assert "待签订的框架协议" in page and reverse("admin:projects_agreement_change", args=[agreement.pk]) in page
    agreement_sign_framework(agreement=agreement, by=civil, signed_date=datetime.date(2014, 4, 20))
    assert counts(civil)["sign_framework"] == before
