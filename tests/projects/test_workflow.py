"""The transition services: new state, log row, history row, side effects, refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from projects.models import Agreement, AuditEntry, Project, Round
from projects.services import (
    StaleTransition,
    WorkflowError,
    project_approve,
    project_archive,
    project_create,
    project_recommend,
    project_reject,
    project_return,
    project_sign,
    project_start,
    project_submit,
    project_terminate,
)
from tests.factories import OrganizationFactory, RoundFactory, complete_project, project_in_state

pytestmark = pytest.mark.django_db
S = Project.Status


@pytest.fixture
def round_open(db):
    return RoundFactory(year=2014, budget=Decimal("100000.00"), status=Round.Status.OPEN)


@pytest.fixture
def draft(round_open, unit_org):
    return complete_project(round=round_open, implementing_unit=unit_org)


def test_submit_moves_draft_to_submitted_with_log_and_history(draft, cast):
    project = project_submit(project=draft, by=cast["unit"], comment="请审核")
    assert project.status == S.SUBMITTED
    assert project.version == 1
    log = AuditEntry.objects.transitions().get(project=project)
    assert (log.action, log.from_status, log.to_status, log.actor, log.comment) == (
        "project.submit",
        S.DRAFT,
        S.SUBMITTED,
        cast["unit"],
        "请审核",
    )
    latest = project.history.latest()
    assert latest.status == S.SUBMITTED
    assert latest.history_user == cast["unit"]


def test_submit_lists_what_is_missing(round_open, unit_org, cast):
    project = complete_project(round=round_open, implementing_unit=unit_org, objectives="", start_date=None)
    with pytest.raises(WorkflowError) as error:
        project_submit(project=project, by=cast["unit"])
    assert "项目周期" in error.value.message and "项目目标" in error.value.message
    project.refresh_from_db()
    assert project.status == S.DRAFT
    assert not AuditEntry.objects.transitions().exists()


def test_submit_only_while_the_round_is_open(draft, cast):
    Round.objects.filter(pk=draft.round_id).update(status=Round.Status.IN_PROGRESS)
    with pytest.raises(WorkflowError, match="不在申报期"):
        project_submit(project=draft, by=cast["unit"])


def test_returned_project_can_be_resubmitted(draft, cast):
    project_submit(project=draft, by=cast["unit"])
    project_return(project=draft, by=cast["association"], comment="请补充服务对象基数")
    assert draft.status == S.RETURNED
    project_submit(project=draft, by=cast["unit"])
    assert draft.status == S.SUBMITTED
    assert draft.audit_entries.transitions().count() == 3


@pytest.mark.parametrize("service", [project_return, project_reject])
def test_return_and_reject_require_a_comment(draft, cast, service):
    project_submit(project=draft, by=cast["unit"])
    with pytest.raises(WorkflowError, match="必须填写"):
        service(project=draft, by=cast["association"], comment="   ")
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED


def test_approve_fixes_the_amount(cast, round_open, unit_org):
    project = project_in_state(S.RECOMMENDED, round=round_open, implementing_unit=unit_org)
    project_approve(project=project, by=cast["civil"], amount="18000.50")
    project.refresh_from_db()
    assert project.status == S.APPROVED
    assert project.approved_amount == Decimal("18000.50")


def test_approve_never_exceeds_the_round_budget_and_says_what_remains(cast, round_open, unit_org):
    approved = project_in_state(S.APPROVED, round=round_open, requested_amount=Decimal("90000.00"))
    assert approved.approved_amount == Decimal("90000.00")
    project = project_in_state(
        S.RECOMMENDED, round=round_open, implementing_unit=unit_org, requested_amount=Decimal("20000.00")
    )
    with pytest.raises(WorkflowError) as error:
        project_approve(project=project, by=cast["civil"], amount="10000.01")
    assert "剩余预算 10,000.00 元" in error.value.message
    project.refresh_from_db()
    assert project.status == S.RECOMMENDED and project.approved_amount is None
    project_approve(project=project, by=cast["civil"], amount="10000.00")
    assert project.approved_amount == Decimal("10000.00")


def test_terminated_and_rejected_projects_free_their_budget(cast, round_open):
    project_in_state(S.TERMINATED, round=round_open, requested_amount=Decimal("90000.00"))
    project = project_in_state(S.RECOMMENDED, round=round_open, requested_amount=Decimal("20000.00"))
    project_approve(project=project, by=cast["civil"], amount="20000")
    assert project.status == S.APPROVED


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "大于零"), ("-5", "大于零"), ("abc", "金额格式"), ("100.001", "两位小数"), ("30000", "不能超过申请金额")],
)
def test_approve_refuses_bad_amounts(cast, round_open, amount, message):
    project = project_in_state(S.RECOMMENDED, round=round_open)
    with pytest.raises(WorkflowError, match=message):
        project_approve(project=project, by=cast["civil"], amount=amount)


def test_stale_version_changes_nothing(draft, cast):
    seen_version = draft.version
    project_submit(project=draft, by=cast["unit"])
    with pytest.raises(StaleTransition, match="已被他人处理"):
        project_recommend(project=draft, by=cast["association"], expected_version=seen_version)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.audit_entries.transitions().count() == 1


def test_second_of_two_concurrent_approvals_is_refused(cast, round_open):
    project = project_in_state(S.RECOMMENDED, round=round_open)
    first = Project.objects.get(pk=project.pk)
    second = Project.objects.get(pk=project.pk)
    project_approve(project=first, by=cast["civil"], amount="20000")
    with pytest.raises(StaleTransition, match="已被他人处理"):
        project_approve(project=second, by=cast["civil"], amount="15000")
    project.refresh_from_db()
    assert project.approved_amount == Decimal("20000.00")
    assert project.audit_entries.transitions().count() == 1


def test_sign_records_the_signed_agreement(cast, round_open, unit_org):
    project = project_in_state(S.APPROVED, round=round_open, implementing_unit=unit_org)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 2, 20))
    assert project.status == S.CONTRACTED
    agreement = Agreement.objects.get(project=project)
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.kind == Agreement.Kind.PROJECT
    assert agreement.amount == project.approved_amount
    assert agreement.number == f"QCXY-2014-{project.sequence:03d}"
    assert agreement.party_b == unit_org
    assert agreement.party_a == cast["association"].membership.organization
    assert (agreement.term_start, agreement.term_end) == (project.start_date, project.end_date)


def test_sign_refuses_a_future_date(cast, round_open):
    project = project_in_state(S.APPROVED, round=round_open)
    with pytest.raises(WorkflowError, match="不能晚于今天"):
        project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2999, 1, 1))
    assert not Agreement.objects.exists()


def test_start_terminate_and_archive(cast, round_open, unit_org):
    project = project_in_state(S.APPROVED, round=round_open, implementing_unit=unit_org)
    project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 2, 20))
    project_start(project=project, by=cast["unit"])
    assert project.status == S.IN_PROGRESS
    with pytest.raises(WorkflowError, match="必须填写"):
        project_terminate(project=project, by=cast["civil"], comment="")
    project_terminate(project=project, by=cast["civil"], comment="机构注销，无法继续实施")
    assert project.status == S.TERMINATED
    agreement = Agreement.objects.get(project=project)
    assert agreement.status == Agreement.Status.TERMINATED
    assert "机构注销" in agreement.note

    completed = project_in_state(S.COMPLETED, round=round_open)
    project_archive(project=completed, by=cast["civil"])
    assert completed.status == S.ARCHIVED


def test_terminate_only_from_live_states(cast, round_open):
    for status in [S.DRAFT, S.SUBMITTED, S.COMPLETED, S.ARCHIVED, S.REJECTED]:
        project = project_in_state(status, round=round_open)
        with pytest.raises(WorkflowError, match="不能执行"):
            project_terminate(project=project, by=cast["civil"], comment="原因")


def test_unit_creates_only_its_own_projects_in_open_rounds(cast, round_open, unit_org):
    from tests.factories import ServiceCategoryFactory

    project = Project(
        round=round_open,
        title="单位自建项目",
        implementing_unit=OrganizationFactory(),
        category=ServiceCategoryFactory(),
        target_group="老人",
    )
    project_create(project=project, by=cast["unit"])
    assert project.implementing_unit == unit_org
    closed = RoundFactory(year=2012, status=Round.Status.CLOSED)
    with pytest.raises(WorkflowError, match="不在申报期"):
        project_create(project=Project(round=closed, title="x", category=project.category), by=cast["unit"])


def test_notifications_reach_the_next_actors(cast, draft, django_capture_on_commit_callbacks):
    for user in cast.values():
        user.email = f"{user.username}@example.org"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        project_submit(project=draft, by=cast["unit"])
    assert [m.to for m in mail.outbox] == [["association@example.org"]]
    assert draft.code in mail.outbox[0].subject
    assert "/admin/projects/project/" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        project_return(project=draft, by=cast["association"], comment="请补充预算说明")
    assert [m.to for m in mail.outbox] == [["unit@example.org"]]
    assert "请补充预算说明" in mail.outbox[0].body


def test_nothing_is_sent_when_the_transition_fails(cast, draft, django_capture_on_commit_callbacks):
    cast["association"].email = "association@example.org"
    cast["association"].save()
    Round.objects.filter(pk=draft.round_id).update(status=Round.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        project_submit(project=draft, by=cast["unit"])
    assert mail.outbox == []
