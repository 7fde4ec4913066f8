"""URL lookups and date drill-downs in the admin lists: nothing leaks, nothing overflows."""

import datetime

import pytest
from django.urls import reverse

from projects import roles
from projects.models import Project, Round, RubricCriterion, RubricTemplate
from projects.services import evaluation_assign, evaluation_create
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(cast, unit_org):
    """An open evaluation of the unit's project, with the cast's evaluator assigned."""
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS)
    project = project_in_state(Project.Status.IN_PROGRESS, round=round_, implementing_unit=unit_org)
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
    return evaluation


EVALUATOR_LOOKUPS = {
    "admin:projects_evaluation_changelist": [
        "evaluators__id__exact",
        "evaluators__exact",
        "evaluators",
        "evaluators__id__in",
        "scorecards__evaluator__id__exact",
        "scorecards__evaluator",
    ],
    "admin:projects_project_changelist": [
        "evaluations__evaluators__id__exact",
        "evaluations__evaluators",
        "evaluations__scorecards__evaluator__id__exact",
    ],
}


def filter_fields(response) -> list[str]:
    return [
        getattr(spec, "field_path", getattr(spec, "parameter_name", "")) for spec in response.context["cl"].filter_specs
    ]


def test_units_cannot_filter_by_evaluator(client, cast, assigned):
    """Whether the unit's evaluation is in the list must not depend on who evaluates it."""
    stranger = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))
    client.force_login(cast["unit"])
    response = client.get(reverse("admin:projects_evaluation_changelist"))
    assert response.status_code == 200 and assigned.project.code in response.content.decode()
    assert "evaluators" not in filter_fields(response)
    for url_name, lookups in EVALUATOR_LOOKUPS.items():
        for lookup in lookups:
            answers = {
                client.get(f"{reverse(url_name)}?{lookup}={who.pk}").status_code
                for who in (cast["evaluator"], stranger)
            }
            assert answers <= {302, 400} and len(answers) == 1, (url_name, lookup, answers)


def test_no_filtering_by_draft_scores_outside_programme_staff(client, cast, assigned):
    for role in ["unit", "evaluator"]:
        client.force_login(cast[role])
        response = client.get(reverse("admin:projects_evaluation_changelist") + "?scorecards__total__gte=0")
        assert response.status_code in (302, 400), role


def test_programme_staff_filter_by_evaluator(client, cast, assigned):
    client.force_login(cast["civil"])
    url = reverse("admin:projects_evaluation_changelist")
    assert "evaluators" in filter_fields(client.get(url))
    response = client.get(f"{url}?evaluators__id__exact={cast['evaluator'].pk}")
    assert response.status_code == 200 and assigned.project.code in response.content.decode()
    stranger = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"))
    response = client.get(f"{url}?evaluators__id__exact={stranger.pk}")
    assert response.status_code == 200 and assigned.project.code not in response.content.decode()
    client.force_login(cast["evaluator"])
    response = client.get(url)
    assert response.status_code == 200 and "evaluators" not in filter_fields(response)
