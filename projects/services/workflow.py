"""Writes to the portfolio. Views, admin classes and commands call these; they never write models directly.

Every workflow transition is one function here. Each checks the actor's role, scope
and the project's current state, then changes the status with a conditional update
guarded by the status and version the actor saw (``select_for_update`` does nothing on
SQLite), and writes the transition log row and the history row in the same
transaction. Notifications go out only once the transaction has committed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.audit import AuditAction, log_action, log_actions, transition_action
from projects.figures import round_money
from projects.formatting import format_cny
from projects.history import copy_into_history
from projects.models import Agreement, AuditEntry, Project, Round
from projects.notifications import notifications_enabled, notify_transition
from projects.services.agreements import agreement_number, signing_party, term_problem
from projects.services.errors import StaleTransition, WorkflowError
from projects.services.money import budget_problems, instalment_plan_create
from projects.states import Action
from projects.validators import programme_date_problem
from projects.workflow import TRANSITIONS, Transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Project.Status


def project_code(*, year: int, sequence: int) -> str:
    return f"QC-{year}-{sequence:03d}"


def project_creation_check(*, by: User, round_: Round) -> None:
    """Raise WorkflowError unless ``by`` may create a project in ``round_``."""
    if permissions.is_implementing_unit(by) and round_.status != Round.Status.OPEN:
        raise WorkflowError(_("“%(round)s”不在申报期，不能新建项目。") % {"round": round_})


def project_create(*, project: Project, by: User | None = None) -> Project:
    """Save a new project with the next code of its round (``QC-2013-001``).

    An implementing unit's project always belongs to the unit's own organisation and
    can only be put into a round that is open for applications.

    Codes are handed out one at a time per round: the round's row is locked before the
    highest sequence is read, so people creating projects in one round at once queue
    for a moment on PostgreSQL instead of reading the same number (retrying on the
    unique constraint gave up after a few rounds of 20 at once). SQLite serialises
    writers already (its transactions are IMMEDIATE). Should the code still be taken,
    say by a row typed in by hand, the answer is a WorkflowError in Chinese.
    """
    if by is not None:
        project_creation_check(by=by, round_=project.round)
        if permissions.is_implementing_unit(by):
            project.implementing_unit_id = permissions.organization_id_of(by)
        project._history_user = by
    with transaction.atomic():
        Round.objects.select_for_update().only("pk").get(pk=project.round_id)
        highest = Project.objects.filter(round_id=project.round_id).aggregate(m=Max("sequence"))["m"] or 0
        project.sequence = highest + 1
        project.code = project_code(year=project.round.year, sequence=project.sequence)
        try:
            with transaction.atomic():
                project.save(force_insert=True)
        except IntegrityError:
            project.pk = None
            taken = Project.objects.filter(
                Q(round_id=project.round_id, sequence=project.sequence) | Q(code=project.code)
            ).exists()
            if not taken:
                raise
            raise WorkflowError(
                _("项目编号 %(code)s 已被占用，项目未保存。请稍后重新提交；如仍不成功，请联系区民政局。")
                % {"code": project.code}
            ) from None
        log_action(action=AuditAction.PROJECT_CREATE, actor=by, obj=project)
    return project


def project_create_many(*, projects: list[Project], by: User) -> list[Project]:
    """``project_create`` for many projects at once (an import): the same checks, codes handed out in the
    order given under each round's lock, then one insert, the history rows copied by the database
    (``copy_into_history``) and one batch of audit rows.

    Call it inside a transaction; the projects must already pass their model validation.
    """
    rounds = {project.round_id: project.round for project in projects}
    for round_ in rounds.values():
        project_creation_check(by=by, round_=round_)
    if permissions.is_implementing_unit(by):
        for project in projects:
            project.implementing_unit_id = permissions.organization_id_of(by)
    highest = {}
    for round_id in sorted(rounds):
        Round.objects.select_for_update().only("pk").get(pk=round_id)
        highest[round_id] = Project.objects.filter(round_id=round_id).aggregate(m=Max("sequence"))["m"] or 0
    for project in projects:
        highest[project.round_id] += 1
        project.sequence = highest[project.round_id]
        project.code = project_code(year=rounds[project.round_id].year, sequence=project.sequence)
    created = Project.objects.bulk_create(projects, batch_size=500)
    copy_into_history(Project, [project.pk for project in created], user=by)
    log_actions(action=AuditAction.PROJECT_CREATE, actor=by, objs=created, source="import")
    return created


def project_update(*, project: Project, by: User) -> Project:
    """Save changes to an application's fields (never its status or approved amount: those are transitions)."""
    if not permissions.can_edit_project(by, project):
        raise WorkflowError(_("该项目当前不能修改：实施单位只能在草稿或退回修改时修改申报内容。"))
    try:
        project.full_clean(exclude=["round", "implementing_unit", "category"])
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    project._history_user = by
    project.save()
    return project


# -- workflow -------------------------------------------------------------------------


def _check_allowed(*, project: Project, by: User, transition: Transition, expected_version: int | None) -> None:
    if not permissions.is_active_staff(by):
        raise WorkflowError(_("请先登录。"))
    if not permissions.can_view_project(by, project):
        raise WorkflowError(_("您无权处理该项目。"))
    if expected_version is not None and expected_version != project.version:
        raise StaleTransition(_("该项目已被他人处理，页面上的状态已过期。请刷新后查看最新状态。"))
    if project.status not in transition.sources:
        raise WorkflowError(
            _("项目当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": project.get_status_display(), "action": transition.label}
        )
    if not permissions.holds_transition_permission(by, transition):
        raise WorkflowError(_("您的角色不能执行“%(action)s”。") % {"action": transition.label})


def _apply(
    *,
    project: Project,
    by: User,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
    changes: dict | None = None,
    checks=None,
    side_effects=None,
    audit_data: dict | None = None,
) -> Project:
    transition = TRANSITIONS[action]
    _check_allowed(project=project, by=by, transition=transition, expected_version=expected_version)
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise WorkflowError(_("“%(action)s”必须填写意见或原因。") % {"action": transition.label})
    changes = dict(changes or {})
    from_status, version = project.status, project.version
    with transaction.atomic():
        if checks:
            checks()
        claimed = Project.objects.filter(pk=project.pk, status=from_status, version=version).update(
            status=transition.target, version=F("version") + 1, updated_at=timezone.now(), **changes
        )
        if not claimed:
            raise StaleTransition(_("该项目已被他人处理，本次操作未生效。请刷新后查看最新状态。"))
        project.refresh_from_db()
        entry = log_action(
            action=transition_action(action),
            actor=by,
            obj=project,
            **{"from": from_status, "to": project.status, "comment": comment, **(audit_data or {})},
        )
        Project.history.bulk_history_create(
            [project], update=True, default_user=by, default_change_reason=str(transition.label)
        )
        if side_effects:
            side_effects()
        if notifications_enabled():
            transaction.on_commit(lambda: _notify(entry.pk))
    return project


def _notify(entry_id: int) -> None:
    notify_transition(AuditEntry.objects.select_related("project", "actor").get(pk=entry_id))


def project_submit(*, project: Project, by: User, comment: str = "", expected_version: int | None = None) -> Project:
    """An implementing unit submits its draft (or returned) application to the association."""

    def checks():
        missing = []
        if not project.requested_amount or project.requested_amount <= 0:
            missing.append(_("申请金额"))
        if not (project.start_date and project.end_date):
            missing.append(_("项目周期"))
        if not project.objectives.strip():
            missing.append(_("项目目标"))
        if not project.target_beneficiaries:
            missing.append(_("目标服务人数"))
        if missing:
            raise WorkflowError(_("申报材料不完整，请先填写：%(fields)s。") % {"fields": "、".join(map(str, missing))})
        problems = budget_problems(project)
        if problems:
            raise WorkflowError(" ".join(problems))
        round_status = Round.objects.values_list("status", flat=True).get(pk=project.round_id)
        if round_status != Round.Status.OPEN:
            raise WorkflowError(_("“%(round)s”不在申报期，不能提交。") % {"round": project.round})

    return _apply(
        project=project, by=by, action=Action.SUBMIT, comment=comment, expected_version=expected_version, checks=checks
    )


def project_recommend(*, project: Project, by: User, comment: str = "", expected_version: int | None = None) -> Project:
    """The association passes its first review (初审) and recommends the project to civil affairs."""
    return _apply(project=project, by=by, action=Action.RECOMMEND, comment=comment, expected_version=expected_version)


def project_return(*, project: Project, by: User, comment: str, expected_version: int | None = None) -> Project:
    """The association sends the application back to its unit for revision (reason required)."""
    return _apply(project=project, by=by, action=Action.RETURN, comment=comment, expected_version=expected_version)


def project_reject(*, project: Project, by: User, comment: str, expected_version: int | None = None) -> Project:
    """The association declines to recommend the project (reason required)."""
    return _apply(project=project, by=by, action=Action.REJECT, comment=comment, expected_version=expected_version)


def parse_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise WorkflowError(_("金额格式不正确，请输入数字，如 20000.00。")) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise WorkflowError(_("金额最多保留两位小数（精确到分）。"))
    return amount


def project_approve(
    *, project: Project, by: User, amount, comment: str = "", expected_version: int | None = None
) -> Project:
    """Civil affairs approves a recommended project and fixes its amount within the round budget."""
    amount = parse_amount(amount)
    if amount <= 0:
        raise WorkflowError(_("审定金额必须大于零。"))
    if amount > project.requested_amount:
        raise WorkflowError(
            _("审定金额 %(amount)s 元不能超过申请金额 %(requested)s 元。")
            % {"amount": format_cny(amount), "requested": format_cny(project.requested_amount)}
        )

    def checks():
        # Serialises approvals within a round on PostgreSQL; on SQLite every write
        # transaction is already serialised (transaction_mode IMMEDIATE).
        round_ = Round.objects.select_for_update().get(pk=project.round_id)
        remaining = round_money(round_.pk, excluding_project_id=project.pk).remaining
        if amount > remaining:
            raise WorkflowError(
                _("超出“%(round)s”预算：剩余预算 %(remaining)s 元，本次审定 %(amount)s 元。")
                % {"round": round_, "remaining": format_cny(remaining), "amount": format_cny(amount)}
            )

    return _apply(
        project=project,
        by=by,
        action=Action.APPROVE,
        comment=comment,
        expected_version=expected_version,
        changes={"approved_amount": amount},
        checks=checks,
    )


def project_sign(
    *,
    project: Project,
    by: User,
    signed_date: datetime.date,
    term_start: datetime.date | None = None,
    term_end: datetime.date | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Project:
    """Record the signed project agreement (amount = approved amount), plan the instalments, mark it contracted."""
    term_start = term_start or project.start_date
    term_end = term_end or project.end_date
    if signed_date is None:
        raise WorkflowError(_("请填写签订日期。"))
    if signed_date > timezone.localdate():
        raise WorkflowError(_("签订日期不能晚于今天。"))
    problem = programme_date_problem(signed_date, project.round.year)
    if problem:
        raise WorkflowError(_("签订日期：%(problem)s") % {"problem": problem}, field="signed_date")
    problem = term_problem(project.round, term_start, term_end)
    if problem:
        raise WorkflowError(problem)
    party_a = signing_party(by)

    def side_effects():
        draft = Agreement.objects.filter(
            project=project, kind=Agreement.Kind.PROJECT, status=Agreement.Status.DRAFT
        ).first()
        agreement = draft or Agreement(
            kind=Agreement.Kind.PROJECT,
            number=agreement_number(kind=Agreement.Kind.PROJECT, round_=project.round, project=project),
            title=_("%(title)s服务协议") % {"title": project.title},
            round_id=project.round_id,
            project=project,
        )
        agreement.party_a = party_a
        agreement.party_b_id = project.implementing_unit_id
        agreement.amount = project.approved_amount
        agreement.signed_date = signed_date
        agreement.term_start, agreement.term_end = term_start, term_end
        agreement.status = Agreement.Status.SIGNED
        agreement._history_user = by
        agreement.save()
        instalment_plan_create(project=project)

    return _apply(
        project=project,
        by=by,
        action=Action.SIGN,
        comment=comment,
        expected_version=expected_version,
        side_effects=side_effects,
    )


def project_start(*, project: Project, by: User, comment: str = "", expected_version: int | None = None) -> Project:
    """A contracted project starts its service."""
    return _apply(project=project, by=by, action=Action.START, comment=comment, expected_version=expected_version)


def project_terminate(*, project: Project, by: User, comment: str, expected_version: int | None = None) -> Project:
    """Civil affairs stops a live project (reason required); its live agreement is terminated with it."""

    def side_effects():
        for agreement in Agreement.objects.filter(project=project, status=Agreement.Status.SIGNED):
            agreement.status = Agreement.Status.TERMINATED
            agreement.note = "\n".join(filter(None, [agreement.note, _("项目终止：%(reason)s") % {"reason": comment}]))
            agreement._history_user = by
            agreement.save(update_fields=["status", "note", "updated_at"])

    return _apply(
        project=project,
        by=by,
        action=Action.TERMINATE,
        comment=comment,
        expected_version=expected_version,
        side_effects=side_effects,
    )


def project_archive(*, project: Project, by: User, comment: str = "", expected_version: int | None = None) -> Project:
    """File a completed project."""
    return _apply(project=project, by=by, action=Action.ARCHIVE, comment=comment, expected_version=expected_version)


TRANSITION_SERVICES = {
    Action.SUBMIT: project_submit,
    Action.RECOMMEND: project_recommend,
    Action.RETURN: project_return,
    Action.REJECT: project_reject,
    Action.APPROVE: project_approve,
    Action.SIGN: project_sign,
    Action.START: project_start,
    Action.TERMINATE: project_terminate,
    Action.ARCHIVE: project_archive,
}
