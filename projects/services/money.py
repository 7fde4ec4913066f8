"""Money: budget lines checked on submission, instalment plans, and releases (拨付)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.audit import AuditAction, log_action
from projects.figures import MONEY
from projects.formatting import format_cny, format_date, format_percent
from projects.models import (
    Agreement,
    BudgetLine,
    Instalment,
    InstalmentCondition,
    Project,
    RoundInstalmentRule,
    SocialFund,
)
from projects.services.errors import StaleTransition, WorkflowError
from projects.states import AgreementStatus
from projects.validators import programme_date_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FEN = Decimal("0.01")
HUNDRED = Decimal("100")
C = InstalmentCondition
# Used when a round sets no plan of its own.
DEFAULT_PLAN = [
    (_("首期"), Decimal("40"), C.SIGNED),
    (_("中期"), Decimal("40"), C.MIDTERM_PASSED),
    (_("尾期"), Decimal("20"), C.FINAL_PASSED),
]
# A project whose service has been contracted and not stopped can receive money.
PAYABLE_STATES = frozenset(
    {
        Project.Status.CONTRACTED,
        Project.Status.IN_PROGRESS,
        Project.Status.MIDTERM_EVALUATED,
        Project.Status.COMPLETED,
        Project.Status.ARCHIVED,
    }
)


def plan_amounts(total: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``percents`` (summing to 100) to the fen; the fen left over go to the last part."""
    if sum(percents) != HUNDRED:
        raise WorkflowError(_("拨付比例合计应为100%%，当前为%(sum)s%%。") % {"sum": format_percent(sum(percents))})
    amounts = [(total * percent / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP) for percent in percents[:-1]]
    amounts.append(total - sum(amounts, Decimal("0")))
    return amounts


def budget_total(lines) -> Decimal:
    """The sum of a project's budget lines: what must equal its requested amount."""
    return sum((line.amount for line in lines), Decimal("0.00"))


def budget_problems(project: Project) -> list[str]:
    """Why the project's budget lines do not support its application (empty when they do)."""
    lines = list(project.budget_lines.select_related("category"))
    if not lines:
        return [_("请填写预算明细（按类别列出，合计等于申请金额）。")]
    problems = []
    total = budget_total(lines)
    if total != project.requested_amount:
        problems.append(
            _("预算明细合计 %(total)s 元，与申请金额 %(requested)s 元不一致。")
            % {"total": format_cny(total), "requested": format_cny(project.requested_amount)}
        )
    cap = project.round.management_cap_percent
    management = sum((line.amount for line in lines if line.category.is_management), Decimal("0"))
    if cap is not None and project.requested_amount and management * HUNDRED > cap * project.requested_amount:
        share = (management * HUNDRED / project.requested_amount).quantize(FEN)
        problems.append(
            _("管理费 %(amount)s 元占申请金额的 %(share)s%%，超过本批次上限 %(cap)s%%。")
            % {"amount": format_cny(management), "share": share, "cap": format_percent(cap)}
        )
    return problems


def round_plan(round_) -> list[tuple[str, Decimal, str]]:
    rules = list(RoundInstalmentRule.objects.filter(round=round_).order_by("order"))
    if not rules:
        return [(str(name), percent, condition) for name, percent, condition in DEFAULT_PLAN]
    return [(rule.name, rule.percent, rule.condition) for rule in rules]


def instalment_plan_create(*, project: Project) -> list[Instalment]:
    """The project's instalments from its round's plan, summing exactly to the approved amount."""
    existing = list(project.instalments.all())
    if existing:
        return existing
    plan = round_plan(project.round)
    amounts = plan_amounts(project.approved_amount, [percent for _name, percent, _condition in plan])
    instalments = Instalment.objects.bulk_create(
        Instalment(project=project, sequence=index, name=name, percent=percent, amount=amount, condition=condition)
        for index, ((name, percent, condition), amount) in enumerate(zip(plan, amounts, strict=True), start=1)
    )
    Instalment.history.bulk_history_create(instalments, default_change_reason=_("生成拨付计划"))
    return instalments


def project_agreement_signed(project: Project) -> bool:
    """Whether the project's agreement is signed (the first instalment's usual condition)."""
    return Agreement.objects.filter(
        project=project, kind=Agreement.Kind.PROJECT, status=AgreementStatus.SIGNED
    ).exists()


def condition_unmet(instalment: Instalment, *, agreement_signed: bool | None = None) -> str | None:
    """Why the instalment's condition is not met yet, or None when it is.

    The evaluation-driven conditions read ``Project.midterm_passed_on`` and
    ``final_passed_on``, which finalising a passed evaluation sets. ``agreement_signed``, when the
    caller already knows it (``instalment_conditions``), saves reading the project agreement again.
    """
    project = instalment.project
    if project.needs_rectification:
        return _("项目正在整改，解除整改后方可拨付。")
    if instalment.condition == C.SIGNED:
        signed = project_agreement_signed(project) if agreement_signed is None else agreement_signed
        if not signed:
            return _("项目协议尚未签订。")
    elif instalment.condition == C.MIDTERM_PASSED and project.midterm_passed_on is None:
        return _("项目尚未通过中期评估。")
    elif instalment.condition == C.FINAL_PASSED and project.final_passed_on is None:
        return _("项目尚未通过结项评估。")
    return None


def release_blocker(instalment: Instalment, *, instalments=None, agreement_signed: bool | None = None) -> str | None:
    """Why a planned instalment cannot be released now (the project's state, an earlier instalment still
    planned, its condition), or None: what ``instalment_release`` refuses, for a page to say instead of
    offering a button that cannot succeed. ``instalments`` (the project's, in any order) and
    ``agreement_signed`` spare the queries when the caller has them."""
    project = instalment.project
    if project.status not in PAYABLE_STATES:
        return _("项目当前状态为“%(status)s”，不能拨付。") % {"status": project.get_status_display()}
    if instalments is None:
        earlier = project.instalments.filter(sequence__lt=instalment.sequence, status=Instalment.Status.PLANNED)
        first = earlier.order_by("sequence").first()
    else:
        waiting = [i for i in instalments if i.sequence < instalment.sequence and i.status == Instalment.Status.PLANNED]
        first = min(waiting, key=lambda i: i.sequence) if waiting else None
    if first is not None:
        return _("请先拨付前一期款项：%(name)s。") % {"name": first.name}
    reason = condition_unmet(instalment, agreement_signed=agreement_signed)
    if reason:
        return _("不满足拨付条件（%(condition)s）：%(reason)s") % {
            "condition": instalment.get_condition_display(),
            "reason": reason,
        }
    return None


def instalment_conditions(project: Project, instalments) -> dict[int, str | None]:
    """``condition_unmet`` of each of ``project``'s ``instalments`` by id, the agreement read once."""
    signed = project_agreement_signed(project)
    return {instalment.pk: condition_unmet(instalment, agreement_signed=signed) for instalment in instalments}


def instalment_release(
    *,
    instalment: Instalment,
    by: User,
    released_on: datetime.date,
    voucher_number: str,
    expected_version: int | None = None,
) -> Instalment:
    """Civil affairs records a payment: only when its condition is met, in order, never beyond the plan."""
    project = instalment.project
    voucher_number = (voucher_number or "").strip()
    if not permissions.can_release_instalments(by, project):
        raise WorkflowError(_("您不能为该项目登记拨付。"))
    if expected_version is not None and expected_version != instalment.version:
        raise StaleTransition(_("该期款项已被他人处理，页面上的信息已过期。请刷新后查看。"))
    if instalment.status != Instalment.Status.PLANNED:
        raise WorkflowError(
            _("%(name)s已于 %(date)s 拨付。") % {"name": instalment.name, "date": format_date(instalment.released_on)}
        )
    blocker = release_blocker(instalment)
    if blocker:
        raise WorkflowError(blocker)
    if not voucher_number:
        raise WorkflowError(_("请填写凭证号。"))
    if released_on is None or released_on > timezone.localdate():
        raise WorkflowError(_("拨付日期不能为空，也不能晚于今天。"))
    problem = programme_date_problem(released_on, project.round.year)
    if problem:
        raise WorkflowError(_("拨付日期：%(problem)s") % {"problem": problem})

    with transaction.atomic():
        released = Instalment.objects.filter(project=project, status=Instalment.Status.RELEASED).aggregate(
            total=Sum("amount", output_field=MONEY)
        )["total"] or Decimal("0")
        if released + instalment.amount > (project.approved_amount or Decimal("0")):
            raise WorkflowError(
                _("拨付后累计 %(total)s 元将超过审定金额 %(approved_amount)s 元。")
                % {
                    "total": format_cny(released + instalment.amount),
                    "approved_amount": format_cny(project.approved_amount),
                }
            )
        claimed = Instalment.objects.filter(
            pk=instalment.pk, status=Instalment.Status.PLANNED, version=instalment.version
        ).update(
            status=Instalment.Status.RELEASED,
            released_on=released_on,
            voucher_number=voucher_number,
            released_by=by,
            released_at=timezone.now(),
            version=F("version") + 1,
        )
        if not claimed:
            raise StaleTransition(_("该期款项已被他人处理，本次登记未生效。请刷新后查看。"))
        instalment.refresh_from_db()
        Instalment.history.bulk_history_create(
            [instalment], update=True, default_user=by, default_change_reason=_("登记拨付")
        )
        log_action(
            action=AuditAction.INSTALMENT_RELEASE,
            actor=by,
            obj=instalment,
            amount=instalment.amount,
            voucher=voucher_number,
            released_on=released_on,
        )
    return instalment


def social_fund_delete(*, fund: SocialFund, by: User) -> None:
    """Remove a social fund recorded by mistake (while the project is alive); audited with its amount."""
    if not permissions.can_record_social_funds(by, fund.project):
        raise WorkflowError(_("您不能修改该项目的配套社会资金。"))
    with transaction.atomic():
        log_action(
            action=AuditAction.SOCIAL_FUND_RECORD,
            actor=by,
            obj=fund,
            amount=fund.amount,
            donor=str(fund.donor),
            deleted=True,
        )
        fund.delete()


def budget_line_save(*, line: BudgetLine, by: User) -> BudgetLine:
    """A row of an application's budget, while the application may be edited."""
    if not permissions.can_edit_project(by, line.project):
        raise WorkflowError(_("该项目的申报内容当前不能修改，预算明细也不能修改。"))
    line.save()
    return line


def budget_line_delete(*, line: BudgetLine, by: User) -> None:
    if not permissions.can_edit_project(by, line.project):
        raise WorkflowError(_("该项目的申报内容当前不能修改，预算明细也不能修改。"))
    line.delete()


def social_fund_record(*, fund: SocialFund, by: User) -> SocialFund:
    """Record (or correct) matched social money or in-kind support for a live project; audited."""
    if not permissions.can_record_social_funds(by, fund.project):
        raise WorkflowError(_("您不能为该项目登记配套社会资金（项目须在您的范围内且尚未结束）。"), field="project")
    try:
        fund.full_clean()
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    created = fund.pk is None
    with transaction.atomic():
        fund.save()
        log_action(
            action=AuditAction.SOCIAL_FUND_RECORD,
            actor=by,
            obj=fund,
            amount=fund.amount,
            donor=str(fund.donor),
            corrected=not created,
        )
    return fund
