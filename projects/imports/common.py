"""Helpers the importers of records without a code of their own share (follow-ups, activities, scores, awards).

Such a record is known by what it says (a case, a date and the note's text; a project, a date and a
title), so two rows of a file, or two records on file, can say the same thing. ``Matches`` pairs the
rows with the records one to one, so an exported file with two identical lines imports back as
unchanged, and a file that says a new thing twice is refused on its second line.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Hashable, Iterable

from django.utils.translation import gettext as _

from projects.services.errors import WorkflowError
from projects.tabular.values import parse_text
from projects.tabular.writing import FORMULA_PREFIXES  # what the exports put an apostrophe before in CSV

# How offices separate several names (or hours) in one cell: 、，, ；; / and spaces.
SEPARATORS = re.compile(r"[、，,；;/\s]+")
_LINE_BREAKS = re.compile(r"\r\n?")


def written_text(value) -> str:
    """A text cell as written, without surrounding spaces, and without the apostrophe an export puts before
    text a spreadsheet would run as a formula (``'-好转``): Excel itself never keeps a typed leading
    apostrophe in the cell's value, so one found there came from our export."""
    text = parse_text(value)
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def is_dash(text: str) -> bool:
    """A cell holding only a dash: how the pages and exports show an empty value (``—``)."""
    return text in {"—", "-", "－", "–", "——"}


def comparable(text: str | None) -> str:
    """Text as compared with what is on record: line breaks as ``\\n``, no surrounding spaces."""
    return _LINE_BREAKS.sub("\n", text or "").strip()


def split_names(value) -> list[str]:
    """``"张敏、李强，王芳"`` → ``["张敏", "李强", "王芳"]``."""
    return [name for name in SEPARATORS.split(written_text(value)) if name]


def labels_of(choices) -> dict[str, str]:
    """Choice label (as shown and exported) → stored value."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return {str(label): value for value, label in pairs}


@contextlib.contextmanager
def row_refusals(number: int):
    """A service's refusal while writing a row names the row (the whole import is then undone)."""
    try:
        yield
    except WorkflowError as error:
        raise WorkflowError(_("第 %(row)d 行：%(message)s") % {"row": number, "message": error.message}) from None


class Matches:
    """Rows matched one to one with the records on file that have the same identity.

    ``match`` gives the row a record not yet taken by an earlier row, preferring one equal in every
    respect (so the order of identical records does not matter); when none is left it returns the
    earlier row of the file with the same identity, if any (the row repeats it), or neither.
    """

    def __init__(self, records: Iterable, identity: Callable[[object], Hashable]):
        self.candidates: dict[Hashable, list] = {}
        for record in records:
            self.candidates.setdefault(identity(record), []).append(record)
        self.taken: set[int] = set()
        self.first_row: dict[Hashable, int] = {}

    def match(self, identity: Hashable, row: int, *, same: Callable[[object], bool]) -> tuple[object, int | None]:
        """(the record this row is, or None; the earlier row it repeats, or None)."""
        free = [r for r in self.candidates.get(identity, []) if r.pk not in self.taken]
        earlier = self.first_row.setdefault(identity, row)
        if free:
            record = next((r for r in free if same(r)), free[0])
            self.taken.add(record.pk)
            return record, None
        return None, (earlier if earlier != row else None)


class Keys:
    """Keys of the dry run's rows: what the user reads, made unique (``#2``) so the engine's check for
    repeated keys is left to ``Matches``, which knows when two rows may say the same thing."""

    def __init__(self):
        self.used: dict[str, int] = {}

    def unique(self, key: str) -> str:
        count = self.used[key] = self.used.get(key, 0) + 1
        return key if count == 1 else f"{key} #{count}"
