"""The import engine: a spreadsheet read by ``projects.tabular``, planned row by row, then written at once.

An ``Importer`` says which columns a record has (``columns``), how a row of the file becomes a record
(``build``: parse the cells, resolve names to records from maps loaded once, validate with the model's
own checks and the services' rules), and how the planned records are written (``write``, through the
services, inside the one transaction the job opens). Planning needs no writes, so the dry run and the
real run plan the same way; the real run plans again inside its transaction and writes nothing if
any row fails.

Why not django-import-export's import: its per-row savepoints, per-row foreign-key queries and
``full_clean`` made a 10,000-row file take minutes, its errors carry the dataset's index rather than
the row Excel shows, and its bulk mode skips the services (history, audit). The engine keeps the
library's shape — resources of Chinese columns, a dry run with new / changed / unchanged rows, one
transaction — and plans in memory.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from projects.formatting import format_cny, format_date
from projects.tabular.headers import Column
from projects.tabular.reading import Row, Table
from projects.tabular.values import CellError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
ACTION_LABELS = {NEW: _("新增"), CHANGED: _("修改"), UNCHANGED: _("无变化"), ERROR: _("有错误")}


@dataclass
class Finding:
    """An error or a warning about a row (or the file), as the user will read it."""

    row: int | None
    header: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "header": self.header, "message": str(self.message)}


@dataclass
class PlannedRow:
    number: int
    key: str = ""  # how the row's record is known: a project code, a credit code, "（新）"
    action: str = NEW
    record: object = None  # the unsaved new record, or the existing one with the file's values set
    extra: dict = field(default_factory=dict)  # what the importer writes beside the record (budget lines …)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (header, old, new) of a changed row
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlannedRow]
    problems: list[Finding]  # the file's own (formula cells, a stated total that does not add up …)
    warnings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [*self.problems, *(e for row in self.rows for e in row.errors)]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys([NEW, CHANGED, UNCHANGED, ERROR], 0)
        for row in self.rows:
            counts[ERROR if row.errors else row.action] += 1
        return counts

    def as_result(self, *, preview: int = 200, listed: int = 500) -> dict:
        """What the job keeps of a dry run: counts, every error (up to ``listed``), and a preview of rows."""
        errors = self.errors
        warnings = [*self.warnings, *(w for row in self.rows for w in row.warnings)]
        return {
            "counts": self.counts(),
            "errors": [e.as_dict() for e in errors[:listed]],
            "error_count": len(errors),
            "warnings": [w.as_dict() for w in warnings[:listed]],
            "rows": [
                {
                    "number": row.number,
                    "key": row.key,
                    "action": ERROR if row.errors else row.action,
                    "changes": [list(change) for change in row.changes],
                }
                for row in self.rows
                if row.action != UNCHANGED or row.errors
            ][:preview],
        }


class RowFailed(Exception):
    """The row cannot become a record; its findings are already on the planned row."""


class Importer:
    """One kind of record that can be imported. Subclasses set the class attributes and ``build``."""

    key: ClassVar[str]
    label: ClassVar[str]  # Chinese name of what is imported, e.g. "项目"
    model: ClassVar[type]
    permission: ClassVar[str]  # "projects.import_project"
    columns: ClassVar[Sequence[Column]]
    attributes: ClassVar[dict[str, str]] = {}  # column key → the model attribute it sets (for messages)
    example: ClassVar[dict] = {}  # column key → the example row of the blank template

    def __init__(self, user: User):
        self.user = user

    # -- what subclasses provide -------------------------------------------------------------

    def file_columns(self) -> Sequence[Column]:
        """The columns a file may have (a subclass may add columns known only at run time)."""
        return self.columns

    def preload(self, table: Table) -> None:
        """Load, once, whatever rows will be resolved against (by name, code, year …)."""

    def build(self, row: Row, planned: PlannedRow, table: Table) -> None:
        """Turn ``row`` into ``planned.record`` (and ``planned.extra``), setting ``planned.action`` and
        ``planned.changes``, or add findings to ``planned.errors`` (raise ``RowFailed`` to stop early)."""
        raise NotImplementedError

    def write(self, plan: Plan) -> dict[str, int]:
        """Write the planned rows through the services (inside the job's transaction); return counts."""
        raise NotImplementedError

    def may_import(self) -> bool:
        return self.user.has_perm(self.permission)

    # -- planning -----------------------------------------------------------------------------

    def plan(self, table: Table, *, progress=None) -> Plan:
        self.preload(table)
        rows, seen = [], {}
        for index, row in enumerate(table.rows, start=1):
            planned = PlannedRow(number=row.number)
            with contextlib.suppress(RowFailed):
                self.build(row, planned, table)
            if planned.key and not planned.errors and planned.action in (NEW, CHANGED, UNCHANGED):
                first = seen.setdefault(planned.key, row.number)
                if first != row.number:
                    planned.errors.append(
                        Finding(
                            row.number, None, _("与第 %(row)d 行重复：%(key)s。") % {"row": first, "key": planned.key}
                        )
                    )
            rows.append(planned)
            if progress and index % 500 == 0:
                progress(index)
        problems = [Finding(p.row, p.header, p.message) for p in table.problems]
        return Plan(rows=rows, problems=problems, warnings=[])

    # -- helpers for build() ------------------------------------------------------------------

    def header(self, table: Table, key: str) -> str:
        return table.headers.get(key) or next((c.label for c in self.file_columns() if c.key == key), key)

    def cell(self, row: Row, table: Table, planned: PlannedRow, key: str, parse, *, required=False, **options):
        """The parsed value of column ``key`` (None when absent or empty); a refusal becomes a finding."""
        if key not in table.headers:
            return None
        try:
            value = parse(row.value(key), **options)
        except CellError as error:
            planned.errors.append(Finding(row.number, self.header(table, key), error.message))
            return None
        if required and value in (None, ""):
            planned.errors.append(Finding(row.number, self.header(table, key), _("不能为空。")))
        return value

    def refuse(self, planned: PlannedRow, table: Table, key: str | None, message: str) -> None:
        planned.errors.append(Finding(planned.number, self.header(table, key) if key else None, message))

    def validate(self, planned: PlannedRow, table: Table, record, *, exclude: Iterable[str] = ()) -> None:
        """The model's own field checks and ``clean()`` (no unique or foreign-key queries: those are resolved
        from the preloaded maps), each message placed on the column it is about."""
        field_to_key = {attribute: key for key, attribute in self.attributes.items()}
        found: dict = {}
        # Both, as full_clean() does: a row with a bad field and a bad combination hears of both at once.
        for check in (lambda: record.clean_fields(exclude=list(exclude)), record.clean):
            try:
                check()
            except ValidationError as error:
                found = error.update_error_dict(found)
        if found:
            for name, messages in ValidationError(found).message_dict.items():
                key = field_to_key.get(name, name)
                header = self.header(table, key) if name != NON_FIELD_ERRORS else None
                for message in messages:
                    planned.errors.append(Finding(planned.number, header, message))


def shown(value) -> str:
    """A value as the dry run shows it in a change: amounts and dates as on the pages."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_cny(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


def compare(record, values: dict, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """(header, old, new) for each attribute whose value in the file differs from the record's."""
    changes = []
    for attribute, new in values.items():
        old = getattr(record, attribute)
        if hasattr(old, "pk") or hasattr(new, "pk"):
            same = getattr(old, "pk", old) == getattr(new, "pk", new)
        else:
            same = old == new or (old in (None, "") and new in (None, ""))
        if not same:
            changes.append((labels[attribute], shown(old), shown(new)))
    return changes
