"""Holes found in review, each closed and kept closed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from awards.models import AwardRecord
from projects.models import Evaluation, Project, Round, RubricCriterion, RubricTemplate, SocialWorker
from projects.services import (
    WorkflowError,
    evaluation_create,
    instalment_release,
    project_approve,
    project_sign,
    project_submit,
    project_terminate,
    rectification_clear,
)
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import RoundFactory, complete_project, project_in_state

pytestmark = pytest.mark.django_db
S = Project.Status


def test_history_version_pages_never_save(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    project = complete_project(round=round_, implementing_unit=unit_org)
    draft_version = project.history.latest().history_id
    project_submit(project=project, by=cast["unit"])
    client.force_login(cast["unit"])
    url = reverse("admin:projects_project_simple_history", args=[project.pk, draft_version])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "改回草稿", "requested_amount": "999999", "_change_history": "1"})
    assert response.status_code == 405
    project.refresh_from_db()
    assert project.status == S.SUBMITTED and project.version == 1


def test_ranking_is_for_programme_staff(client, cast):
    round_ = RoundFactory(year=2014)
    url = reverse("admin:projects_round_ranking", args=[round_.pk])
    for role, status in [("unit", 403), ("unit2", 403), ("evaluator", 403), ("committee", 200), ("civil", 200)]:
        client.force_login(cast[role])
        assert client.get(url).status_code == status, role


def test_no_url_lookups_on_id_or_phone_numbers(client, cast, unit_org):
    person = enroll(live_project(unit_org), cast["unit"], id_number=make_id(), phone="13812345678").beneficiary
    client.force_login(cast["civil"])
    for query in ["id_number__startswith=3201", "phone=13812345678", "id_number=" + person.id_number]:
        response = client.get(reverse("admin:projects_beneficiary_changelist") + "?" + query)
        assert response.status_code in (302, 400) or person.code not in response.content.decode(), query
    response = client.get(reverse("admin:projects_enrollment_changelist") + "?beneficiary__id_number__startswith=32")
    assert response.status_code in (302, 400)


def test_related_choices_stay_in_scope(client, cast, unit_org, unit2_org):
    theirs = live_project(unit_org, title="甲单位秘密项目")
    mine = live_project(unit2_org, round=theirs.round)
    SocialWorker.objects.create(name="甲单位社工", employer=unit_org)
    client.force_login(cast["unit2"])
    response = client.post(
        reverse("admin:projects_socialfund_add"),
        {"project": theirs.pk, "donor": unit_org.pk, "kind": "cash", "amount": "10", "received_on": "2014-05-01"},
    )
    assert response.status_code == 200 and "甲单位秘密项目" not in response.content.decode()
    case = enroll(mine, cast["unit2"], name="乙的服务对象")
    follow_up = case.follow_ups.create(date=datetime.date(2014, 6, 1), note="记录")
    page = client.get(reverse("admin:projects_followup_change", args=[follow_up.pk])).content.decode()
    assert "甲单位社工" not in page
    page = client.get(reverse("admin:projects_socialworker_add")).content.decode()
    assert "甲单位秘密项目" not in page


def test_terminated_projects_keep_what_was_paid_committed(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=Decimal("50000.00"))
    project = project_in_state(S.APPROVED, round=round_, requested_amount=Decimal("30000.00"))
    project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 4, 1))
    first = project.instalments.get(sequence=1)
    instalment_release(instalment=first, by=cast["civil"], released_on=datetime.date(2014, 4, 5), voucher_number="1")
    project_terminate(project=project, by=cast["civil"], comment="机构注销")
    other = project_in_state(S.RECOMMENDED, round=round_, requested_amount=Decimal("40000.00"))
    with pytest.raises(WorkflowError, match="剩余预算 38,000.00 元"):  # 50,000 − the 12,000 already paid
        project_approve(project=other, by=cast["civil"], amount="40000")
    assert Round.objects.with_money().get(pk=round_.pk).terminated_paid_total == Decimal("12000.00")


def test_approved_project_keeps_its_round_unit_and_request(client, cast):
    round_ = RoundFactory(year=2014)
    project = project_in_state(S.APPROVED, round=round_)
    client.force_login(cast["civil"])
    page = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert 'name="requested_amount"' not in page and 'name="round"' not in page


def test_a_failed_evaluation_can_be_redone_after_rectification(cast, unit_org):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    project = project_in_state(S.IN_PROGRESS, round=RoundFactory(year=2014), implementing_unit=unit_org)
    Evaluation.objects.create(
        project=project,
        kind="midterm",
        template=template,
        due_date=datetime.date(2014, 9, 1),
        status="finalised",
        score=50,
        grade="fail",
    )
    Project.objects.filter(pk=project.pk).update(needs_rectification=True, rectification_note="不合格")
    project.refresh_from_db()
    with pytest.raises(WorkflowError, match="先解除整改"):
        evaluation_create(
            project=project, kind="midterm", template=template, due_date=datetime.date(2014, 12, 1), by=cast["civil"]
        )
    rectification_clear(project=project, by=cast["civil"], note="已整改")
    again = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 12, 1), by=cast["civil"]
    )
    assert again.status == "open"
    with pytest.raises(WorkflowError, match="已有中期评估"):
        evaluation_create(
            project=project, kind="midterm", template=template, due_date=datetime.date(2015, 1, 1), by=cast["civil"]
        )


def test_award_records_only_come_from_confirmations(client, cast):
    client.force_login(cast["civil"])
    assert client.get(reverse("admin:awards_awardrecord_add")).status_code == 403
    assert not AwardRecord.objects.exists()
