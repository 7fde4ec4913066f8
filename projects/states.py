"""Every status a record of the portfolio can be in, the named sets of states, and the workflow's actions.

The one place that spells a status: models take their choices from here (``Project.Status`` is
``ProjectStatus``), services, permissions, reads and the to-do list use the enums and the named
sets below, and ``tests/projects/test_states.py`` fails when a bare status string appears anywhere else
(migrations excepted). The transitions themselves — which action leads from which states to
which, and who may take it — are the table in ``projects.workflow``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoundStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备")
    OPEN = "open", _("申报中")
    IN_PROGRESS = "in_progress", _("实施中")
    CLOSED = "closed", _("已结束")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    RECOMMENDED = "recommended", _("协会初审通过")
    REJECTED = "rejected", _("不予推荐")
    APPROVED = "approved", _("已审定")
    CONTRACTED = "contracted", _("已签约")
    IN_PROGRESS = "in_progress", _("实施中")
    MIDTERM_EVALUATED = "midterm_evaluated", _("中期评估")
    COMPLETED = "completed", _("结项")
    ARCHIVED = "archived", _("已归档")
    TERMINATED = "terminated", _("终止")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("已签订")
    TERMINATED = "terminated", _("已终止")


class InstalmentStatus(models.TextChoices):
    PLANNED = "planned", _("待拨付")
    RELEASED = "released", _("已拨付")


class EnrollmentStatus(models.TextChoices):
    OPEN = "open", _("服务中")
    CLOSED = "closed", _("已结案")


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("评分中")
    FINALISED = "finalised", _("已定级")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未采纳")


class ImportStatus(models.TextChoices):
    """An import job (导入): uploaded, checked row by row (the dry run), confirmed, written — or not."""

    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("待确认")
    REFUSED = "refused", _("有错误，未导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败，未写入")
    ABANDONED = "abandoned", _("已放弃")


# An import job whose uploaded file is still kept (removed once it is done, failed, refused or abandoned).
IMPORT_PENDING = frozenset({ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.IMPORTING})


class DocumentStatus(models.TextChoices):
    """A printed document generated in the background and kept (qicai.documents.generated)."""

    PENDING = "pending", _("等待生成")
    RUNNING = "running", _("正在生成")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")
    OUTDATED = "outdated", _("已过期")


# A generated document that stands for its version of the data: being made, or made and kept.
DOCUMENT_LIVE = frozenset({DocumentStatus.PENDING, DocumentStatus.RUNNING, DocumentStatus.READY})
DOCUMENT_UNDER_WAY = frozenset({DocumentStatus.PENDING, DocumentStatus.RUNNING})


class Action(models.TextChoices):
    """The workflow's actions: the keys of ``projects.workflow.TRANSITIONS``, of the services, forms and 待办."""

    SUBMIT = "submit", pgettext_lazy("workflow action", "提交申报")
    RECOMMEND = "recommend", pgettext_lazy("workflow action", "初审通过并推荐")
    RETURN = "return", pgettext_lazy("workflow action", "退回修改")
    REJECT = "reject", pgettext_lazy("workflow action", "不予推荐")
    APPROVE = "approve", pgettext_lazy("workflow action", "审定")
    SIGN = "sign", pgettext_lazy("workflow action", "签订项目协议")
    START = "start", pgettext_lazy("workflow action", "启动实施")
    TERMINATE = "terminate", pgettext_lazy("workflow action", "终止项目")
    MIDTERM_PASS = "midterm_pass", pgettext_lazy("workflow action", "中期评估合格")
    COMPLETE = "complete", pgettext_lazy("workflow action", "结项评估合格")
    ARCHIVE = "archive", pgettext_lazy("workflow action", "归档")


P = ProjectStatus

# A project whose service is under way: the states it can be terminated from.
LIVE = frozenset({P.APPROVED, P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_EVALUATED})
# An implementing unit edits its application only before it is submitted, or when it comes back.
UNIT_EDITABLE = frozenset({P.DRAFT, P.RETURNED})
# Nothing more happens to a project in these states.
FINAL = frozenset({P.REJECTED, P.ARCHIVED, P.TERMINATED})
# A project whose approved money no longer counts against the round's budget (money already paid
# to a terminated project is spent, and counts separately: see the money figures).
UNCOMMITTED = frozenset({P.REJECTED, P.TERMINATED})
# A project in which the unit records casework: from signing until the final evaluation.
CASEWORK = frozenset({P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_EVALUATED})
# A project that takes no more matched social funds.
CLOSED_TO_FUNDS = frozenset({P.REJECTED, P.TERMINATED, P.ARCHIVED})
# A project evaluators can be assigned to, by the kind of evaluation.
EVALUABLE = frozenset({P.IN_PROGRESS, P.MIDTERM_EVALUATED})
# 公示: a project approved (审定) is published for good, whatever happens to it since; a terminated one
# stays listed, flagged. Applications never approved (draft … rejected) are never public.
PUBLISHED = frozenset(
    {P.APPROVED, P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_EVALUATED, P.COMPLETED, P.ARCHIVED, P.TERMINATED}
)
# What the public disclosure calls a published project's state: (badge code, label). Evaluation steps and
# archiving are the programme's business, so the public sees running, completed or terminated.
PUBLIC_STATES = {
    P.APPROVED: (P.APPROVED, _("已审定")),
    P.CONTRACTED: (P.CONTRACTED, _("已签约")),
    P.IN_PROGRESS: (P.IN_PROGRESS, _("实施中")),
    P.MIDTERM_EVALUATED: (P.IN_PROGRESS, _("实施中")),
    P.COMPLETED: (P.COMPLETED, _("结项")),
    P.ARCHIVED: (P.COMPLETED, _("结项")),
    P.TERMINATED: (P.TERMINATED, _("已终止")),
}
