"""A service that refuses a save after the form was valid is answered on the form, never with a 500."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Evaluation, Project, Round, RubricCriterion, RubricTemplate
from projects.services import WorkflowError, project_create
from tests.factories import ProjectFactory, RoundFactory, ServiceCategoryFactory, project_in_state
from tests.helpers import EMPTY_PROJECT_INLINES

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_2014(db):
    return RoundFactory(year=2014, status=Round.Status.OPEN)


def squat_next_code(round_) -> str:
    """A row whose code was typed in by hand: the next code of the round is already taken."""
    first = ProjectFactory(round=round_)
    Project.objects.filter(pk=first.pk).update(code="QC-2014-002")
    return "QC-2014-002"


def test_project_create_says_when_the_code_is_taken(cast, round_2014, unit_org):
    code = squat_next_code(round_2014)
    project = Project(
        title="新项目", round=round_2014, category=ServiceCategoryFactory(), target_group="独居老人", requested_amount=1
    )
    with pytest.raises(WorkflowError, match=f"项目编号 {code} 已被占用"):
        project_create(project=project, by=cast["unit"])
    assert project.pk is None and Project.objects.count() == 1


def test_project_add_view_shows_the_refusal_on_the_form(client, cast, round_2014):
    code = squat_next_code(round_2014)
    client.force_login(cast["unit"])
    data = {
        "title": "阳光自建项目",
        "round": round_2014.pk,
        "category": ServiceCategoryFactory().pk,
        "service_model": "sw_volunteer",
        "target_group": "独居老人",
        "requested_amount": "20000",
        "target_beneficiaries": "40",
        **EMPTY_PROJECT_INLINES,
    }
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"项目编号 {code} 已被占用" in body
    assert 'value="阳光自建项目"' in body  # what the unit typed is still there
    assert not Project.objects.filter(title="阳光自建项目").exists()


def test_evaluation_add_view_shows_the_refusal_on_the_form(client, cast, unit_org):
    midterm = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=midterm, name="服务成效", max_score=100)
    project = project_in_state(
        Project.Status.IN_PROGRESS,
        round=RoundFactory(year=2014, status=Round.Status.IN_PROGRESS),
        implementing_unit=unit_org,
    )
    client.force_login(cast["civil"])
    data = {"project": project.pk, "kind": "final", "template": midterm.pk, "due_date": "2014-09-01"}
    data.update({"scorecards-TOTAL_FORMS": "0", "scorecards-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:projects_evaluation_add"), data)
    assert response.status_code == 200
    assert "不适用于结项评估" in response.content.decode()
    assert not Evaluation.objects.exists()
    data["kind"] = "midterm"
    assert client.post(reverse("admin:projects_evaluation_add"), data).status_code == 302
    assert Evaluation.objects.get().due_date == datetime.date(2014, 9, 1)
