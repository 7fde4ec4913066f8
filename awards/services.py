"""Nominations and awards: proposals from the evaluation ranking, nominations by the association,
and the committee's confirmations, which become award records within each award's quota."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import permissions
from awards.constants import EXCELLENT_PROJECT
from awards.models import AwardRecord, AwardType, Nomination
from projects.audit import AuditAction, log_action
from projects.models import Round
from projects.services import WorkflowError, round_ranking

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class Proposal:
    created: list
    tied: list  # the nominations tied at the quota's cut, for the committee to settle
    cut_score: object = None


def nominations_propose(*, round_, by: User) -> Proposal:
    """Nominate the round's top-N finally evaluated projects for 优秀项目 (N = its quota).

    Projects tied with the N-th score are all nominated and flagged 名额线并列, so the
    committee settles the tie visibly instead of the code settling it silently.
    """
    if not permissions.can_nominate(by):
        raise WorkflowError(_("您的角色不能生成提名。"))
    award_type = AwardType.objects.get(code=EXCELLENT_PROJECT)
    ranking = [e for e in round_ranking(round_)[0] if e.grade != "fail"]  # a failed project is never excellent
    if not ranking:
        raise WorkflowError(_("本批次还没有已定级的结项评估，无法按排名提名。"))
    quota = award_type.quota or len(ranking)
    cut_score = ranking[min(quota, len(ranking)) - 1].score
    beyond_cut = [e for e in ranking[quota:] if e.score == cut_score]
    chosen = list(ranking[:quota]) + beyond_cut
    tie = bool(beyond_cut)  # projects outside the quota score the same as the last one inside it
    created, tied = [], []
    with transaction.atomic():
        for position, evaluation in enumerate(chosen, start=1):
            if (
                Nomination.objects.filter(round=round_, award_type=award_type, project=evaluation.project)
                .exclude(status=Nomination.Status.DECLINED)
                .exists()
            ):
                continue
            try:
                with transaction.atomic():
                    nomination = Nomination.objects.create(
                        round=round_,
                        award_type=award_type,
                        project=evaluation.project,
                        source=Nomination.Source.RANKING,
                        ranking_position=position,
                        score=evaluation.score,
                        tied_at_cut=tie and evaluation.score == cut_score,
                        reason=_("结项评估得分 %(score)s，本批次第 %(position)d 名。")
                        % {"score": evaluation.score, "position": position},
                    )
            except IntegrityError:
                continue  # proposed at the same moment by someone else
            created.append(nomination)
            if nomination.tied_at_cut:
                tied.append(nomination)
    return Proposal(created=created, tied=tied, cut_score=cut_score)


def nomination_create(*, nomination: Nomination, by: User) -> Nomination:
    """The association nominates a project, person or organisation, with a reason."""
    if not permissions.can_nominate(by):
        raise WorkflowError(_("您的角色不能提名。"))
    if not (nomination.reason or "").strip():
        raise WorkflowError(_("请写明提名理由。"), field="reason")
    nomination.source = Nomination.Source.ASSOCIATION
    nomination.status = Nomination.Status.PENDING
    try:
        with transaction.atomic():
            nomination.save()
            log_action(action=AuditAction.NOMINATION_CREATE, actor=by, obj=nomination, project=nomination.project)
    except IntegrityError:
        raise WorkflowError(_("该对象已被提名此奖项。")) from None
    return nomination


def nomination_confirm(
    *, nomination: Nomination, by: User, citation: str, awarded_on: datetime.date, presenter: str, rank=None
) -> AwardRecord:
    """The committee confirms a nomination: it becomes an award record, never beyond the award's quota."""
    if not permissions.can_decide_nominations(by):
        raise WorkflowError(_("您不能确认表彰。"))
    with transaction.atomic():
        # Confirmations of one award are serialised (select_for_update on PostgreSQL; SQLite
        # serialises every write transaction), so two at once cannot both take the last place.
        award_type = AwardType.objects.select_for_update().get(pk=nomination.award_type_id)
        if award_type.quota is not None:
            given = AwardRecord.objects.filter(round=nomination.round, award_type=award_type).count()
            if given >= award_type.quota:
                raise WorkflowError(
                    _("“%(award)s”本批次名额为 %(quota)d 个，已全部确认。")
                    % {"award": award_type.name, "quota": award_type.quota}
                )
        try:
            with transaction.atomic():
                record = AwardRecord.objects.create(
                    round=nomination.round,
                    award_type=award_type,
                    project=nomination.project,
                    organization=nomination.organization,
                    person_name=nomination.person_name,
                    rank=rank,
                    citation=(citation or "").strip(),
                    awarded_on=awarded_on,
                    presenter=(presenter or "").strip(),
                )
        except IntegrityError:
            raise WorkflowError(_("该对象本批次已获得此奖项，或该名次已被占用。")) from None
        claimed = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.PENDING).update(
            status=Nomination.Status.CONFIRMED, decided_by=by, decided_at=timezone.now(), award_record=record
        )
        if not claimed:
            raise WorkflowError(_("该提名已被他人处理。"))
        log_action(
            action=AuditAction.NOMINATION_CONFIRM,
            actor=by,
            obj=nomination,
            project=nomination.project,
            award=str(award_type),
            rank=rank,
        )
    nomination.refresh_from_db()
    return record


def nomination_decline(*, nomination: Nomination, by: User, note: str) -> Nomination:
    if not permissions.can_decide_nominations(by):
        raise WorkflowError(_("您不能对提名作出不采纳的决定。"))
    if not (note or "").strip():
        raise WorkflowError(_("请写明不采纳的理由。"))
    with transaction.atomic():
        claimed = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.PENDING).update(
            status=Nomination.Status.DECLINED, decided_by=by, decided_at=timezone.now(), decision_note=note.strip()
        )
        if not claimed:
            raise WorkflowError(_("该提名已被他人处理。"))
        log_action(
            action=AuditAction.NOMINATION_DECLINE,
            actor=by,
            obj=nomination,
            project=nomination.project,
            comment=note.strip(),
        )
    nomination.refresh_from_db()
    return nomination


def award_record_import(*, record: AwardRecord, by: User) -> AwardRecord:
    """导入表彰记录: save an award record of a closed round (the programme's history), new or corrected.

    The rules of a confirmation hold: within the award's quota per round, nobody the same award twice
    in a round, a project only of that round. Only a round that has ended (已结束) takes records this
    way: a current round's awards come only from the committee's confirmed nominations, and a record
    that came from one is never changed by an import.
    """
    if not permissions.can_import_award_records(by):
        raise WorkflowError(_("您不能导入表彰记录。"))
    round_ = record.round
    if round_.status != Round.Status.CLOSED:
        raise WorkflowError(award_round_refusal(round_), field="round")
    if record.project_id and record.project.round_id != record.round_id:
        raise WorkflowError(
            _("项目 %(code)s 不是 %(year)s 年度的项目。") % {"code": record.project.code, "year": round_.year},
            field="project",
        )
    created = record.pk is None
    if not created and Nomination.objects.filter(award_record=record).exists():
        raise WorkflowError(_("该表彰记录由社工委确认提名产生，不能通过导入修改。"))
    with transaction.atomic():
        # Serialised per award, as confirmations are, so the quota holds against both.
        award_type = AwardType.objects.select_for_update().get(pk=record.award_type_id)
        if created and award_type.quota is not None:
            given = AwardRecord.objects.filter(round=round_, award_type=award_type).count()
            if given >= award_type.quota:
                raise WorkflowError(award_quota_refusal(award_type, round_, given), field="award_type")
        record.citation, record.presenter = (record.citation or "").strip(), (record.presenter or "").strip()
        try:
            record.full_clean()
        except ValidationError as error:
            raise WorkflowError("；".join(error.messages)) from None
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            raise WorkflowError(_("该对象本批次已获得此奖项，或该名次已被占用。")) from None
        log_action(
            action=AuditAction.AWARD_RECORD_IMPORT,
            actor=by,
            obj=record,
            project=record.project,
            award=str(award_type),
            year=round_.year,
            rank=record.rank,
            created=created,
        )
    return record


def award_round_refusal(round_) -> str:
    return _(
        "%(year)s 年度批次尚未结束（%(status)s）：本批次的表彰只能由社工委确认提名产生，不能导入；"
        "只能导入已结束批次的表彰记录。"
    ) % {"year": round_.year, "status": round_.get_status_display()}


def award_quota_refusal(award_type: AwardType, round_, given: int) -> str:
    return _("“%(award)s”每批次名额为 %(quota)d 个，%(year)s 年度已有 %(given)d 个。") % {
        "award": award_type.name,
        "quota": award_type.quota,
        "year": round_.year,
        "given": given,
    }
