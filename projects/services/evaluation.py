"""Evaluations: rubric versions, assigning evaluators (no conflicts of interest), scorecards,
and finalising: the trimmed mean, the grade, and the project's next step or rectification."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions, roles
from projects.audit import AuditAction, log_action
from projects.formatting import person_name
from projects.models import (
    Evaluation,
    EvaluationKind,
    Grade,
    Project,
    RubricCriterion,
    RubricTemplate,
    Scorecard,
    ScoreItem,
)
from projects.services.errors import StaleTransition, WorkflowError
from projects.services.workflow import _apply
from projects.states import Action

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
S = Project.Status
# Which project states each kind of evaluation is held in.
EVALUABLE_STATES = {EvaluationKind.MIDTERM: {S.IN_PROGRESS}, EvaluationKind.FINAL: {S.MIDTERM_EVALUATED}}
TRIM_FROM = 5  # with this many scorecards or more, the highest and the lowest are dropped


def rubric_revise(*, template: RubricTemplate, by: User) -> RubricTemplate:
    """A new version of a rubric, with the same criteria, to be edited freely (the old one stays as used)."""
    if not permissions.can_revise_rubrics(by):
        raise WorkflowError(_("您的角色不能修订评分模板。"))
    latest = RubricTemplate.objects.filter(name=template.name).order_by("-version").first()
    with transaction.atomic():
        revised = RubricTemplate.objects.create(
            name=template.name, kind=template.kind, version=latest.version + 1, description=template.description
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(template=revised, name=c.name, max_score=c.max_score, guidance=c.guidance, order=c.order)
            for c in template.criteria.all()
        )
        log_action(action=AuditAction.RUBRIC_REVISE, actor=by, obj=revised, of=str(template))
    return revised


def scorecard_total(items, criteria) -> Decimal:
    """A scorecard's score out of 100: the points given over the points possible (the weights)."""
    possible = sum((c.max_score for c in criteria), Decimal("0"))
    given = sum((item.score for item in items), Decimal("0"))
    return (given * HUNDRED / possible).quantize(CENT, rounding=ROUND_HALF_UP)


def trimmed_mean(totals: list[Decimal]) -> Decimal:
    """The mean of the scorecards; with five or more, without the highest and the lowest."""
    values = sorted(totals)
    if len(values) >= TRIM_FROM:
        values = values[1:-1]
    return (sum(values, Decimal("0")) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def grade_for(score: Decimal, round_) -> str:
    if score >= round_.grade_excellent_min:
        return Grade.EXCELLENT
    if score >= round_.grade_good_min:
        return Grade.GOOD
    if score >= round_.grade_pass_min:
        return Grade.PASS
    return Grade.FAIL


def evaluation_create(
    *,
    by: User,
    evaluation: Evaluation | None = None,
    project: Project | None = None,
    kind: str = "",
    template: RubricTemplate | None = None,
    due_date=None,
) -> Evaluation:
    """Open a mid-term or final evaluation of a running project: the unsaved ``evaluation``, or one
    made of ``project``, ``kind``, ``template`` and ``due_date``."""
    if evaluation is None:
        evaluation = Evaluation(project=project, kind=kind, template=template, due_date=due_date)
    project, kind, template = evaluation.project, evaluation.kind, evaluation.template
    if not permissions.can_organise_evaluations(by, project):
        raise WorkflowError(_("您不能为该项目组织评估。"))
    if template.kind != kind:
        message = _("评分模板“%(template)s”不适用于%(kind)s。")
        raise WorkflowError(message % {"template": template, "kind": EvaluationKind(kind).label})
    if not template.criteria.exists():
        raise WorkflowError(_("评分模板“%(template)s”还没有评分指标。") % {"template": template})
    if project.needs_rectification:
        raise WorkflowError(_("项目正在整改：请先解除整改，再组织复评。"))
    if project.status not in EVALUABLE_STATES[kind]:
        raise WorkflowError(
            _("项目当前状态为“%(status)s”，不能组织%(kind)s。")
            % {"status": project.get_status_display(), "kind": EvaluationKind(kind).label}
        )
    try:
        # One evaluation of each kind per project: the database's constraint says so, with its own message below.
        evaluation.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    try:
        with transaction.atomic():
            evaluation.save(force_insert=True)
            log_action(action=AuditAction.EVALUATION_CREATE, actor=by, obj=evaluation, due_date=evaluation.due_date)
    except IntegrityError:
        evaluation.pk = None
        raise WorkflowError(_("该项目已有%(kind)s。") % {"kind": EvaluationKind(kind).label}, field="kind") from None
    return evaluation


def evaluation_due(project: Project) -> str | None:
    """The kind of evaluation ``project`` waits for in its status (中期 while in progress, 结项 after), or None."""
    return next((kind for kind, states in EVALUABLE_STATES.items() if project.status in states), None)


def evaluation_to_offer(user: User, project: Project, *, open_evaluations=None) -> EvaluationKind | None:
    """The kind of evaluation ``user`` may open on ``project`` now (the project page's 发起评估), or None: the
    one its status waits for, none under rectification or while one is open, only for those who organise.
    ``open_evaluations``: the project's open evaluations when the caller has read them already."""
    kind = evaluation_due(project)
    if kind is None or project.needs_rectification:
        return None
    if open_evaluations is None:
        open_evaluations = project.evaluations.filter(status=Evaluation.Status.OPEN).exists()
    if open_evaluations or not permissions.can_organise_evaluations(user, project):
        return None
    return EvaluationKind(kind)


def evaluation_start(
    *, project: Project, kind: str, template: RubricTemplate, due_date, evaluators, by: User
) -> Evaluation:
    """Open an evaluation and assign its experts in one step (the project page's 发起评估): all or nothing.

    A conflict of interest or a second evaluation of the kind refuses the whole, naming the field."""
    with transaction.atomic():
        evaluation = evaluation_create(by=by, project=project, kind=kind, template=template, due_date=due_date)
        for evaluator in evaluators:
            try:
                evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=by)
            except WorkflowError as error:
                raise WorkflowError(f"{person_name(evaluator)}：{error.message}", field="evaluators") from None
    return evaluation


def evaluation_update(*, evaluation: Evaluation, by: User) -> Evaluation:
    """Change an open evaluation's due date (its project, kind and template are fixed once it exists)."""
    if not by.has_perm("projects.assign_evaluators"):
        raise WorkflowError(_("您不能修改评估安排。"))
    if evaluation.status != Evaluation.Status.OPEN:
        raise WorkflowError(_("评估已定级，不能再修改。"))
    try:
        evaluation.full_clean()
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from None
    evaluation.save(update_fields=["due_date"])
    return evaluation


def conflict_of_interest(evaluator: User, project: Project) -> str | None:
    """Why ``evaluator`` may not judge ``project`` (its own unit or a partner), or None."""
    org_id = permissions.organization_id_of(evaluator)
    if org_id is None:
        return None
    if org_id == project.implementing_unit_id:
        return _("该评估专家所在单位是本项目的实施单位，存在利益冲突，不能指派。")
    if project.partners.filter(pk=org_id).exists():
        return _("该评估专家所在单位是本项目的合作单位，存在利益冲突，不能指派。")
    return None


def evaluation_assign(*, evaluation: Evaluation, evaluator: User, by: User) -> Evaluation:
    if not permissions.can_organise_evaluations(by, evaluation.project):
        raise WorkflowError(_("您不能为该评估指派评估专家。"))
    if evaluation.status != Evaluation.Status.OPEN:
        raise WorkflowError(_("评估已定级，不能再指派评估专家。"))
    if not (evaluator.is_active and roles.EVALUATOR in permissions.roles_of(evaluator)):
        raise WorkflowError(_("只能指派评估专家角色的用户。"))
    problem = conflict_of_interest(evaluator, evaluation.project)
    if problem:
        raise WorkflowError(problem, field="evaluator")
    with transaction.atomic():
        evaluation.evaluators.add(evaluator)
        log_action(action=AuditAction.EVALUATION_ASSIGN, actor=by, obj=evaluation, evaluator=person_name(evaluator))
    return evaluation


def scorecard_save(
    *, evaluation: Evaluation, by: User, scores: dict, overall_comment: str = "", submit: bool
) -> Scorecard:
    """Save (and optionally submit) an evaluator's scores: ``scores`` maps criterion id → (score, comment).

    A submitted scorecard is final. Each score lies between 0 and its criterion's maximum;
    submitting needs every criterion scored.
    """
    if not permissions.is_assigned_evaluator(by, evaluation):
        raise WorkflowError(_("您没有被指派评估该项目。"))
    if evaluation.status != Evaluation.Status.OPEN:
        raise WorkflowError(_("评估已定级，评分表不能再修改。"))
    with transaction.atomic():
        scorecard = _scorecard_write(
            evaluation=evaluation,
            evaluator=by,
            scores=scores,
            overall_comment=overall_comment,
            submit=submit,
            submitted_refusal=_("您的评分表已提交，不能再修改。"),
        )
        if submit:
            log_action(
                action=AuditAction.SCORECARD_SUBMIT,
                actor=by,
                obj=evaluation,
                project=evaluation.project,
                total=scorecard.total,
            )
    return scorecard


def scorecard_record(
    *, evaluation: Evaluation, evaluator: User, by: User, scores: dict, overall_comment: str = "", submit: bool = True
) -> Scorecard:
    """代录评分表: civil affairs enters an assigned expert's paper scorecard on the expert's behalf.

    The same rules as the expert's own ``scorecard_save`` (scores between 0 and each criterion's
    maximum, every criterion scored to submit, a submitted scorecard is final); the scorecard is the
    expert's, and the audit row says who entered it. ``scores`` maps criterion id → (score, comment).
    """
    if not permissions.can_record_scorecards(by, evaluation):
        raise WorkflowError(_("您不能代录该评估的评分表：须为进行中的评估，并有导入评分表的权限。"))
    if not permissions.is_assigned_evaluator(evaluator, evaluation):
        raise WorkflowError(_("“%(name)s”不是该评估指派的评估专家。") % {"name": person_name(evaluator)})
    with transaction.atomic():
        scorecard = _scorecard_write(
            evaluation=evaluation,
            evaluator=evaluator,
            scores=scores,
            overall_comment=overall_comment,
            submit=submit,
            submitted_refusal=_("“%(name)s”的评分表已提交，不能再修改。") % {"name": person_name(evaluator)},
        )
        log_action(
            action=AuditAction.SCORECARD_RECORD,
            actor=by,
            obj=evaluation,
            project=evaluation.project,
            evaluator=person_name(evaluator),
            submitted=scorecard.status == Scorecard.Status.SUBMITTED,
            total=scorecard.total,
        )
    return scorecard


def _scorecard_write(
    *, evaluation: Evaluation, evaluator: User, scores: dict, overall_comment: str, submit: bool, submitted_refusal: str
) -> Scorecard:
    """Check ``scores`` against the rubric and write ``evaluator``'s scorecard (inside the caller's transaction)."""
    criteria = {c.pk: c for c in evaluation.template.criteria.all()}
    problems = []
    cleaned = {}
    for criterion_id, (score, comment) in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            continue
        if score is None:
            continue
        score = Decimal(score)
        if not score.is_finite() or score < 0 or score > criterion.max_score:
            problems.append(
                _("“%(name)s”的得分应在0至%(max)s之间。") % {"name": criterion.name, "max": criterion.max_score}
            )
        cleaned[criterion.pk] = (score, (comment or "").strip())
    if submit and set(cleaned) != set(criteria):
        problems.append(_("提交前请为每一项指标评分。"))
    if problems:
        raise WorkflowError(" ".join(problems))
    scorecards = Scorecard.objects.select_for_update()
    scorecard, _created = scorecards.get_or_create(evaluation=evaluation, evaluator=evaluator)
    if scorecard.status == Scorecard.Status.SUBMITTED:
        raise WorkflowError(submitted_refusal)
    for criterion_id, (score, comment) in cleaned.items():
        ScoreItem.objects.update_or_create(
            scorecard=scorecard, criterion_id=criterion_id, defaults={"score": score, "comment": comment}
        )
    scorecard.overall_comment = (overall_comment or "").strip()
    if submit:
        scorecard.total = scorecard_total(scorecard.items.all(), criteria.values())
        scorecard.status = Scorecard.Status.SUBMITTED
        scorecard.submitted_at = timezone.now()
    scorecard.save()
    return scorecard


def finalise_blocker(evaluation: Evaluation) -> str | None:
    """Why an open evaluation cannot be graded (定级) yet, or None: what ``evaluation_finalise`` refuses,
    for the evaluation page to say instead of offering the button."""
    if not evaluation.evaluators.exists():
        return _("尚未指派评估专家，不能定级。")
    if not evaluation.scorecards.filter(status=Scorecard.Status.SUBMITTED).exists():
        return _("还没有已提交的评分表，不能定级。")
    return None


def evaluation_finalise(*, evaluation: Evaluation, by: User, expected_version: int | None = None) -> Evaluation:
    """Score = mean of the submitted scorecards (trimmed from five); grade by the round's bands.

    A passed mid-term moves the project to 中期评估 and frees the mid-term instalment; a passed
    final moves it to 结项 and frees the final one; a failed evaluation puts the project under
    rectification, which holds its next instalment. One transaction, race-safe, logged.
    """
    if not permissions.can_grade_evaluations(by, evaluation.project):
        raise WorkflowError(_("您不能为该评估定级。"))
    if expected_version is not None and expected_version != evaluation.version:
        raise StaleTransition(_("该评估已被他人处理，页面上的信息已过期。请刷新后查看。"))
    if evaluation.status != Evaluation.Status.OPEN:
        raise WorkflowError(_("该评估已定级。"))
    blocker = finalise_blocker(evaluation)
    if blocker:
        raise WorkflowError(blocker)
    totals = list(evaluation.scorecards.filter(status=Scorecard.Status.SUBMITTED).values_list("total", flat=True))
    project = evaluation.project
    score = trimmed_mean(totals)
    grade = grade_for(score, project.round)
    today = timezone.localdate()
    with transaction.atomic():
        claimed = Evaluation.objects.filter(
            pk=evaluation.pk, status=Evaluation.Status.OPEN, version=evaluation.version
        ).update(
            status=Evaluation.Status.FINALISED,
            score=score,
            grade=grade,
            scorecards_counted=len(totals),
            finalised_at=timezone.now(),
            finalised_by=by,
            version=F("version") + 1,
        )
        if not claimed:
            raise StaleTransition(_("该评估已被他人定级，本次操作未生效。"))
        figures = {"kind": evaluation.get_kind_display(), "score": score, "grade": Grade(grade).label}
        comment = _("%(kind)s得分 %(score)s，等级：%(grade)s") % figures
        # One row for every grade, failing ones too (a failed grade moves no state but puts the project
        # under rectification).
        log_action(
            action=AuditAction.EVALUATION_FINALISE,
            actor=by,
            obj=evaluation,
            score=score,
            grade=Grade(grade).label,
            rectification=grade == Grade.FAIL,
        )
        if grade == Grade.FAIL:
            Project.objects.filter(pk=project.pk).update(
                needs_rectification=True,
                rectification_note=_("%(kind)s不合格（%(score)s分），须整改后方可拨付下一期款项。")
                % {"kind": evaluation.get_kind_display(), "score": score},
            )
        elif evaluation.kind == EvaluationKind.MIDTERM:
            Project.objects.filter(pk=project.pk).update(midterm_passed_on=today)
            project.refresh_from_db()
            _apply(project=project, by=by, action=Action.MIDTERM_PASS, comment=comment)
        else:
            Project.objects.filter(pk=project.pk).update(final_passed_on=today)
            project.refresh_from_db()
            _apply(project=project, by=by, action=Action.COMPLETE, comment=comment)
    evaluation.refresh_from_db()
    return evaluation


def rectification_clear(*, project: Project, by: User, note: str) -> Project:
    if not permissions.can_oversee_rectification(by, project):
        raise WorkflowError(_("您不能解除该项目的整改。"))
    if not project.needs_rectification:
        raise WorkflowError(_("该项目不在整改中。"))
    if not (note or "").strip():
        raise WorkflowError(_("请写明整改完成情况。"))
    with transaction.atomic():
        claimed = Project.objects.filter(pk=project.pk, needs_rectification=True).update(
            needs_rectification=False,
            rectification_note=f"{project.rectification_note}\n" + _("已解除整改：%(note)s") % {"note": note.strip()},
        )
        if not claimed:
            raise StaleTransition(_("该项目已被他人解除整改。"))
        project.refresh_from_db()
        log_action(action=AuditAction.RECTIFICATION_CLEAR, actor=by, obj=project, comment=note.strip())
    return project


def round_ranking(round_):
    """Projects of the round with a finalised final evaluation, best first, and the grade distribution."""
    evaluations = list(
        Evaluation.objects.filter(project__round=round_, kind=EvaluationKind.FINAL, status=Evaluation.Status.FINALISED)
        .select_related("project", "project__implementing_unit", "project__category")
        .order_by("-score", "project__code")
    )
    distribution = {grade.label: 0 for grade in Grade}
    for evaluation in evaluations:
        distribution[Grade(evaluation.grade).label] += 1
    return evaluations, distribution
