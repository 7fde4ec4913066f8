"""The audit trail: one ``AuditEntry`` per state change or sensitive action, written by the service in its
transaction (in the manner of pretix's ``log_action``).

``log_action`` is the only writer. The project page's timeline and the audit list (审计记录) read the
entries; field-level history stays with django-simple-history. Each action says who may read its
entries: programme staff always; those who see the project only for the actions in ``PROJECT_VISIBLE``
(who evaluates a project, draft scores, nominations and personal-data access are programme staff's).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import data_version
from projects.formatting import format_yuan
from projects.states import Action

if TYPE_CHECKING:
    from projects.models import AuditEntry


class AuditAction(models.TextChoices):
    PROJECT_CREATE = "project.create", _("新建项目")
    PROJECT_SUBMIT = f"project.{Action.SUBMIT}", Action.SUBMIT.label
    PROJECT_RECOMMEND = f"project.{Action.RECOMMEND}", Action.RECOMMEND.label
    PROJECT_RETURN = f"project.{Action.RETURN}", Action.RETURN.label
    PROJECT_REJECT = f"project.{Action.REJECT}", Action.REJECT.label
    PROJECT_APPROVE = f"project.{Action.APPROVE}", Action.APPROVE.label
    PROJECT_SIGN = f"project.{Action.SIGN}", Action.SIGN.label
    PROJECT_START = f"project.{Action.START}", Action.START.label
    PROJECT_TERMINATE = f"project.{Action.TERMINATE}", Action.TERMINATE.label
    PROJECT_MIDTERM_PASS = f"project.{Action.MIDTERM_PASS}", Action.MIDTERM_PASS.label
    PROJECT_COMPLETE = f"project.{Action.COMPLETE}", Action.COMPLETE.label
    PROJECT_ARCHIVE = f"project.{Action.ARCHIVE}", Action.ARCHIVE.label
    AGREEMENT_CREATE = "agreement.create", _("拟定协议")
    AGREEMENT_SIGN = "agreement.sign", _("签订框架协议")
    AGREEMENT_TERMINATE = "agreement.terminate", _("终止协议")
    AGREEMENT_SCAN = "agreement.scan", _("上传协议扫描件")
    INSTALMENT_RELEASE = "instalment.release", _("登记拨付")
    SOCIAL_FUND_RECORD = "social_fund.record", _("登记配套社会资金")
    EVALUATION_CREATE = "evaluation.create", _("组织评估")
    EVALUATION_ASSIGN = "evaluation.assign", _("指派评估专家")
    SCORECARD_SUBMIT = "scorecard.submit", _("提交评分表")
    SCORECARD_RECORD = "scorecard.record", _("代录评分表")
    EVALUATION_FINALISE = "evaluation.finalise", _("评估定级")
    RECTIFICATION_CLEAR = "rectification.clear", _("解除整改")
    RUBRIC_REVISE = "rubric.revise", _("评分模板生成新版本")
    CASE_OPEN = "case.open", _("个案建档")
    CASE_UPDATE = "case.update", _("修改个案")
    CASE_CORRECT = "case.correct", _("更正身份信息")
    CASE_CLOSE = "case.close", _("结案")
    FOLLOW_UP_ADD = "follow_up.add", _("新增跟踪记录")
    ACTIVITY_RECORD = "activity.record", _("登记服务活动")
    ACTIVITY_UPDATE = "activity.update", _("修改服务活动")
    ACTIVITY_PHOTO = "activity.photo", _("上传活动照片")
    CASE_STORY_WRITE = "case_story.write", _("撰写服务案例")
    CASE_STORY_UPDATE = "case_story.update", _("修改服务案例")
    CASE_STORY_EXCELLENT = "case_story.excellent", _("评定优秀案例")
    CASE_STORY_PLAIN = "case_story.plain", _("取消优秀案例")
    PERSONAL_DATA_REVEAL = "personal_data.reveal", _("查看完整个人信息")
    PERSONAL_DATA_EXPORT = "personal_data.export", _("导出未脱敏数据")
    PERSONAL_DATA_LOOKUP = "personal_data.lookup", _("按身份证号查找")
    NOMINATION_CREATE = "nomination.create", _("提名")
    NOMINATION_CONFIRM = "nomination.confirm", _("确认表彰")
    NOMINATION_DECLINE = "nomination.decline", _("未采纳提名")
    AWARD_RECORD_IMPORT = "award.import", _("导入表彰记录")
    IMPORT_RUN = "import.run", _("导入表格")
    # Access: sign-ins, refusals, exports and reads
    LOGIN = "access.login", _("登录")
    LOGIN_FAILED = "access.login_failed", _("登录失败")
    LOCKOUT = "access.lockout", _("账号锁定")
    ACCESS_REFUSED = "access.refused", _("拒绝访问")
    EXPORT = "access.export", _("导出")
    CASE_READ = "access.case_read", _("查阅个案")
    # Accounts: two-factor sign-in and deactivation
    TWO_FACTOR_ENABLE = "two_factor.enable", _("启用两步验证")
    TWO_FACTOR_DISABLE = "two_factor.disable", _("停用两步验证")
    TWO_FACTOR_RESET = "two_factor.reset", _("重置两步验证")
    RECOVERY_CODES_REGENERATE = "two_factor.codes", _("重新生成恢复码")
    RECOVERY_CODE_USE = "two_factor.code_use", _("使用恢复码登录")
    ACCOUNT_IDLE_DEACTIVATE = "account.idle_deactivate", _("长期未登录停用账号")
    ACCOUNT_REACTIVATE = "account.reactivate", _("重新启用账号")


A = AuditAction
# What those who see a project (its unit, its evaluators) read on its timeline; the rest is programme staff's.
PROJECT_VISIBLE = frozenset(
    {
        *(a for a in A if a.value.startswith("project.")),
        A.AGREEMENT_CREATE,
        A.AGREEMENT_SIGN,
        A.AGREEMENT_TERMINATE,
        A.AGREEMENT_SCAN,
        A.INSTALMENT_RELEASE,
        A.SOCIAL_FUND_RECORD,
        A.EVALUATION_CREATE,
        A.EVALUATION_FINALISE,
        A.RECTIFICATION_CLEAR,
    }
)
TRANSITION_ACTIONS = frozenset(a for a in A if a.value.startswith("project.") and a != A.PROJECT_CREATE)
PERSONAL_DATA = frozenset({A.PERSONAL_DATA_REVEAL, A.PERSONAL_DATA_EXPORT, A.PERSONAL_DATA_LOOKUP})
# Who signed in (or tried), was refused, exported or read which case: a record of people's conduct and of
# which people's cases were opened, read like personal-data access by those who may see people district-wide.
ACCESS_LOG = frozenset({A.LOGIN, A.LOGIN_FAILED, A.LOCKOUT, A.ACCESS_REFUSED, A.EXPORT, A.CASE_READ})
# The accounts' own events (two-factor set-up, resets, recovery codes, deactivation): staff conduct as well.
ACCOUNT_EVENTS = frozenset(a for a in A if a.value.startswith(("two_factor.", "account.")))
# The actions at most one row per user, record and day (``AuditEntry.day`` and its unique constraint).
DAILY_ACTIONS = frozenset({A.CASE_READ})
# What only those who see people across the district read (``AuditEntryQuerySet.visible_to``).
RESTRICTED = PERSONAL_DATA | ACCESS_LOG | ACCOUNT_EVENTS


def transition_action(action: Action) -> AuditAction:
    return AuditAction(f"project.{action}")


def entry_summary(entry: AuditEntry) -> str:
    """The particulars of an entry in one line: a transition's states and comment, an amount, a field.

    The project pages' timelines (workbench and portal) and the audit list show it.
    """
    from projects.privacy import field_label

    data = entry.data
    parts = []
    if entry.from_status or entry.to_status:
        parts.append(f"{entry.get_from_status_display()} → {entry.get_to_status_display()}")
    if data.get("amount"):
        parts.append(format_yuan(Decimal(data["amount"])))
    if data.get("grade"):
        parts.append(gettext("等级：%(grade)s") % {"grade": data["grade"]})
    if data.get("evaluator"):
        parts.append(gettext("专家：%(name)s") % {"name": data["evaluator"]})
    if entry.action in PERSONAL_DATA and data.get("field"):
        parts.append(field_label(data["field"]))
    records = data.get("records")
    if records or (records == 0 and entry.action == A.EXPORT):
        parts.append(gettext("%(count)s 条") % {"count": data["records"]})
    if data.get("username"):
        parts.append(gettext("用户名：%(name)s") % {"name": data["username"]})
    if data.get("path"):
        parts.append(data["path"])
    if data.get("ip"):
        parts.append(gettext("地址：%(ip)s") % {"ip": data["ip"]})
    if data.get("filters"):
        parts.append(gettext("筛选：%(filters)s") % {"filters": data["filters"]})
    if entry.comment:
        parts.append(entry.comment)
    return "；".join(str(p) for p in parts)


def log_action(*, action: AuditAction, actor, obj=None, project=None, **data):
    """Write one audit row now (call it inside the service's transaction, after the change).

    ``obj`` is the record acted on (its type, id and a short text are kept, so the row survives it);
    ``project`` files the row on a project's timeline (taken from ``obj`` when it has one); ``data`` is a
    small dict of what a reader needs (from/to states, an amount, a comment …), JSON-serialisable.
    """
    from django.contrib.contenttypes.models import ContentType

    from projects.models import AuditEntry, Project

    if project is None and obj is not None:
        project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    if action not in RESTRICTED:
        data_version.changed()  # a write of the data (reads of personal data and the access log change none)
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:120] if obj is not None else "",
        project=project,
        data={key: _jsonable(value) for key, value in data.items()},
    )


def log_actions(*, action: AuditAction, actor, objs, **data) -> None:
    """``log_action`` for many records at once (an import): one insert of their rows."""
    from django.contrib.contenttypes.models import ContentType

    from projects.models import AuditEntry, Project

    objs = list(objs)
    if not objs:
        return
    content_type = ContentType.objects.get_for_model(objs[0])
    payload = {key: _jsonable(value) for key, value in data.items()}
    if action not in RESTRICTED:
        data_version.changed()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=action,
                actor=actor if getattr(actor, "pk", None) else None,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:120],
                project=obj if isinstance(obj, Project) else getattr(obj, "project", None),
                data=payload,
            )
            for obj in objs
        ],
        batch_size=1000,
    )


def log_daily(*, action: AuditAction, actor, obj, project=None, **data) -> None:
    """At most one row per ``actor``, ``action``, record and day (a read of a case file), race-safe.

    One ``INSERT … ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE`` on SQLite) against the unique constraint on
    ``AuditEntry.day``: the first read of the day writes the row, later ones (and a concurrent twin) write
    nothing, without reading first. The content type comes from Django's cache, so this is one query.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from projects.models import AuditEntry

    if not getattr(actor, "pk", None):
        return
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=action,
                actor=actor,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_repr=str(obj)[:120],
                project=project if project is not None else getattr(obj, "project", None),
                day=timezone.localdate(),
                data={key: _jsonable(value) for key, value in data.items()},
            )
        ],
        ignore_conflicts=True,
    )


def log_case_read(*, user, enrollment) -> None:
    """``user`` opened ``enrollment``'s case file (its page, a follow-up of it): one row per user, case and day."""
    log_daily(action=AuditAction.CASE_READ, actor=user, obj=enrollment, project=enrollment.project)


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)  # dates, decimals, enums, lazy strings
