"""待办: what awaits a user, derived from the transition table and the user's scope."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.models import Evaluation, Project, Scorecard
from projects.states import Action, EvaluationStatus, ScorecardStatus
from projects.workflow import TRANSITIONS

# Transitions that are work waiting for someone; terminating is a decision, not a to-do.
TODO_ACTIONS = [Action.SUBMIT, Action.RECOMMEND, Action.APPROVE, Action.SIGN, Action.START, Action.ARCHIVE]
TODO_LABELS = {
    Action.SUBMIT: _("待提交申报（草稿、退回修改）"),
    Action.RECOMMEND: _("待协会初审"),
    Action.APPROVE: _("待审定项目及金额"),
    Action.SIGN: _("待签订项目协议"),
    Action.START: _("待启动实施"),
    Action.ARCHIVE: _("待归档"),
}


@dataclass
class TodoRecord:
    """One waiting thing that is not a project's transition: an evaluation to score, a nomination …"""

    title: str
    url: str
    project: object = None
    due: object = None  # a date, when the thing has one
    status: str = ""


@dataclass
class TodoItem:
    action: str
    label: str
    count: int
    url: str
    projects: list = field(default_factory=list)
    records: list = field(default_factory=list)  # TodoRecord rows, for kinds that are not project transitions


def todo_for(user, *, with_projects: int = 0) -> list[TodoItem]:
    """One item per kind of waiting work: the project transitions (counts from a single grouped query),
    then evaluations to score and to grade."""
    return (
        project_transitions(user, with_projects=with_projects)
        + agreement_todo(user, with_records=with_projects)
        + instalment_todo(user, with_records=with_projects)
        + follow_up_todo(user, with_records=with_projects)
        + evaluation_todo(user, with_records=with_projects)
        + unusual_reading_todo(user)
    )


def project_transitions(user, *, with_projects: int = 0) -> list[TodoItem]:
    visible = Project.objects.visible_to(user)
    by_status = dict(visible.values_list("status").annotate(n=Count("id")).order_by())
    changelist = reverse("admin:projects_project_changelist")
    items = []
    for action in TODO_ACTIONS:
        transition = TRANSITIONS[action]
        if not permissions.holds_transition_permission(user, transition):
            continue
        sources = sorted(transition.sources)
        count = sum(by_status.get(status, 0) for status in sources)
        item = TodoItem(action, TODO_LABELS[action], count, f"{changelist}?status__in={','.join(sources)}")
        if with_projects and count:
            item.projects = list(visible.filter(status__in=sources).for_list().order_by("-updated_at")[:with_projects])
        items.append(item)
    return items


def evaluation_records(evaluations, limit: int) -> list[TodoRecord]:
    return [
        TodoRecord(
            title=f"{evaluation.project.code} {evaluation.get_kind_display()}",
            url=reverse("admin:projects_evaluation_change", args=[evaluation.pk]),
            project=evaluation.project,
            due=evaluation.due_date,
            status=evaluation.get_status_display(),
        )
        for evaluation in evaluations.select_related("project").order_by("due_date", "pk")[:limit]
    ]


def evaluation_todo(user, *, with_records: int = 0) -> list[TodoItem]:
    """评估: an evaluator's assigned open evaluations without its submitted scorecard; for those who grade,
    open evaluations whose every assigned expert has submitted (ready to 定级)."""
    items = []
    changelist = reverse("admin:projects_evaluation_changelist")
    if permissions.is_evaluator(user) or (user.is_superuser and user.assigned_evaluations.exists()):
        submitted = Scorecard.objects.filter(
            evaluation=OuterRef("pk"), evaluator=user, status=ScorecardStatus.SUBMITTED
        )
        waiting = Evaluation.objects.filter(evaluators=user, status=EvaluationStatus.OPEN).exclude(Exists(submitted))
        item = TodoItem("score", _("待评分的评估"), waiting.count(), f"{changelist}?status__exact=open")
        if with_records and item.count:
            item.records = evaluation_records(waiting, with_records)
        items.append(item)
    if permissions.is_active_staff(user) and user.has_perm("projects.finalise_evaluation"):
        # Counted per open evaluation through the indexes (correlated counts), not by joining every
        # assignment and score sheet of the city's evaluations and grouping them.
        assigned = (
            Evaluation.evaluators.through.objects.filter(evaluation=OuterRef("pk"))
            .order_by()
            .values("evaluation")
            .annotate(n=Count("user", distinct=True))
            .values("n")
        )
        submitted = (
            Scorecard.objects.filter(evaluation=OuterRef("pk"), status=ScorecardStatus.SUBMITTED)
            .order_by()
            .values("evaluation")
            .annotate(n=Count("pk", distinct=True))
            .values("n")
        )
        ready = (
            Evaluation.objects.filter(project__in=Project.objects.visible_to(user), status=EvaluationStatus.OPEN)
            .annotate(
                assigned=Coalesce(Subquery(assigned), 0),
                submitted=Coalesce(Subquery(submitted), 0),
            )
            .filter(assigned__gt=0, submitted__gte=F("assigned"))
        )
        item = TodoItem(
            "finalise", _("待定级的评估（专家均已提交）"), ready.count(), f"{changelist}?status__exact=open"
        )
        if with_records and item.count:
            item.records = evaluation_records(Evaluation.objects.filter(pk__in=ready.values("pk")), with_records)
        items.append(item)
    return items


def agreement_todo(user, *, with_records: int = 0) -> list[TodoItem]:
    """协议: the rounds' framework agreements drafted and not yet signed, for those who sign them (a project's
    own agreement is signed by its 签订协议 transition, counted with the projects). One query, one to list."""
    from projects.models import Agreement

    if not permissions.can_manage_agreements(user):
        return []
    drafts = Agreement.objects.filter(kind=Agreement.Kind.FRAMEWORK, status=Agreement.Status.DRAFT)
    changelist = reverse("admin:projects_agreement_changelist")
    url = f"{changelist}?kind__exact={Agreement.Kind.FRAMEWORK}&status__exact={Agreement.Status.DRAFT}"
    item = TodoItem("sign_framework", _("待签订的框架协议"), drafts.count(), url)
    if with_records and item.count:
        item.records = [
            TodoRecord(
                title=f"{agreement.number} {agreement.title or agreement.round}",
                url=reverse("admin:projects_agreement_change", args=[agreement.pk]),
                due=agreement.term_start,
                status=agreement.get_status_display(),
            )
            for agreement in drafts.select_related("round").order_by("round__year", "number")[:with_records]
        ]
    return [item]


def instalment_todo(user, *, with_records: int = 0) -> list[TodoItem]:
    """拨付: planned instalments whose release the service would accept now (``services.release_blocker``
    finds nothing): their condition met, every earlier instalment paid, the project payable. Three queries."""
    from projects.models import Agreement, Instalment
    from projects.services.money import PAYABLE_STATES, release_blocker

    if not (permissions.is_active_staff(user) and user.has_perm("projects.release_instalment")):
        return []
    # Only a project's first planned instalment can be ready: any later one is blocked by it (``release_blocker``
    # says "请先拨付前一期款项"), so the others are not even read — at city scale a third as many rows.
    earlier_planned = Instalment.objects.filter(
        project=OuterRef("project"), sequence__lt=OuterRef("sequence"), status=Instalment.Status.PLANNED
    )
    planned = list(
        Instalment.objects.filter(
            status=Instalment.Status.PLANNED,
            project__in=Project.objects.visible_to(user).filter(status__in=PAYABLE_STATES),
        )
        .exclude(Exists(earlier_planned))
        .select_related("project")
        .only(
            *("id", "project_id", "sequence", "name", "condition", "status"),
            *("project__id", "project__code", "project__status", "project__needs_rectification"),
            *("project__midterm_passed_on", "project__final_passed_on"),
        )
        .order_by("project__round__year", "project__sequence", "sequence")
    )
    signed = set(
        Agreement.objects.filter(
            kind=Agreement.Kind.PROJECT, status=Agreement.Status.SIGNED, project__in={i.project_id for i in planned}
        ).values_list("project_id", flat=True)
    )
    by_project: dict = {}
    for instalment in planned:
        by_project.setdefault(instalment.project_id, []).append(instalment)
    ready = [
        instalment
        for instalment in planned
        if release_blocker(
            instalment, instalments=by_project[instalment.project_id], agreement_signed=instalment.project_id in signed
        )
        is None
    ]
    changelist = reverse("admin:projects_instalment_changelist")
    item = TodoItem("release", _("可以拨付的款项（条件已满足）"), len(ready), f"{changelist}?status__exact=planned")
    if with_records:
        item.records = [
            TodoRecord(
                title=f"{instalment.project.code} {instalment.name}",
                url=reverse("admin:projects_project_change", args=[instalment.project_id]),
                project=instalment.project,
                status=instalment.get_status_display(),
            )
            for instalment in ready[:with_records]
        ]
    return [item]


def follow_up_todo(user, *, with_records: int = 0) -> list[TodoItem]:
    """个案跟踪: the unit's open cases in running projects whose last follow-up (or intake, without one) is
    more than ``QICAI_FOLLOW_UP_DAYS`` days before today, or before the project's end once it has ended.
    One query to count, one to list."""
    import datetime

    from django.conf import settings
    from django.db.models import DateField, ExpressionWrapper, Max, Value
    from django.db.models.functions import Coalesce, Least

    from projects.models import Enrollment

    if not permissions.is_implementing_unit(user):
        return []
    days = getattr(settings, "QICAI_FOLLOW_UP_DAYS", 30)
    today = timezone.localdate()
    waiting = (
        Enrollment.objects.filter(
            status=Enrollment.Status.OPEN, project__in=Project.objects.casework_by(user).order_by().values("pk")
        )
        .annotate(last_seen=Coalesce(Max("follow_ups__date"), "intake_date"))
        .annotate(
            due=ExpressionWrapper(F("last_seen") + datetime.timedelta(days=days), output_field=DateField()),
            reference=Least(Coalesce("project__end_date", Value(today)), Value(today), output_field=DateField()),
        )
        .filter(due__lt=F("reference"))
    )
    changelist = reverse("admin:projects_enrollment_changelist")
    label = _("超过 %(days)s 天未跟踪的个案") % {"days": days}
    item = TodoItem("follow_up", label, waiting.count(), f"{changelist}?status__exact=open")
    if with_records and item.count:
        item.records = [
            TodoRecord(
                title=case.code,
                url=reverse("admin:projects_enrollment_change", args=[case.pk]),
                project=case.project,
                due=case.due,
                status=case.get_status_display(),
            )
            for case in waiting.select_related("project").order_by("due", "pk")[:with_records]
        ]
    return [item]


def unusual_reading_todo(user) -> list[TodoItem]:
    """异常查阅: the days of the last week on which someone opened unusually many case files, for those who read
    the access log, when there are any (one query when there are none; ``projects.access_log.unusual_reading``)."""
    import datetime

    from projects.access_log import unusual_reading

    if not permissions.can_read_access_log(user):
        return []
    today = timezone.localdate()
    flagged = unusual_reading(today - datetime.timedelta(days=6), today)
    if not flagged:
        return []  # nothing to look at (the audit list links the page all the same)
    url = reverse("admin:projects_auditentry_unusual_reading")
    return [TodoItem("unusual_reading", _("近 7 天的异常查阅"), len(flagged), url)]
