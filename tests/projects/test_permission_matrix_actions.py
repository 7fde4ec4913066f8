"""Every role (plus an anonymous visitor, the outsider unit and a superuser) × every guarded action
beyond the workflow transitions (those are in test_permission_matrix.py): allowed or refused.

Each row exercises the predicate the buttons ask and the service that does the work: they agree,
an allowed action changes what it should, and a refused one changes nothing and says what the user
may not do (never which role they lack).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import permissions as award_permissions
from awards.models import AwardRecord, AwardType, Nomination
from awards.services import nomination_confirm, nomination_create, nomination_decline, nominations_propose
from projects import permissions, privacy
from projects.models import (
    Agreement,
    AuditEntry,
    CaseStory,
    Evaluation,
    Instalment,
    Organization,
    Project,
    Round,
    RubricCriterion,
    RubricTemplate,
    Scorecard,
    SocialFund,
)
from projects.services import (
    WorkflowError,
    agreement_attach_scan,
    agreement_create,
    agreement_sign_framework,
    agreement_terminate,
    case_story_mark_excellent,
    evaluation_assign,
    evaluation_create,
    evaluation_finalise,
    instalment_release,
    project_sign,
    rectification_clear,
    rubric_revise,
    scorecard_save,
    social_fund_record,
)
from tests.casework_factories import enroll
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "committee", "civil", "association", "unit", "unit2", "evaluator", "superuser"]
S = Project.Status
SIGNED_ON = datetime.date(2014, 3, 5)
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
NAMES_A_ROLE = re.compile("(只有|仅)(区?社工委|民政|区?社工协会|协会|项目的实施单位|实施单位|评估专家)")


@pytest.fixture
def world(cast, unit_org):
    users = {**cast, "anonymous": AnonymousUser(), "superuser": UserFactory(is_superuser=True)}
    round_ = RoundFactory(
        year=2014,
        status=Round.Status.IN_PROGRESS,
        period_start=datetime.date(2014, 3, 1),
        period_end=datetime.date(2015, 2, 28),
    )
    return SimpleNamespace(users=users, round=round_, unit_org=unit_org, signer=cast["civil"])


def project(world, status) -> Project:
    return project_in_state(status, round=world.round, implementing_unit=world.unit_org)


def contracted(world) -> Project:
    """A project whose agreement is signed: its instalment plan exists, the first one is payable."""
    signed = project(world, S.APPROVED)
    project_sign(project=signed, by=world.signer, signed_date=SIGNED_ON)
    return signed


def running(world) -> Project:
    started = contracted(world)
    Project.objects.filter(pk=started.pk).update(status=S.IN_PROGRESS)
    started.refresh_from_db()
    return started


def midterm_rubric() -> RubricTemplate:
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    for order, (name, points) in enumerate([("项目管理", 40), ("服务成效", 60)]):
        RubricCriterion.objects.create(template=template, name=name, max_score=points, order=order)
    return template


def open_evaluation(world, *, assigned=()) -> Evaluation:
    evaluation = evaluation_create(
        project=running(world),
        kind="midterm",
        template=midterm_rubric(),
        due_date=datetime.date(2014, 9, 30),
        by=world.signer,
    )
    for evaluator in assigned:
        evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=world.signer)
    return evaluation


def full_scores(evaluation, percent=Decimal("80")) -> dict:
    return {c.pk: (c.max_score * percent / 100, "") for c in evaluation.template.criteria.all()}


def framework_agreement(world, *, signed: bool) -> Agreement:
    agreement = agreement_create(
        agreement=Agreement(
            kind=Agreement.Kind.FRAMEWORK,
            round=world.round,
            party_a=OrganizationFactory(type=Organization.Type.GOVERNMENT),
            party_b=OrganizationFactory(type=Organization.Type.ASSOCIATION),
            amount=Decimal("1000000"),
        ),
        by=world.signer,
    )
    if signed:
        agreement_sign_framework(agreement=agreement, by=world.signer, signed_date=SIGNED_ON)
    return agreement


def fresh(obj):
    obj.refresh_from_db()
    return obj


@dataclass
class Action:
    """One guarded action: who may take it, its set-up, the predicate, the service, and what it changes."""

    allowed: set[str]
    setup: object  # (world) -> SimpleNamespace of the objects the action works on
    predicate: object  # (user, objects) -> bool
    run: object  # (user, objects) -> None, through the service
    state: object  # (objects) -> what the action changes, read from the database
    refusal: type[Exception] = WorkflowError


def release_setup(world):
    return SimpleNamespace(instalment=contracted(world).instalments.get(sequence=1))


def draft_setup(world):
    approved = project(world, S.APPROVED)
    return SimpleNamespace(project=approved)


def score_setup(world):
    return SimpleNamespace(evaluation=open_evaluation(world, assigned=[world.users["evaluator"]]))


def finalise_setup(world):
    expert = UserFactory(role="评估专家", organization=OrganizationFactory(type="other"))
    evaluation = open_evaluation(world, assigned=[expert])
    scorecard_save(evaluation=evaluation, by=expert, scores=full_scores(evaluation), submit=True)
    return SimpleNamespace(evaluation=evaluation)


def rectification_setup(world):
    under = running(world)
    Project.objects.filter(pk=under.pk).update(needs_rectification=True, rectification_note="中期评估不合格")
    return SimpleNamespace(project=fresh(under))


def reveal_setup(world):
    case = enroll(running(world), world.users["unit"], phone="13812345678")
    return SimpleNamespace(case=case)


def propose_setup(world):
    closed = RoundFactory(year=2012, status=Round.Status.CLOSED)
    template = RubricTemplate.objects.create(name="结项评估标准", kind="final")
    completed = project_in_state(S.COMPLETED, round=closed)
    Evaluation.objects.create(
        project=completed,
        kind="final",
        template=template,
        due_date=datetime.date(2013, 1, 31),
        status="finalised",
        score=Decimal("91"),
        grade="excellent",
    )
    return SimpleNamespace(round=closed)


def pending_nomination(world):
    nominated = project_in_state(S.COMPLETED, round=world.round)
    nomination = Nomination.objects.create(
        round=world.round,
        award_type=AwardType.objects.get(code="excellent-project"),
        project=nominated,
        source=Nomination.Source.ASSOCIATION,
        reason="服务成效显著",
    )
    return SimpleNamespace(nomination=nomination)


def case_story_setup(world):
    story = CaseStory.objects.create(
        project=running(world),
        title="重拾生活信心",
        narrative="服务对象张阿姨独居多年……",
        consent_on=datetime.date(2014, 6, 1),
    )
    return SimpleNamespace(story=story)


ACTIONS = {
    "instalment release": Action(
        allowed={"civil", "superuser"},
        setup=release_setup,
        predicate=lambda user, o: permissions.can_release(user, o.instalment),
        run=lambda user, o: instalment_release(
            instalment=o.instalment, by=user, released_on=datetime.date(2014, 3, 20), voucher_number="JCMZ-1"
        ),
        state=lambda o: Instalment.objects.filter(pk=o.instalment.pk).values_list("status", "version", "released_by")[
            0
        ],
    ),
    "social funds recorded": Action(
        allowed={"civil", "unit", "superuser"},
        setup=lambda world: SimpleNamespace(project=contracted(world), donor=OrganizationFactory(type="enterprise")),
        predicate=lambda user, o: permissions.can_record_social_funds(user, o.project),
        run=lambda user, o: social_fund_record(
            fund=SocialFund(
                project=o.project,
                donor=o.donor,
                kind="cash",
                amount=Decimal("5000"),
                received_on=datetime.date(2014, 4, 1),
            ),
            by=user,
        ),
        state=lambda o: SocialFund.objects.filter(project=o.project).count(),
    ),
    "agreement draft": Action(
        allowed={"civil", "association", "superuser"},
        setup=draft_setup,
        predicate=lambda user, o: permissions.can_manage_agreements(user),
        run=lambda user, o: agreement_create(
            agreement=Agreement(
                kind=Agreement.Kind.PROJECT,
                project=o.project,
                party_a=Organization.objects.filter(type=Organization.Type.ASSOCIATION).first(),
            ),
            by=user,
        ),
        state=lambda o: Agreement.objects.filter(project=o.project).count(),
    ),
    "project agreement sign": Action(
        allowed={"civil", "association", "superuser"},
        setup=lambda world: SimpleNamespace(
            agreement=agreement_create(
                agreement=Agreement(
                    kind=Agreement.Kind.PROJECT,
                    project=project(world, S.APPROVED),
                    party_a=Organization.objects.filter(type=Organization.Type.ASSOCIATION).first(),
                ),
                by=world.signer,
            )
        ),
        predicate=lambda user, o: permissions.can_sign_project_agreement(user, o.agreement),
        run=lambda user, o: project_sign(project=o.agreement.project, by=user, signed_date=SIGNED_ON),
        state=lambda o: fresh(o.agreement).status,
    ),
    "framework agreement sign": Action(
        allowed={"civil", "association", "superuser"},
        setup=lambda world: SimpleNamespace(agreement=framework_agreement(world, signed=False)),
        predicate=lambda user, o: permissions.can_sign_framework(user, o.agreement),
        run=lambda user, o: agreement_sign_framework(agreement=o.agreement, by=user, signed_date=SIGNED_ON),
        state=lambda o: (fresh(o.agreement).status, o.agreement.signed_date),
    ),
    "framework agreement terminate": Action(
        allowed={"civil", "association", "superuser"},
        setup=lambda world: SimpleNamespace(agreement=framework_agreement(world, signed=True)),
        predicate=lambda user, o: permissions.can_terminate_agreement(user, o.agreement),
        run=lambda user, o: agreement_terminate(agreement=o.agreement, by=user, reason="区政府调整购买服务方式"),
        state=lambda o: (fresh(o.agreement).status, o.agreement.note),
    ),
    "scan upload": Action(
        allowed={"civil", "association", "superuser"},
        setup=lambda world: SimpleNamespace(agreement=Agreement.objects.get(project=contracted(world))),
        predicate=lambda user, o: permissions.can_upload_scan(user, o.agreement),
        run=lambda user, o: agreement_attach_scan(
            agreement=o.agreement, by=user, upload=SimpleUploadedFile("合同.pdf", PDF)
        ),
        state=lambda o: (fresh(o.agreement).scan.name, o.agreement.scan_uploaded_by_id),
    ),
    "evaluation create": Action(
        allowed={"civil", "superuser"},
        setup=lambda world: SimpleNamespace(project=running(world), template=midterm_rubric()),
        predicate=lambda user, o: permissions.can_organise_evaluations(user, o.project),
        run=lambda user, o: evaluation_create(
            project=o.project, kind="midterm", template=o.template, due_date=datetime.date(2014, 9, 30), by=user
        ),
        state=lambda o: Evaluation.objects.filter(project=o.project).count(),
    ),
    "evaluation assign": Action(
        allowed={"civil", "superuser"},
        setup=lambda world: SimpleNamespace(evaluation=open_evaluation(world), evaluator=world.users["evaluator"]),
        predicate=lambda user, o: permissions.can_assign_evaluators(user, o.evaluation),
        run=lambda user, o: evaluation_assign(evaluation=o.evaluation, evaluator=o.evaluator, by=user),
        state=lambda o: list(o.evaluation.evaluators.values_list("pk", flat=True)),
    ),
    "evaluation score": Action(
        allowed={"evaluator"},  # the assigned evaluator only: scoring is personal, even for a superuser
        setup=score_setup,
        predicate=lambda user, o: permissions.can_score(user, o.evaluation),
        run=lambda user, o: scorecard_save(
            evaluation=o.evaluation, by=user, scores=full_scores(o.evaluation), submit=True
        ),
        state=lambda o: list(Scorecard.objects.filter(evaluation=o.evaluation).values_list("evaluator", "status")),
    ),
    "evaluation finalise": Action(
        allowed={"civil", "superuser"},
        setup=finalise_setup,
        predicate=lambda user, o: permissions.can_finalise(user, o.evaluation),
        run=lambda user, o: evaluation_finalise(evaluation=o.evaluation, by=user),
        state=lambda o: (
            *Evaluation.objects.filter(pk=o.evaluation.pk).values_list("status", "version", "grade")[0],
            fresh(o.evaluation.project).status,
        ),
    ),
    "rectification clear": Action(
        allowed={"civil", "superuser"},
        setup=rectification_setup,
        predicate=lambda user, o: permissions.can_clear_rectification(user, o.project),
        run=lambda user, o: rectification_clear(project=o.project, by=user, note="已补齐档案，复查合格"),
        state=lambda o: (fresh(o.project).needs_rectification, o.project.rectification_note),
    ),
    "reveal of personal data": Action(
        allowed={"unit", "superuser"},  # the unit that keeps the case; programme staff never reveal
        setup=reveal_setup,
        predicate=lambda user, o: permissions.can_reveal_personal_data(user, o.case),
        run=lambda user, o: privacy.reveal(user=user, record=o.case, field="phone"),
        state=lambda o: AuditEntry.objects.count(),
        refusal=PermissionError,
    ),
    "nominations proposed from the ranking": Action(
        allowed={"association", "superuser"},
        setup=propose_setup,
        predicate=lambda user, o: award_permissions.can_nominate(user),
        run=lambda user, o: nominations_propose(round_=o.round, by=user),
        state=lambda o: Nomination.objects.filter(round=o.round).count(),
    ),
    "nomination with a reason": Action(
        allowed={"association", "superuser"},
        setup=lambda world: SimpleNamespace(round=world.round),
        predicate=lambda user, o: award_permissions.can_nominate(user),
        run=lambda user, o: nomination_create(
            nomination=Nomination(
                round=o.round,
                award_type=AwardType.objects.get(code="excellent-social-worker"),
                person_name="陈晓燕",
                reason="扎根社区十年",
            ),
            by=user,
        ),
        state=lambda o: Nomination.objects.filter(round=o.round).count(),
    ),
    "nomination confirm": Action(
        allowed={"committee", "superuser"},
        setup=pending_nomination,
        predicate=lambda user, o: award_permissions.can_decide(user, o.nomination),
        run=lambda user, o: nomination_confirm(
            nomination=o.nomination, by=user, citation="服务成效显著", awarded_on=SIGNED_ON, presenter="区社工委"
        ),
        state=lambda o: (fresh(o.nomination).status, AwardRecord.objects.count()),
    ),
    "nomination decline": Action(
        allowed={"committee", "superuser"},
        setup=pending_nomination,
        predicate=lambda user, o: award_permissions.can_decide(user, o.nomination),
        run=lambda user, o: nomination_decline(nomination=o.nomination, by=user, note="本年度暂不评选"),
        state=lambda o: (fresh(o.nomination).status, o.nomination.decision_note),
    ),
    "case story marked excellent": Action(
        allowed={"association", "superuser"},
        setup=case_story_setup,
        predicate=lambda user, o: permissions.can_mark_excellent_case_stories(user),
        run=lambda user, o: case_story_mark_excellent(story=o.story, by=user),
        state=lambda o: fresh(o.story).is_excellent,
    ),
    "rubric revised into a new version": Action(
        allowed={"civil", "superuser"},
        setup=lambda world: SimpleNamespace(template=midterm_rubric()),
        predicate=lambda user, o: permissions.can_revise_rubrics(user),
        run=lambda user, o: rubric_revise(template=o.template, by=user),
        state=lambda o: RubricTemplate.objects.filter(name=o.template.name).count(),
    ),
}


@pytest.mark.parametrize("name", sorted(ACTIONS))
@pytest.mark.parametrize("actor", ACTORS)
def test_guarded_action(world, actor, name):
    action = ACTIONS[name]
    objects = action.setup(world)
    user = world.users[actor]
    allowed = actor in action.allowed

    assert action.predicate(user, objects) is allowed, "the button and the service disagree"
    before = action.state(objects)
    if allowed:
        action.run(user, objects)
        assert action.state(objects) != before
        return
    with pytest.raises(action.refusal) as refused:
        action.run(user, objects)
    assert action.state(objects) == before
    if action.refusal is WorkflowError:
        message = refused.value.message
        assert message.startswith("您") or message == "请先登录。", message  # what the user may not do …
        assert not NAMES_A_ROLE.search(message), message  # … never which role they lack


# -- through the admin: the social funds form (as well as its service above) and scan downloads


# What the social fund form answers each actor: the login page, the list after saving, 403 for a role that
# may not record funds at all, or the form again for the outsider unit (the project is not among its choices).
SOCIAL_FUND_FORM_ANSWERS = {
    "anonymous": 302,
    "committee": 403,
    "civil": 302,
    "association": 403,
    "unit": 302,
    "unit2": 200,
    "evaluator": 403,
    "superuser": 302,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_social_funds(client, world, actor):
    allowed = {"civil", "unit", "superuser"}
    live = contracted(world)
    user = world.users[actor]
    assert permissions.can_record_social_funds(user, live) is (actor in allowed)

    if actor != "anonymous":
        client.force_login(user)
    donor = OrganizationFactory(type="enterprise")
    data = {"project": live.pk, "donor": donor.pk, "kind": "cash", "amount": "5000", "received_on": "2014-04-01"}
    response = client.post(reverse("admin:projects_socialfund_add"), data)
    assert response.status_code == SOCIAL_FUND_FORM_ANSWERS[actor]
    assert SocialFund.objects.filter(project=live).count() == (1 if actor in allowed else 0)
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("admin:login"))
    elif actor == "unit2":
        assert "project" in response.context["adminform"].form.errors


@pytest.mark.parametrize("actor", ACTORS)
def test_scan_download(client, world, actor):
    allowed = {"committee", "civil", "association", "unit", "superuser"}
    agreement = Agreement.objects.get(project=contracted(world))
    agreement_attach_scan(agreement=agreement, by=world.signer, upload=SimpleUploadedFile("合同.pdf", PDF))
    user = world.users[actor]
    assert permissions.can_download_scan(user, agreement) is (actor in allowed)

    if actor != "anonymous":
        client.force_login(user)
    response = client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk]))
    if actor in allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    elif actor == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    else:  # the outsider unit has other agreements (404); the evaluator none at all (403): as for a missing one
        missing = client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk + 999]))
        assert response.status_code == missing.status_code == (404 if actor == "unit2" else 403)
        assert not getattr(response, "streaming", False)
