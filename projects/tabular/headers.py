"""Columns an importer expects, and matching them to the headers offices actually write."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

_INVISIBLE = re.compile(r"[\s\u200b\ufeff]+")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
# A money unit in a header: 万元 multiplies every value by 10,000, so it is reported, never dropped.
_UNIT_SUFFIX = re.compile(r"(?P<base>.*?)\((?:单位:?)?(?P<unit>万元|元)\)")
# Templates often mark required columns with an asterisk: "*项目编号", "项目编号*".
_REQUIRED_MARK = re.compile(r"^\*+|\*+$")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    summed: bool = False

    def forms(self) -> set[str]:
        """The normalised headers that name this column exactly."""
        return {normalise_header(text) for text in (self.label, *self.aliases)}

    def is_amount(self) -> bool:
        """Whether a header of this column may state a money unit: a summed column, or one whose label does."""
        return self.summed or any(split_unit(form)[1] for form in self.forms())


def normalise_header(text) -> str:
    """A header as compared: NFKC, no whitespace at all, （）【】[] as (), lower case, no asterisks around it.

    ``"审定金额\\n（元）"`` → ``"审定金额(元)"``; ``"项目　编号"`` → ``"项目编号"``; ``"*项目编号"`` → ``"项目编号"``.
    """
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return _REQUIRED_MARK.sub("", _INVISIBLE.sub("", folded)).lower()


def split_unit(normalised: str) -> tuple[str, str | None]:
    """``"审定金额(万元)"`` → ``("审定金额", "万元")``; ``"审定金额"`` → ``("审定金额", None)``.

    Takes a normalised header. ``(单位:万元)`` counts as well.
    """
    match = _UNIT_SUFFIX.fullmatch(normalised)
    return (match["base"], match["unit"]) if match else (normalised, None)


def match_header(text, columns: Sequence[Column]) -> tuple[Column, str | None] | None:
    """The column a header names and the money unit it carries ("元", "万元" or None); None if no column.

    An exact match (label or alias, normalised) comes first. Failing that, a header whose only
    difference is a unit suffix matches an amount column: ``审定金额(万元)`` names the column
    labelled ``审定金额（元）`` and carries 万元.
    """
    header = normalise_header(text)
    if not header:
        return None
    base, unit = split_unit(header)
    for column in columns:
        if header in column.forms():
            return column, unit
    if unit is None:
        return None
    for column in columns:
        if column.is_amount() and base in {split_unit(form)[0] for form in column.forms()}:
            return column, unit
    return None
