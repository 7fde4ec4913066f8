"""Every 待办 of a user: the projects' (transitions, evaluations) and the awards' (nominations).

Composed here because projects never imports awards; the workbench's index and to-do page and the
portal's header count all read this.
"""

from django.conf import settings
from django.utils import timezone

from awards.todo import nomination_todo
from projects import data_version, permissions
from projects.todo import TodoItem
from projects.todo import todo_for as project_todo


def todo_for(user, *, with_projects: int = 0) -> list[TodoItem]:
    """The user's 待办. The counts alone (every page's header, the workbench's index) are kept under the data
    version (``projects.data_version``) for the user, its permissions and the day (what is overdue depends
    on today; a new group or permission changes no portfolio record, so it is part of the key)."""
    if with_projects:
        return _todo(user, with_projects)
    today, days = timezone.localdate(), getattr(settings, "QICAI_FOLLOW_UP_DAYS", 30)
    standing = permissions.standing(user)
    return data_version.cached("todo", user.pk, standing, today, days, compute=lambda: _todo(user, 0))


def _todo(user, with_projects: int) -> list[TodoItem]:
    return project_todo(user, with_projects=with_projects) + nomination_todo(user, with_records=with_projects)
