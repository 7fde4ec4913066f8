"""待办: what awaits a user, derived from the transition table and the user's scope."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.models import Project
from projects.states import Action
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
class TodoItem:
    action: str
    label: str
    count: int
    url: str
    projects: list = field(default_factory=list)


def todo_for(user, *, with_projects: int = 0) -> list[TodoItem]:
    """One item per kind of waiting work, with counts from a single grouped query."""
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
