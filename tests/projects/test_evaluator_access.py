"""An evaluator's access to a project (and its casework) ends with its evaluation's grace period."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import permissions, roles
from projects.models import (
    Activity,
    Enrollment,
    Evaluation,
    FollowUp,
    Project,
    RubricCriterion,
    RubricTemplate,
    Scorecard,
)
from projects.services import evaluation_assign, evaluation_create
from tests.casework_factories import enroll, live_project
from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    return UserFactory(username="evaluator-b", role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))


@pytest.fixture
def evaluated(cast, unit_org, colleague):
    """A running project with a case, a follow-up and an activity, under an evaluation by two evaluators."""
    project = live_project(unit_org)
    case = enroll(project, cast["unit"], name="王秀英")
    follow_up = FollowUp.objects.create(enrollment=case, date=datetime.date(2014, 6, 1), note="探访")
    activity = Activity.objects.create(project=project, type="group", title="小组", date=datetime.date(2014, 6, 2))
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    for evaluator in (cast["evaluator"], colleague):
        evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=cast["civil"])
        Scorecard.objects.create(evaluation=evaluation, evaluator=evaluator, status="submitted", total=Decimal(80))
    return {"project": project, "case": case, "follow_up": follow_up, "activity": activity, "evaluation": evaluation}


def finalise(evaluation, days_ago):
    """Finalised ``days_ago`` days ago (set directly: the service always stamps now)."""
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=Evaluation.Status.FINALISED,
        score=Decimal("80.00"),
        grade="good",
        finalised_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    evaluation.refresh_from_db()


def casework_pages(evaluated):
    return {
        "project": reverse("admin:projects_project_change", args=[evaluated["project"].pk]),
        "enrollment": reverse("admin:projects_enrollment_change", args=[evaluated["case"].pk]),
        "followup": reverse("admin:projects_followup_change", args=[evaluated["follow_up"].pk]),
        "activity": reverse("admin:projects_activity_change", args=[evaluated["activity"].pk]),
    }


def in_scope(user, evaluated) -> dict[str, bool]:
    """Each scope question asked of the predicate and of the queryset, which must agree."""
    project = evaluated["project"]
    predicate = permissions.can_view_project(user, project)
    queryset = Project.objects.visible_to(user).filter(pk=project.pk).exists()
    assert predicate == queryset, "can_view_project and Project.objects.visible_to disagree"
    return {
        "project": predicate,
        "enrollment": Enrollment.objects.visible_to(user).filter(pk=evaluated["case"].pk).exists(),
        "followup": FollowUp.objects.visible_to(user).filter(pk=evaluated["follow_up"].pk).exists(),
        "activity": Activity.objects.visible_to(user).filter(pk=evaluated["activity"].pk).exists(),
    }


@pytest.mark.parametrize("days_ago", [None, 0, 29])
def test_evaluator_sees_the_project_while_open_and_within_grace(client, cast, evaluated, days_ago):
    if days_ago is not None:
        finalise(evaluated["evaluation"], days_ago)
    evaluator = cast["evaluator"]
    assert all(in_scope(evaluator, evaluated).values())
    client.force_login(evaluator)
    for name, url in casework_pages(evaluated).items():
        assert client.get(url).status_code == 200, name
    for name in ["project", "enrollment", "followup", "activity"]:
        response = client.get(reverse(f"admin:projects_{name}_changelist"))
        assert response.context["cl"].result_count == 1, name


def test_evaluator_loses_the_project_after_grace(client, cast, evaluated, colleague):
    finalise(evaluated["evaluation"], 31)
    evaluator = cast["evaluator"]
    assert not any(in_scope(evaluator, evaluated).values())
    client.force_login(evaluator)
    for name, url in casework_pages(evaluated).items():
        assert client.get(url).status_code == 404, name
    for name in ["project", "enrollment", "followup", "activity"]:
        response = client.get(reverse(f"admin:projects_{name}_changelist"))
        assert response.status_code == 200, name
        assert response.context["cl"].result_count == 0, name
    # The evaluation record, its result and the evaluator's own scorecard stay; a colleague's does not.
    evaluation = evaluated["evaluation"]
    assert permissions.can_view_evaluation(evaluator, evaluation)
    assert list(Evaluation.objects.visible_to(evaluator)) == [evaluation]
    assert list(Scorecard.objects.visible_to(evaluator).values_list("evaluator", flat=True)) == [evaluator.pk]
    response = client.get(reverse("admin:projects_evaluation_change", args=[evaluation.pk]))
    assert response.status_code == 200
    assert "良好" in response.content.decode()
    assert evaluation.project.code in client.get(reverse("admin:projects_evaluation_changelist")).content.decode()


def test_colleagues_scorecards_show_only_within_grace(cast, evaluated, colleague):
    evaluation = evaluated["evaluation"]
    assert Scorecard.objects.visible_to(cast["evaluator"]).count() == 1  # open: its own only
    finalise(evaluation, 10)
    assert Scorecard.objects.visible_to(cast["evaluator"]).count() == 2
    finalise(evaluation, 31)
    assert Scorecard.objects.visible_to(cast["evaluator"]).count() == 1


def test_grace_period_is_configurable(cast, evaluated, settings):
    finalise(evaluated["evaluation"], 10)
    settings.QICAI_EVALUATOR_GRACE_DAYS = 7
    assert not permissions.can_view_project(cast["evaluator"], evaluated["project"])
    assert not Project.objects.visible_to(cast["evaluator"]).exists()
    settings.QICAI_EVALUATOR_GRACE_DAYS = 14
    assert permissions.can_view_project(cast["evaluator"], evaluated["project"])
    assert Project.objects.visible_to(cast["evaluator"]).exists()


def test_an_open_evaluation_keeps_the_project_whatever_the_others(cast, evaluated, unit_org):
    """A project evaluated again (a new open evaluation) is seen again, whatever the old one's age."""
    finalise(evaluated["evaluation"], 400)
    assert not permissions.can_view_project(cast["evaluator"], evaluated["project"])
    final = RubricTemplate.objects.create(name="结项评估标准", kind="final")
    RubricCriterion.objects.create(template=final, name="服务成效", max_score=100)
    Project.objects.filter(pk=evaluated["project"].pk).update(status=Project.Status.MIDTERM_EVALUATED)
    project = Project.objects.get(pk=evaluated["project"].pk)
    second = evaluation_create(
        project=project, kind="final", template=final, due_date=datetime.date(2015, 2, 1), by=cast["civil"]
    )
    evaluation_assign(evaluation=second, evaluator=cast["evaluator"], by=cast["civil"])
    assert permissions.can_view_project(cast["evaluator"], project)
    assert Project.objects.visible_to(cast["evaluator"]).filter(pk=project.pk).exists()


def test_a_finalised_evaluation_without_a_time_opens_nothing(cast, evaluated):
    Evaluation.objects.filter(pk=evaluated["evaluation"].pk).update(status="finalised", score=80, grade="good")
    assert not any(in_scope(cast["evaluator"], evaluated).values())


@pytest.mark.parametrize("role", ["evaluator", "civil", "unit"])
def test_evaluation_and_project_lists_stay_flat(client, cast, unit_org, role):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)

    def evaluate(n, days_ago):
        for _ in range(n):
            evaluation = evaluation_create(
                project=live_project(unit_org),
                kind="midterm",
                template=template,
                due_date=datetime.date(2014, 9, 1),
                by=cast["civil"],
            )
            evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
            if days_ago is not None:
                finalise(evaluation, days_ago)

    urls = [reverse(f"admin:projects_{name}_changelist") for name in ["evaluation", "project", "enrollment"]]

    client.force_login(cast[role])
    evaluate(1, None)
    evaluate(1, 40)
    few = measure(client, urls)
    evaluate(4, None)
    evaluate(4, 10)
    evaluate(4, 40)
    assert measure(client, urls) == few
