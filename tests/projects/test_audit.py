"""One audit row per state change or sensitive action, in the service's transaction; who reads which rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards.models import AwardType, Nomination
from awards.services import nomination_confirm, nomination_create, nomination_decline
from projects import privacy
from projects.audit import AuditAction as A
from projects.models import (
    Activity,
    Agreement,
    AuditEntry,
    CaseStory,
    FollowUp,
    Project,
    Round,
    RubricCriterion,
    RubricTemplate,
    SocialFund,
)
from projects.services import (
    WorkflowError,
    activity_photo_add,
    activity_record,
    agreement_attach_scan,
    agreement_create,
    agreement_sign_framework,
    agreement_terminate,
    case_story_mark_excellent,
    case_story_save,
    enrollment_close,
    enrollment_correct_identity,
    evaluation_assign,
    evaluation_create,
    evaluation_finalise,
    follow_up_save,
    instalment_release,
    project_approve,
    project_recommend,
    project_sign,
    project_submit,
    rectification_clear,
    rubric_revise,
    scorecard_save,
    social_fund_record,
)
from tests.casework_factories import enroll, live_project, make_id
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Recorder:
    """Counts the audit rows an action writes, by action."""

    def __init__(self):
        self.seen = AuditEntry.objects.count()

    def new(self):
        rows = list(AuditEntry.objects.order_by("pk")[self.seen :])
        self.seen += len(rows)
        return [row.action for row in rows]


def test_every_workflow_and_money_action_writes_one_row(cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN, budget=Decimal("100000.00"))
    project = project_in_state(Project.Status.DRAFT, round=round_, implementing_unit=unit_org)
    rec = Recorder()
    project = project_submit(project=project, by=cast["unit"])
    assert rec.new() == [A.PROJECT_SUBMIT]
    project = project_recommend(project=project, by=cast["association"])
    project = project_approve(project=project, by=cast["civil"], amount="20000")
    assert rec.new() == [A.PROJECT_RECOMMEND, A.PROJECT_APPROVE]
    entry = AuditEntry.objects.get(action=A.PROJECT_APPROVE)
    assert (entry.actor, entry.project, entry.from_status, entry.to_status) == (
        cast["civil"],
        project,
        "recommended",
        "approved",
    )
    project = project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 3, 1))
    assert A.PROJECT_SIGN in rec.new()
    first = project.instalments.order_by("sequence").first()
    instalment_release(instalment=first, by=cast["civil"], released_on=datetime.date(2014, 3, 5), voucher_number="P1")
    assert rec.new() == [A.INSTALMENT_RELEASE]
    assert AuditEntry.objects.get(action=A.INSTALMENT_RELEASE).data["amount"] == str(first.amount)
    fund = SocialFund(
        project=project,
        donor=OrganizationFactory(type="enterprise"),
        amount=Decimal("5000"),
        received_on=datetime.date(2014, 3, 10),
    )
    social_fund_record(fund=fund, by=cast["unit"])
    assert rec.new() == [A.SOCIAL_FUND_RECORD]
    with pytest.raises(WorkflowError):
        social_fund_record(fund=SocialFund(project=project, donor=fund.donor, amount=1), by=cast["unit2"])
    assert rec.new() == []  # a refusal writes nothing


def test_agreement_actions_write_rows(cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    round_ = RoundFactory(year=2014)
    government = OrganizationFactory(type="government")
    association = OrganizationFactory(type="association")
    rec = Recorder()
    agreement = agreement_create(
        agreement=Agreement(
            kind=Agreement.Kind.FRAMEWORK, round=round_, party_a=government, party_b=association, amount=1000
        ),
        by=cast["civil"],
    )
    agreement_sign_framework(agreement=agreement, by=cast["civil"], signed_date=datetime.date(2014, 2, 1))
    agreement_attach_scan(
        agreement=agreement, by=cast["association"], upload=SimpleUploadedFile("协议.png", PNG, "image/png")
    )
    agreement_terminate(agreement=agreement, by=cast["civil"], reason="主体变更")
    assert rec.new() == [A.AGREEMENT_CREATE, A.AGREEMENT_SIGN, A.AGREEMENT_SCAN, A.AGREEMENT_TERMINATE]
    assert AuditEntry.objects.get(action=A.AGREEMENT_TERMINATE).comment == "主体变更"


def test_evaluation_actions_write_rows_including_a_failed_grade(cast, unit_org):
    project = live_project(unit_org)
    rubric = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    criterion = RubricCriterion.objects.create(template=rubric, name="服务成效", max_score=100)
    expert = UserFactory(username="expert", role="评估专家", organization=OrganizationFactory(type="other"))
    rec = Recorder()
    evaluation = evaluation_create(
        project=project, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=cast["civil"]
    )
    evaluation_assign(evaluation=evaluation, evaluator=expert, by=cast["civil"])
    scorecard_save(evaluation=evaluation, by=expert, scores={criterion.pk: (Decimal("40"), "")}, submit=True)
    evaluation_finalise(evaluation=evaluation, by=cast["civil"])
    assert rec.new() == [A.EVALUATION_CREATE, A.EVALUATION_ASSIGN, A.SCORECARD_SUBMIT, A.EVALUATION_FINALISE]
    finalised = AuditEntry.objects.get(action=A.EVALUATION_FINALISE)
    assert finalised.data["rectification"] is True and finalised.project == project
    project.refresh_from_db()
    rectification_clear(project=project, by=cast["civil"], note="已完成整改")
    rubric_revise(template=rubric, by=cast["civil"])
    assert rec.new() == [A.RECTIFICATION_CLEAR, A.RUBRIC_REVISE]


def test_casework_actions_write_rows_without_personal_data(cast, unit_org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    project = live_project(unit_org)
    rec = Recorder()
    case = enroll(project, cast["unit"], name="王秀英", id_number=make_id(), phone="13812345678")
    enrollment_correct_identity(enrollment=case, by=cast["unit"], phone="13900001111")
    follow_up_save(follow_up=FollowUp(enrollment=case, date=datetime.date(2014, 6, 1), note="探访"), by=cast["unit"])
    activity = activity_record(
        activity=Activity(
            project=case.project, type="group", title="小组", date=datetime.date(2014, 6, 2), participants=5
        ),
        by=cast["unit"],
        attendees=[case],
    )
    activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile("a.png", PNG, "image/png"))
    story = case_story_save(
        story=CaseStory(
            project=case.project, title="走出家门", narrative="李阿姨（化名）……", consent_on=datetime.date(2014, 6, 3)
        ),
        by=cast["unit"],
    )
    case_story_mark_excellent(story=story, by=cast["association"])
    privacy.reveal(user=cast["unit"], record=case, field="id_number")
    enrollment_close(enrollment=case, by=cast["unit"], closed_on=datetime.date(2014, 9, 1), summary="目标达成")
    assert rec.new() == [
        A.CASE_OPEN,
        A.CASE_CORRECT,
        A.FOLLOW_UP_ADD,
        A.ACTIVITY_RECORD,
        A.ACTIVITY_PHOTO,
        A.CASE_STORY_WRITE,
        A.CASE_STORY_EXCELLENT,
        A.PERSONAL_DATA_REVEAL,
        A.CASE_CLOSE,
    ]
    stored = " ".join(f"{e.object_repr} {e.data}" for e in AuditEntry.objects.all())
    assert "王秀英" not in stored and make_id() not in stored and "1390000" not in stored


def test_nomination_actions_write_rows(cast):
    round_ = RoundFactory(year=2013)
    award = AwardType.objects.get(code="excellent-project")
    project = project_in_state(Project.Status.COMPLETED, round=round_)
    other = project_in_state(Project.Status.COMPLETED, round=round_)
    rec = Recorder()
    nomination = nomination_create(
        nomination=Nomination(round=round_, award_type=award, project=project, reason="成效突出"),
        by=cast["association"],
    )
    nomination_confirm(
        nomination=nomination, by=cast["committee"], citation="", awarded_on=datetime.date(2014, 1, 10), presenter=""
    )
    declined = nomination_create(
        nomination=Nomination(round=round_, award_type=award, project=other, reason="规范"), by=cast["association"]
    )
    nomination_decline(nomination=declined, by=cast["committee"], note="名额已满")
    assert rec.new() == [A.NOMINATION_CREATE, A.NOMINATION_CONFIRM, A.NOMINATION_CREATE, A.NOMINATION_DECLINE]


def test_the_timeline_and_the_audit_list(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    project = project_in_state(Project.Status.DRAFT, round=round_, implementing_unit=unit_org)
    project_submit(project=project, by=cast["unit"], comment="请审核")
    case = enroll(live_project(unit_org, round=round_), cast["unit"], id_number=make_id())
    privacy.reveal(user=cast["unit"], record=case, field="phone")

    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert "提交申报" in page and "请审核" in page
    # A unit reads its projects' public timeline, never the personal-data log or other units' projects.
    listing = client.get(reverse("admin:projects_auditentry_changelist")).content.decode()
    assert project.code in listing and "查看完整个人信息" not in listing
    client.force_login(cast["unit2"])
    assert project.code not in client.get(reverse("admin:projects_auditentry_changelist")).content.decode()
    client.force_login(cast["civil"])
    url = reverse("admin:projects_auditentry_changelist")
    listing = client.get(f"{url}?action__exact={A.PERSONAL_DATA_REVEAL}").content.decode()
    assert "查看完整个人信息" in listing and case.code in listing and "联系电话" in listing
    assert project.code not in listing  # the filter holds
    assert client.get(reverse("admin:projects_auditentry_add")).status_code == 403
