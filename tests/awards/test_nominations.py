"""Nominations: the top-N proposal with a tie at the cut shown, association nominations, the committee's
confirmations within the quota (the seeded 2012 ranking against its award records is in tests/qicai/test_seed.py)."""

import datetime
from decimal import Decimal

import pytest

from awards.models import AwardRecord, AwardType, Nomination
from awards.services import nomination_confirm, nomination_create, nomination_decline, nominations_propose
from projects.models import Evaluation, Project, Round, RubricTemplate
from projects.services import WorkflowError
from tests.factories import OrganizationFactory, RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
AWARDED = datetime.date(2015, 3, 1)


def evaluated_round(scores):
    """A round whose projects have finalised final evaluations with the given scores."""
    round_ = RoundFactory(year=2014, status=Round.Status.CLOSED)
    template = RubricTemplate.objects.create(name="结项评估标准", kind="final")
    for score in scores:
        project = project_in_state(Project.Status.COMPLETED, round=round_)
        Evaluation.objects.create(
            project=project,
            kind="final",
            template=template,
            due_date=AWARDED,
            status="finalised",
            score=Decimal(score),
            grade="good",
        )
    return round_


def confirm(nomination, by, rank=None):
    return nomination_confirm(
        nomination=nomination, by=by, citation="服务成效显著", awarded_on=AWARDED, presenter="区社工委", rank=rank
    )


def test_top_ten_are_proposed(cast):
    round_ = evaluated_round([f"{95 - i}" for i in range(14)])
    proposal = nominations_propose(round_=round_, by=cast["association"])
    assert len(proposal.created) == 10 and proposal.tied == []
    assert [n.ranking_position for n in proposal.created] == list(range(1, 11))
    assert min(n.score for n in proposal.created) == Decimal("86")
    assert nominations_propose(round_=round_, by=cast["association"]).created == []  # no duplicates


def test_a_tie_at_rank_ten_is_shown_not_settled(cast):
    scores = [f"{95 - i}" for i in range(9)] + ["85.50", "85.50", "85.50", "80"]
    proposal = nominations_propose(round_=evaluated_round(scores), by=cast["association"])
    assert len(proposal.created) == 12  # all three projects tied at the cut are nominated
    assert len(proposal.tied) == 3 and all(n.tied_at_cut for n in proposal.tied)
    assert proposal.cut_score == Decimal("85.50")
    assert not any(n.tied_at_cut for n in proposal.created if n.score > Decimal("85.50"))


def test_only_the_association_proposes_and_the_committee_decides(cast):
    round_ = evaluated_round(["90", "80"])
    with pytest.raises(WorkflowError):
        nominations_propose(round_=round_, by=cast["committee"])
    nomination = nominations_propose(round_=round_, by=cast["association"]).created[0]
    for role in ["association", "civil", "unit"]:
        with pytest.raises(WorkflowError, match="您不能确认表彰"):
            confirm(nomination, cast[role])
    record = confirm(nomination, cast["committee"], rank=1)
    nomination.refresh_from_db()
    assert nomination.status == "confirmed" and nomination.award_record == record
    assert (record.project, record.rank, record.citation) == (nomination.project, 1, "服务成效显著")
    with pytest.raises(WorkflowError, match="已被他人处理|已获得"):
        confirm(nomination, cast["committee"])


def test_quota_cannot_be_exceeded(cast):
    award_type = AwardType.objects.get(code="excellent-project")
    award_type.quota = 2
    award_type.save()
    round_ = evaluated_round(["95", "94", "93"])
    nominations = nominations_propose(round_=round_, by=cast["association"]).created
    confirm(nominations[0], cast["committee"], rank=1)
    confirm(nominations[1], cast["committee"], rank=2)
    with pytest.raises(WorkflowError, match="名额为 2 个"):
        confirm(
            Nomination.objects.create(
                round=round_,
                award_type=award_type,
                project=project_in_state("completed", round=round_),
                source="association",
                reason="另行提名",
            ),
            cast["committee"],
        )
    assert AwardRecord.objects.filter(round=round_).count() == 2


def test_association_nominates_people_and_units_once(cast):
    round_ = RoundFactory(year=2014)
    social_worker = AwardType.objects.get(code="excellent-social-worker")
    nomination = nomination_create(
        nomination=Nomination(round=round_, award_type=social_worker, person_name="陈晓燕", reason="扎根社区十年"),
        by=cast["association"],
    )
    assert nomination.source == "association"
    with pytest.raises(WorkflowError, match="已被提名"):
        nomination_create(
            nomination=Nomination(round=round_, award_type=social_worker, person_name="陈晓燕", reason="重复"),
            by=cast["association"],
        )
    with pytest.raises(WorkflowError, match="理由"):
        nomination_create(
            nomination=Nomination(round=round_, award_type=social_worker, person_name="李四", reason=" "),
            by=cast["association"],
        )
    unit_award = AwardType.objects.get(code="advanced-unit")
    unit_nomination = nomination_create(
        nomination=Nomination(round=round_, award_type=unit_award, organization=OrganizationFactory(), reason="规范"),
        by=cast["association"],
    )
    with pytest.raises(WorkflowError, match="理由"):
        nomination_decline(nomination=unit_nomination, by=cast["committee"], note="")
    nomination_decline(nomination=unit_nomination, by=cast["committee"], note="本年度暂不评选")
    assert unit_nomination.status == "declined"
    confirm(nomination, cast["committee"])
    assert AwardRecord.objects.get(round=round_, award_type=social_worker).person_name == "陈晓燕"
