"""Every 待办 of a user: the projects' (transitions, evaluations) and the awards' (nominations).

Composed here because projects never imports awards; the workbench's index and to-do page and the
portal's header count all read this.
"""

from awards.todo import nomination_todo
from projects.todo import TodoItem
from projects.todo import todo_for as project_todo


def todo_for(user, *, with_projects: int = 0) -> list[TodoItem]:
    return project_todo(user, with_projects=with_projects) + nomination_todo(user, with_records=with_projects)
