"""A confirmation page posted with a missing or garbled hidden version says so, and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import AuditEntry, Evaluation, Instalment, Project, Round, RubricCriterion, RubricTemplate
from projects.services import evaluation_assign, evaluation_create, project_sign, scorecard_save
from tests.factories import RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
S = Project.Status
STALE_PAGE = "页面已过期或提交的数据不完整，请刷新页面后重试。"
BAD_VERSIONS = [None, "", "abc", "1.5", "０x"]


def posted(data: dict, version) -> dict:
    return data if version is None else {**data, "version": version}


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_approve_with_a_bad_version_says_so(client, cast, version):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    project = project_in_state(S.RECOMMENDED, round=round_)
    client.force_login(cast["civil"])
    url = reverse("admin:projects_project_transition", args=[project.pk, "approve"])
    response = client.post(url, posted({"amount": "20000", "comment": "同意"}, version))
    assert response.status_code == 200
    assert STALE_PAGE in response.content.decode()
    project.refresh_from_db()
    assert project.status == S.RECOMMENDED and project.version == 0 and project.approved_amount is None
    assert not AuditEntry.objects.transitions().filter(project=project).exists()


@pytest.mark.parametrize("version", [None, "abc"])
def test_other_transitions_with_a_bad_version_say_so(client, cast, version):
    project = project_in_state(S.SUBMITTED, round=RoundFactory(year=2014, status=Round.Status.OPEN))
    client.force_login(cast["association"])
    url = reverse("admin:projects_project_transition", args=[project.pk, "recommend"])
    response = client.post(url, posted({"comment": ""}, version))
    assert response.status_code == 200 and STALE_PAGE in response.content.decode()
    project.refresh_from_db()
    assert project.status == S.SUBMITTED and project.version == 0


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_release_with_a_bad_version_says_so(client, cast, unit_org, version):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=Decimal("100000.00"))
    project = project_in_state(S.APPROVED, round=round_, implementing_unit=unit_org)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    first = project.instalments.get(sequence=1)
    client.force_login(cast["civil"])
    url = reverse("admin:projects_instalment_release", args=[first.pk])
    response = client.post(url, posted({"released_on": "2014-03-20", "voucher_number": "JCMZ-2014-007"}, version))
    assert response.status_code == 200
    assert STALE_PAGE in response.content.decode()
    first.refresh_from_db()
    assert first.status == Instalment.Status.PLANNED and first.version == 0 and first.voucher_number == ""


@pytest.mark.parametrize("version", [None, "abc"])
def test_finalise_with_a_bad_version_says_so(client, cast, unit_org, version):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    criterion = RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    project = project_in_state(
        S.IN_PROGRESS, round=RoundFactory(year=2014, status=Round.Status.IN_PROGRESS), implementing_unit=unit_org
    )
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
    scorecard_save(evaluation=evaluation, by=cast["evaluator"], scores={criterion.pk: (Decimal("80"), "")}, submit=True)
    client.force_login(cast["civil"])
    url = reverse("admin:projects_evaluation_finalise", args=[evaluation.pk])
    response = client.post(url, posted({}, version))
    assert response.status_code == 200 and STALE_PAGE in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN
