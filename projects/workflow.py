"""The project workflow as data: which action leads from which states to which, and who may take it.

DESIGN.md "Project workflow" is the specification. Services (``projects.services``)
carry the transitions out; permission predicates (``projects.permissions``) and the
admin read this table, so a new transition is one row here plus its service.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from projects import states
from projects.states import Action
from projects.states import ProjectStatus as S


@dataclass(frozen=True)
class Transition:
    action: Action
    label: str
    sources: frozenset
    target: str
    permission: str
    # Implementing units may take it only on their own projects; other roles on any they see.
    comment_required: bool = False
    button_class: str = ""
    help_text: str = ""
    # Evaluation-driven transitions are taken by finalising an evaluation, never by a button.
    manual: bool = True


TRANSITIONS = {
    t.action: t
    for t in [
        Transition(
            Action.SUBMIT,
            Action.SUBMIT.label,
            states.UNIT_EDITABLE,
            S.SUBMITTED,
            "projects.submit_project",
            help_text=_("提交后由区社工协会初审，提交后不能再修改。"),
        ),
        Transition(
            Action.RECOMMEND,
            Action.RECOMMEND.label,
            frozenset({S.SUBMITTED}),
            S.RECOMMENDED,
            "projects.review_project",
            help_text=_("推荐后由民政/社工办审定项目和金额。"),
        ),
        Transition(
            Action.RETURN,
            Action.RETURN.label,
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            "projects.review_project",
            comment_required=True,
            button_class="warning",
            help_text=_("请写明需要修改的内容，实施单位修改后可重新提交。"),
        ),
        Transition(
            Action.REJECT,
            Action.REJECT.label,
            frozenset({S.SUBMITTED}),
            S.REJECTED,
            "projects.review_project",
            comment_required=True,
            button_class="danger",
            help_text=_("请写明不予推荐的理由。此操作不可撤销。"),
        ),
        Transition(
            Action.APPROVE,
            Action.APPROVE.label,
            frozenset({S.RECOMMENDED}),
            S.APPROVED,
            "projects.approve_project",
            help_text=_("审定金额计入本年度批次预算，不能超过剩余预算。"),
        ),
        Transition(
            Action.SIGN,
            Action.SIGN.label,
            frozenset({S.APPROVED}),
            S.CONTRACTED,
            "projects.sign_project",
            help_text=_("记录已签订的项目协议，协议金额为审定金额。"),
        ),
        Transition(
            Action.START,
            Action.START.label,
            frozenset({S.CONTRACTED}),
            S.IN_PROGRESS,
            "projects.start_project",
        ),
        Transition(
            Action.TERMINATE,
            Action.TERMINATE.label,
            states.LIVE,
            S.TERMINATED,
            "projects.terminate_project",
            comment_required=True,
            button_class="danger",
            help_text=_("请写明终止原因。此操作不可撤销。"),
        ),
        Transition(
            Action.MIDTERM_PASS,
            Action.MIDTERM_PASS.label,
            frozenset({S.IN_PROGRESS}),
            S.MIDTERM_EVALUATED,
            "projects.finalise_evaluation",
            manual=False,
        ),
        Transition(
            Action.COMPLETE,
            Action.COMPLETE.label,
            frozenset({S.MIDTERM_EVALUATED}),
            S.COMPLETED,
            "projects.finalise_evaluation",
            manual=False,
        ),
        Transition(
            Action.ARCHIVE,
            Action.ARCHIVE.label,
            frozenset({S.COMPLETED}),
            S.ARCHIVED,
            "projects.archive_project",
        ),
    ]
}


def transitions_from(status: str, *, manual_only: bool = True) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources and (t.manual or not manual_only)]


def transition_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    return transition.label if transition else action


# What a project in each status waits for, and from whom: the project page's 下一步.
NEXT_STEPS = {
    S.DRAFT: _("待实施单位完善并提交申报"),
    S.RETURNED: _("待实施单位按审核意见修改后重新提交"),
    S.SUBMITTED: _("待区社工协会初审"),
    S.RECOMMENDED: _("待区民政局审定项目和金额"),
    S.APPROVED: _("待签订项目协议"),
    S.CONTRACTED: _("待启动实施"),
    S.IN_PROGRESS: _("实施中，待中期评估"),
    S.MIDTERM_EVALUATED: _("实施中，待结项评估"),
    S.COMPLETED: _("已结项，待归档"),
    S.ARCHIVED: _("已归档，流程结束"),
    S.REJECTED: _("未获推荐，流程结束"),
    S.TERMINATED: _("已终止，流程结束"),
}


def next_step(status: str) -> str:
    return str(NEXT_STEPS.get(status, ""))
