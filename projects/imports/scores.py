"""评分 from a spreadsheet: civil affairs enters the experts' paper scorecards (代录评分表).

One row is one expert's scorecard for one evaluation: the project, the kind of evaluation (its open
one) and the expert, who must be assigned to it (by real name or user name), then one column per
criterion of the rubric, headed by the criterion's name (``项目管理``, ``项目管理（满分20）`` …), the
overall comment and whether the scorecard is submitted (提交: 是 / 否, 是 when left out). The
columns follow the rubrics in use, so a file may mix rubrics: each row needs the criteria of its own
evaluation's rubric and leaves the others empty. Written through ``scorecard_record``, the same rules
as the expert's own form (scores between 0 and the criterion's maximum, two decimals; a submitted
scorecard is final).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects import permissions
from projects.formatting import person_name
from projects.imports.base import CHANGED, NEW, UNCHANGED, Importer, Plan, RowFailed, shown
from projects.imports.common import comparable, labels_of, row_refusals, written_text
from projects.models import Evaluation, EvaluationKind, RubricCriterion, Scorecard
from projects.services.evaluation import scorecard_record
from projects.tabular.headers import Column
from projects.tabular.values import parse_decimal, parse_text

COLUMNS = [
    Column("project", "项目编号", ("项目代码", "项目"), required=True),
    Column("kind", "评估类型", ("评估", "评估类别", "评估阶段"), required=True),
    Column("evaluator", "评估专家", ("专家", "评分专家", "评审专家", "专家姓名", "评委"), required=True),
    Column("overall_comment", "总体意见", ("总体评价", "综合意见", "专家意见", "评审意见")),
    Column("submit", "提交", ("是否提交", "提交评分表", "评分表状态")),
]
KINDS = {**labels_of(EvaluationKind), "中期": EvaluationKind.MIDTERM, "结项": EvaluationKind.FINAL}
YES = frozenset({"是", "提交", "已提交", "y", "yes", "true", "1", "√"})
NO = frozenset({"否", "不提交", "草稿", "暂存", "n", "no", "false", "0", "×"})
_SPACES = re.compile(r"\s+")


def criterion_key(name: str) -> str:
    return f"criterion:{name}"


def points(value: Decimal) -> str:
    """``Decimal("20.00")`` → ``"20"``, ``Decimal("12.50")`` → ``"12.5"``: a maximum as a header writes it."""
    return f"{value.normalize():f}"


def score_shown(value: Decimal | None) -> str:
    return "—" if value is None else points(value)


def compact(text: str) -> str:
    return _SPACES.sub("", text or "")


class ScorecardImporter(Importer):
    key = "scores"
    label = _lazy("评分表")
    model = Scorecard
    permission = "projects.import_scorecard"
    columns = COLUMNS
    attributes = {"overall_comment": "overall_comment"}

    # -- columns: the criteria of the rubrics in use ---------------------------------------------

    @property
    def criteria_in_use(self) -> list[tuple[int, str, Decimal]]:
        """(rubric, name, maximum) of each criterion of a rubric some evaluation uses, in the rubrics' order."""
        if not hasattr(self, "_criteria_in_use"):
            criteria = RubricCriterion.objects.filter(template__in=Evaluation.objects.values("template"))
            criteria = criteria.order_by("-template__kind", "template", "order", "pk")
            self._criteria_in_use = list(criteria.values_list("template", "name", "max_score"))
        return self._criteria_in_use

    def file_columns(self):
        if not hasattr(self, "_file_columns"):
            taken = {form for column in COLUMNS for form in column.forms()}
            maxima: dict[str, list[Decimal]] = {}
            for _template, name, maximum in self.criteria_in_use:
                maxima.setdefault(name, []).append(maximum)
            criteria = []
            for name, maximums in maxima.items():
                variants = [
                    f"{name}{suffix}"
                    for maximum in maximums
                    for suffix in (
                        f"（满分{points(maximum)}）",
                        f"（满分{points(maximum)}分）",
                        f"（{points(maximum)}分）",
                        f"（{points(maximum)}）",
                    )
                ]
                column = Column(criterion_key(name), name, tuple(dict.fromkeys(variants)))
                if not column.forms() & taken:  # a criterion named like a fixed column cannot have a column of its own
                    criteria.append(column)
            self._file_columns = [*COLUMNS, *criteria]
        return self._file_columns

    @property
    def example(self) -> dict:
        example = {
            "project": "QC-2014-001",
            "kind": "中期评估",
            "evaluator": "王建国",
            "overall_comment": "项目管理规范，服务成效明显；建议加强台账整理。",
            "submit": "是",
        }
        first = self.criteria_in_use[0][0] if self.criteria_in_use else None
        for template, name, maximum in self.criteria_in_use:
            if template == first:
                example[criterion_key(name)] = points((maximum * Decimal("0.85")).quantize(Decimal("0.5")))
        return example

    # -- maps loaded once --------------------------------------------------------------------

    def preload(self, table):
        codes = {parse_text(row.value("project")) for row in table.rows} - {""}
        evaluations = (
            Evaluation.objects.visible_to(self.user)
            .filter(project__code__in=codes)
            .select_related("project__round", "template")
            .prefetch_related("evaluators", "template__criteria")
            .order_by("pk")
        )
        self.evaluations = {}
        for evaluation in evaluations:
            self.evaluations.setdefault((evaluation.project.code, evaluation.kind), []).append(evaluation)
        scorecards = Scorecard.objects.filter(evaluation__in=evaluations).prefetch_related("items")
        self.scorecards = {(s.evaluation_id, s.evaluator_id): s for s in scorecards}
        self.criterion_columns = [c for c in self.file_columns() if c.key.startswith("criterion:")]

    # -- one row -----------------------------------------------------------------------------

    def build(self, row, planned, table):
        code = self.cell(row, table, planned, "project", parse_text, required=True)
        kind_label = self.cell(row, table, planned, "kind", parse_text, required=True)
        name = self.cell(row, table, planned, "evaluator", parse_text, required=True)
        kind = KINDS.get(kind_label)
        if kind_label and kind is None:
            self.refuse(planned, table, "kind", _("评估类型应为：中期评估、结项评估。"))
        submit = self.submit(row, planned, table)
        if planned.errors:
            raise RowFailed
        evaluation, refusal = self.evaluation(planned, table, code, kind)
        evaluator = self.expert(planned, table, evaluation, name)
        scores = self.scores(row, planned, table, evaluation, submit)
        overall = self.cell(row, table, planned, "overall_comment", written_text)
        if planned.errors:
            raise RowFailed
        planned.key = f"{code} {EvaluationKind(kind).label} {person_name(evaluator)}"
        scorecard = self.scorecards.get((evaluation.pk, evaluator.pk))
        items = {item.criterion_id: item for item in scorecard.items.all()} if scorecard else {}
        if scorecard is None:
            record = Scorecard(evaluation=evaluation, evaluator=evaluator, overall_comment=overall or "")
            planned.action = NEW
        else:
            record = scorecard
            planned.changes = self.differences(scorecard, items, evaluation, scores, overall, submit, table)
            if scorecard.status == Scorecard.Status.SUBMITTED and planned.changes and not refusal:
                message = _("%(name)s 的评分表已提交，不能再修改（与表中不同：%(headers)s）。")
                headers = "、".join(dict.fromkeys(header for header, _old, _new in planned.changes))
                self.refuse(planned, table, "evaluator", message % {"name": person_name(evaluator), "headers": headers})
                raise RowFailed
            planned.action = CHANGED if planned.changes else UNCHANGED
        if planned.action == UNCHANGED:  # an exported card reads back unchanged, a graded evaluation's too
            planned.record = record
            return
        if refusal:
            self.refuse(planned, table, *refusal)
            raise RowFailed
        self.validate(planned, table, record, exclude=["evaluation", "evaluator"])
        planned.record = record
        planned.extra = {
            "evaluation": evaluation,
            "evaluator": evaluator,
            # The expert's own comment on a criterion stays: the paper form has none to import.
            "scores": {pk: (score, items[pk].comment if pk in items else "") for pk, score in scores.items()},
            "overall_comment": overall if overall is not None else (scorecard.overall_comment if scorecard else ""),
            "submit": submit,
        }

    def submit(self, row, planned, table) -> bool:
        answer = parse_text(row.value("submit")).lower() if "submit" in table.headers else ""
        if answer and answer not in YES | NO:
            self.refuse(planned, table, "submit", _("请填写“是”（提交）或“否”（保存为草稿）；留空表示提交。"))
        return answer not in NO

    def evaluation(self, planned, table, code, kind) -> tuple[Evaluation, tuple[str, str] | None]:
        """The evaluation of that kind of the project (the open one, else the latest graded), and, when its
        scorecards cannot be recorded, the column and the reason (None when they can)."""
        label = EvaluationKind(kind).label
        evaluations = self.evaluations.get((code, kind), [])
        if not evaluations:
            self.refuse(planned, table, "project", _("项目 %(code)s 没有%(kind)s。") % {"code": code, "kind": label})
            raise RowFailed
        evaluation = next((e for e in evaluations if e.status == Evaluation.Status.OPEN), None)
        if evaluation is None:
            message = _("项目 %(code)s 的%(kind)s已定级，不能再录入评分。")
            return evaluations[-1], ("kind", message % {"code": code, "kind": label})
        if not permissions.can_record_scorecards(self.user, evaluation):
            return evaluation, ("project", _("您不能代录项目 %(code)s 的评分表。") % {"code": code})
        return evaluation, None

    def expert(self, planned, table, evaluation, name):
        """The assigned expert named by real name or user name."""
        assigned = list(evaluation.evaluators.all())
        found = [u for u in assigned if u.get_username() == name]
        if not found:
            wanted = compact(name)
            found = [
                u
                for u in assigned
                if wanted in {compact(u.get_full_name()), compact(u.last_name + u.first_name)} - {""}
            ]
        if len(found) > 1:
            message = _("有多位指派的评估专家名为“%(name)s”：请改写其用户名。")
            self.refuse(planned, table, "evaluator", message % {"name": name})
            raise RowFailed
        if not found or not found[0].is_active:
            message = _("“%(name)s”不是该评估指派的评估专家（可写姓名或用户名）。")
            self.refuse(planned, table, "evaluator", message % {"name": name})
            raise RowFailed
        return found[0]

    def scores(self, row, planned, table, evaluation, submit) -> dict[int, Decimal]:
        """Criterion id → score, from the columns of the evaluation's rubric (the other rubrics' left empty)."""
        template = evaluation.template
        own = set()
        scores = {}
        for criterion in template.criteria.all():
            key = criterion_key(criterion.name)
            own.add(key)
            if key not in table.headers:
                message = _("表中没有这一指标的列：%(template)s 须为每项指标评分。")
                self.refuse(planned, table, key, message % {"template": template})
                continue
            score = self.cell(row, table, planned, key, parse_decimal, places=2)
            if score is None:
                if submit and not any(f.header == self.header(table, key) for f in planned.errors):
                    self.refuse(planned, table, key, _("提交的评分表须为每项指标评分（或在“提交”列填写“否”）。"))
                continue
            if score > criterion.max_score:
                message = _("得分应在0至%(max)s之间。")
                self.refuse(planned, table, key, message % {"max": points(criterion.max_score)})
                continue
            scores[criterion.pk] = score
        for column in self.criterion_columns:
            if column.key in table.headers and column.key not in own and parse_text(row.value(column.key)):
                message = _("该评估的评分模板（%(template)s）没有这一指标：请留空。")
                self.refuse(planned, table, column.key, message % {"template": template})
        return scores

    def differences(self, scorecard, items, evaluation, scores, overall, submit, table) -> list[tuple[str, str, str]]:
        changes = []
        for criterion in evaluation.template.criteria.all():
            if criterion.pk not in scores:
                continue  # left empty in a draft: the score on record stays
            old = items[criterion.pk].score if criterion.pk in items else None
            if old != scores[criterion.pk]:
                header = self.header(table, criterion_key(criterion.name))
                changes.append((header, score_shown(old), score_shown(scores[criterion.pk])))
        if overall is not None and comparable(overall) != comparable(scorecard.overall_comment):
            changes.append((self.header(table, "overall_comment"), shown(scorecard.overall_comment), shown(overall)))
        submitted = scorecard.status == Scorecard.Status.SUBMITTED
        if submitted != submit:
            changes.append((self.header(table, "submit"), *((_("是"), _("否")) if submitted else (_("否"), _("是")))))
        return changes

    # -- writing -----------------------------------------------------------------------------

    def write(self, plan: Plan) -> dict[str, int]:
        written = {NEW: 0, CHANGED: 0}
        for row in plan.rows:
            if row.action in (NEW, CHANGED):
                with row_refusals(row.number):
                    scorecard_record(by=self.user, **row.extra)
                written[row.action] += 1
        return written
