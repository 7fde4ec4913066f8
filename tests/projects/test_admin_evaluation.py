"""Evaluations in the admin: assigning, scoring, finalising; who sees an evaluation and the round ranking."""

import datetime

import pytest
from django.urls import reverse

from projects import roles
from projects.models import Project, Round, RubricCriterion, RubricTemplate, Scorecard
from projects.services import evaluation_assign, evaluation_create
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(cast, unit_org):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    for order, (name, points) in enumerate([("项目管理", 40), ("服务成效", 60)]):
        RubricCriterion.objects.create(template=template, name=name, max_score=points, order=order)
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS)
    project = project_in_state(Project.Status.IN_PROGRESS, round=round_, implementing_unit=unit_org)
    return evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )


def score(client, evaluation, values, submit=True):
    data = {"score-TOTAL_FORMS": str(len(values)), "score-INITIAL_FORMS": str(len(values))}
    data.update({f"score-{index}-score": value for index, value in enumerate(values)})
    data["_submit" if submit else "_save"] = "1"
    return client.post(reverse("admin:projects_evaluation_score", args=[evaluation.pk]), data)


def test_assign_score_and_finalise_through_the_admin(client, cast, evaluation, unit_org):
    change = reverse("admin:projects_evaluation_change", args=[evaluation.pk])
    assign = reverse("admin:projects_evaluation_assign", args=[evaluation.pk])
    client.force_login(cast["civil"])
    conflicted = UserFactory(role=roles.EVALUATOR, organization=unit_org)
    response = client.post(assign, {"evaluator": conflicted.pk}, follow=True)
    assert "利益冲突" in response.content.decode()
    client.post(assign, {"evaluator": cast["evaluator"].pk})
    second = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))
    client.post(assign, {"evaluator": second.pk})
    assert evaluation.evaluators.count() == 2

    client.force_login(cast["evaluator"])
    assert "评分" in client.get(change).content.decode()
    for values, message in [
        (["41", "50"], "小于或等于40"),
        (["abc", "50"], "输入一个数字"),
        (["NaN", "50"], "输入一个数字"),
    ]:
        response = score(client, evaluation, values)
        assert response.status_code == 200 and message in response.content.decode(), values
    assert score(client, evaluation, ["36", "54"]).status_code == 302  # submitted: 90.00 of 100
    client.force_login(second)
    assert "90.00" not in client.get(change).content.decode()  # others' scores hidden until finalised
    client.force_login(cast["civil"])
    assert "90.00" in client.get(change).content.decode()  # … and shown to programme staff
    client.force_login(second)
    assert score(client, evaluation, ["30", "45"], submit=True).status_code == 302

    client.force_login(cast["unit"])
    assert client.get(reverse("admin:projects_evaluation_finalise", args=[evaluation.pk])).status_code == 403
    assert client.get(reverse("admin:projects_evaluation_score", args=[evaluation.pk])).status_code == 403

    client.force_login(cast["civil"])
    finalise = reverse("admin:projects_evaluation_finalise", args=[evaluation.pk])
    response = client.post(finalise, {"version": evaluation.version}, follow=True)
    assert "已定级：82.50 分，良好" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "finalised" and Scorecard.objects.filter(evaluation=evaluation).count() == 2
    response = client.post(finalise, {"version": 0}, follow=True)
    assert "已被他人处理" in response.content.decode()


def test_outsiders_do_not_see_an_evaluation(client, cast, evaluation):
    evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
    other_expert = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))
    for user in [cast["unit2"], other_expert]:
        client.force_login(user)
        assert client.get(reverse("admin:projects_evaluation_change", args=[evaluation.pk])).status_code == 404
        assert client.get(reverse("admin:projects_project_change", args=[evaluation.project_id])).status_code == 404
    client.force_login(cast["evaluator"])
    assert client.get(reverse("admin:projects_project_change", args=[evaluation.project_id])).status_code == 200


def test_ranking_is_for_programme_staff(client, cast):
    round_ = RoundFactory(year=2014)
    url = reverse("admin:projects_round_ranking", args=[round_.pk])
    for role, status in [("unit", 403), ("unit2", 403), ("evaluator", 403), ("committee", 200), ("civil", 200)]:
        client.force_login(cast[role])
        assert client.get(url).status_code == status, role
