"""The portfolio's admin: every role's workbench, each seeing only its own scope (see base.QicaiModelAdmin)."""

from projects.admin import (  # noqa: F401 (registers)
    activities,
    agreements,
    audit,
    cases,
    directory,
    evaluation,
    imports,
    money,
    projects,
    stories,
    unit_people,
)
from projects.admin.base import HistoryAdmin, QicaiModelAdmin, ReadOnlyInline
from projects.admin.projects import ProjectAdmin

__all__ = ["HistoryAdmin", "ProjectAdmin", "QicaiModelAdmin", "ReadOnlyInline"]
