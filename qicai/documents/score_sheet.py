"""评估表: an evaluation's score sheet.

While the evaluation is open it is a blank sheet to fill in by hand (the rubric's criteria, their points
and guidance, room for scores and comments, a signature line): nobody's scores, not even the reader's own
draft. Once finalised it shows the submitted scorecards the reader may see (``Scorecard.objects.visible_to``:
an evaluator past its grace period sees only its own), criterion by criterion, with each total, the
evaluation's score and grade as finalised, and the experts' comments. A unit never learns who its experts
were (``can_see_evaluators``): they are numbered instead.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects import permissions
from projects.formatting import person_name
from projects.models import Evaluation, Scorecard
from projects.services.evaluation import TRIM_FROM
from qicai import pdf

EXPERT_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Column:
    """One expert's scorecard: its heading, its items by criterion, its comments, the scorecard."""

    heading: str
    items: dict
    comments: list  # [(criterion, comment)] in the rubric's order
    scorecard: Scorecard


def expert_label(index: int) -> str:
    number = EXPERT_NUMBERS[index] if index < len(EXPERT_NUMBERS) else str(index + 1)
    return _("专家%(number)s") % {"number": number}


def score_sheet_columns(evaluation: Evaluation, criteria: list, user) -> list[Column]:
    if evaluation.status != Evaluation.Status.FINALISED:
        return []
    scorecards = (
        Scorecard.objects.visible_to(user)
        .filter(evaluation=evaluation, status=Scorecard.Status.SUBMITTED)
        .select_related("evaluator")
        .prefetch_related("items")
        .order_by("submitted_at", "pk")
    )
    named = permissions.can_see_evaluators(user)
    columns = []
    for index, scorecard in enumerate(scorecards):
        items = {item.criterion_id: item for item in scorecard.items.all()}
        comments = [(c, items[c.pk].comment) for c in criteria if c.pk in items and items[c.pk].comment]
        heading = person_name(scorecard.evaluator) if named else expert_label(index)
        columns.append(Column(heading=heading, items=items, comments=comments, scorecard=scorecard))
    return columns


def score_sheet_title(evaluation: Evaluation) -> str:
    return _("七彩工程项目%(kind)s评分表") % {"kind": evaluation.get_kind_display()}


def score_sheet_filename(evaluation: Evaluation) -> str:
    return pdf.pdf_filename(f"{evaluation.project.code} {score_sheet_title(evaluation)}")


def score_sheet_context(evaluation: Evaluation, user) -> dict:
    criteria = list(evaluation.template.criteria.order_by("order", "pk"))
    columns = score_sheet_columns(evaluation, criteria, user)
    return {
        "evaluation": evaluation,
        "project": evaluation.project,
        "criteria": criteria,
        "rows": [(criterion, [column.items.get(criterion.pk) for column in columns]) for criterion in criteria],
        "columns": columns,
        "full_marks": sum(criterion.max_score for criterion in criteria),
        "graded": evaluation.status == Evaluation.Status.FINALISED,
        "trim_from": TRIM_FROM,
        "sees_evaluators": permissions.can_see_evaluators(user),
    }


def score_sheet_pdf(evaluation: Evaluation, user) -> bytes:
    return pdf.render_pdf(
        "print/score_sheet.html", score_sheet_context(evaluation, user), title=score_sheet_title(evaluation)
    )
