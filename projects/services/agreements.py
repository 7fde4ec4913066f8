"""Agreements: numbering, drafting, signing the framework agreement, terminating, and signed scans."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.audit import AuditAction, log_action
from projects.models import Agreement, Organization, Project
from projects.services.errors import StaleTransition, WorkflowError
from projects.uploads import display_name, sniff_scan
from projects.validators import programme_date_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Project.Status
# A project agreement can be drafted once the project's amount is fixed.
AGREEABLE_STATES = frozenset({S.APPROVED})


def agreement_number(*, kind: str, round_, project: Project | None = None) -> str:
    """``QCKJ-2013`` for a round's framework agreement, ``QCXY-2013-001`` for project 001's; -2, -3 … if taken."""
    base = f"QCKJ-{round_.year}" if kind == Agreement.Kind.FRAMEWORK else f"QCXY-{round_.year}-{project.sequence:03d}"
    number, suffix = base, 1
    while Agreement.objects.filter(number=number).exists():
        suffix += 1
        number = f"{base}-{suffix}"
    return number


def term_problem(round_, term_start: datetime.date | None, term_end: datetime.date | None) -> str | None:
    if term_start and term_end and term_end < term_start:
        return _("协议期限结束日期不能早于开始日期。")
    if round_.period_start and term_start and term_start < round_.period_start:
        return _("协议期限不能早于本批次服务周期的开始日期 %(date)s。") % {"date": round_.period_start}
    if round_.period_end and term_end and term_end > round_.period_end:
        return _("协议期限不能晚于本批次服务周期的结束日期 %(date)s。") % {"date": round_.period_end}
    return None


def agreement_creation_problems(agreement: Agreement) -> list[str]:
    problems = []
    if agreement.kind == Agreement.Kind.PROJECT:
        project = agreement.project
        if project is None:
            return [_("项目协议必须关联项目。")]
        if project.status not in AGREEABLE_STATES:
            problems.append(
                _("项目“%(code)s”当前状态为“%(status)s”，只有已审定的项目才能拟定项目协议。")
                % {"code": project.code, "status": project.get_status_display()}
            )
    problem = term_problem(agreement.round, agreement.term_start, agreement.term_end) if agreement.round_id else None
    if problem:
        problems.append(problem)
    party_b = agreement.project.implementing_unit_id if agreement.project_id else agreement.party_b_id
    if agreement.party_a_id and agreement.party_a_id == party_b:
        problems.append(_("甲方和乙方不能是同一单位。"))
    return problems


def agreement_create(*, agreement: Agreement, by: User) -> Agreement:
    """Draft an agreement: numbered automatically; a project agreement takes its project's round, unit and amount."""
    if not permissions.can_manage_agreements(by):
        raise WorkflowError(_("您的角色不能拟定协议。"))
    if agreement.kind == Agreement.Kind.PROJECT and agreement.project_id:
        project = agreement.project
        agreement.round_id = project.round_id
        agreement.party_b_id = project.implementing_unit_id
        agreement.amount = project.approved_amount
        agreement.term_start = agreement.term_start or project.start_date
        agreement.term_end = agreement.term_end or project.end_date
        agreement.title = agreement.title or _("%(title)s服务协议") % {"title": project.title}
    problems = agreement_creation_problems(agreement)
    if problems:
        raise WorkflowError("；".join(problems))
    agreement.status = Agreement.Status.DRAFT
    agreement.signed_date = None
    agreement.number = agreement_number(kind=agreement.kind, round_=agreement.round, project=agreement.project)
    agreement._history_user = by
    try:
        with transaction.atomic():
            agreement.save()
            log_action(action=AuditAction.AGREEMENT_CREATE, actor=by, obj=agreement, amount=agreement.amount)
    except IntegrityError:
        raise WorkflowError(_("协议未能保存：编号已被占用或该项目已有有效协议，请刷新后重试。")) from None
    return agreement


def signing_party(by: User) -> Organization:
    """Party A of a project agreement: the signer's own association or department, else the association."""
    org_id = permissions.organization_id_of(by)
    org = Organization.objects.filter(pk=org_id).first() if org_id else None
    if org and org.type in {Organization.Type.ASSOCIATION, Organization.Type.GOVERNMENT}:
        return org
    association = Organization.objects.filter(type=Organization.Type.ASSOCIATION, is_active=True).first()
    if association is None:
        raise WorkflowError(_("系统中没有社工协会，无法确定协议甲方。"))
    return association


def _set_status(
    agreement: Agreement, *, by: User, expected: str, changes: dict, reason: str, action: AuditAction, comment: str = ""
) -> Agreement:
    with transaction.atomic():
        claimed = Agreement.objects.filter(pk=agreement.pk, status=expected).update(
            updated_at=timezone.now(), **changes
        )
        if not claimed:
            raise StaleTransition(_("该协议已被他人处理，本次操作未生效。请刷新后查看。"))
        agreement.refresh_from_db()
        Agreement.history.bulk_history_create([agreement], update=True, default_user=by, default_change_reason=reason)
        log_action(action=action, actor=by, obj=agreement, comment=comment)
    return agreement


def agreement_sign_framework(*, agreement: Agreement, by: User, signed_date: datetime.date) -> Agreement:
    """Sign a round's framework agreement (project agreements are signed by the project's sign transition)."""
    if not permissions.can_manage_agreements(by):
        raise WorkflowError(_("您的角色不能签订协议。"))
    if agreement.kind != Agreement.Kind.FRAMEWORK:
        raise WorkflowError(_("项目协议请在项目页面通过“签订项目协议”办理。"))
    if agreement.status != Agreement.Status.DRAFT:
        raise WorkflowError(_("只有草稿状态的协议可以签订。"))
    if signed_date is None or signed_date > timezone.localdate():
        raise WorkflowError(_("签订日期不能为空，也不能晚于今天。"))
    problem = programme_date_problem(signed_date, agreement.round.year)
    if problem:
        raise WorkflowError(_("签订日期：%(problem)s") % {"problem": problem})
    return _set_status(
        agreement,
        by=by,
        expected=Agreement.Status.DRAFT,
        changes={"status": Agreement.Status.SIGNED, "signed_date": signed_date},
        reason=_("签订"),
        action=AuditAction.AGREEMENT_SIGN,
    )


def agreement_terminate(*, agreement: Agreement, by: User, reason: str) -> Agreement:
    """End a signed framework agreement early (reason required); project agreements end with their project."""
    reason = (reason or "").strip()
    if not permissions.can_manage_agreements(by):
        raise WorkflowError(_("您的角色不能终止协议。"))
    if agreement.kind != Agreement.Kind.FRAMEWORK:
        raise WorkflowError(_("项目协议随项目终止：请在项目页面执行“终止项目”。"))
    if agreement.status != Agreement.Status.SIGNED:
        raise WorkflowError(_("只有已签订的协议可以终止。"))
    if not reason:
        raise WorkflowError(_("终止协议必须填写原因。"))
    note = "\n".join(filter(None, [agreement.note, _("协议终止：%(reason)s") % {"reason": reason}]))
    return _set_status(
        agreement,
        by=by,
        expected=Agreement.Status.SIGNED,
        changes={"status": Agreement.Status.TERMINATED, "note": note},
        reason=_("终止"),
        action=AuditAction.AGREEMENT_TERMINATE,
        comment=reason,
    )


def agreement_attach_scan(*, agreement: Agreement, by: User, upload) -> Agreement:
    """Store the signed scan under a random name, after judging the file by its content.

    Nothing is stored when the file is refused.
    """
    if not permissions.can_upload_scan(by, agreement):
        raise WorkflowError(_("您不能为该协议上传扫描件。"))
    extension, content_type = sniff_scan(upload)
    previous = agreement.scan.name if agreement.scan else ""
    original = display_name(upload.name)
    agreement.scan.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    try:
        with transaction.atomic():
            agreement.scan_name = original or f"scan{extension}"
            agreement.scan_content_type = content_type
            agreement.scan_size = upload.size
            agreement.scan_uploaded_at = timezone.now()
            agreement.scan_uploaded_by = by
            agreement._history_user = by
            agreement._change_reason = _("上传扫描件")
            agreement.save()
            log_action(action=AuditAction.AGREEMENT_SCAN, actor=by, obj=agreement)
    except Exception:
        agreement.scan.storage.delete(agreement.scan.name)
        raise
    if previous:
        transaction.on_commit(lambda: agreement.scan.storage.delete(previous))
    return agreement
