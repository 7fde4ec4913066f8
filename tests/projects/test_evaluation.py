"""Evaluations: weighted arithmetic in Decimal, trimming, grade bands at their edges, conflicts of interest,
evaluator scoping, and what finalising does to the project and its instalments."""

import datetime
from decimal import Decimal

import pytest

from projects import roles
from projects.models import Evaluation, Instalment, Project, Round, RubricCriterion, RubricTemplate, Scorecard
from projects.services import (
    StaleTransition,
    WorkflowError,
    evaluation_assign,
    evaluation_create,
    evaluation_finalise,
    grade_for,
    instalment_release,
    project_sign,
    rectification_clear,
    rubric_revise,
    scorecard_save,
    scorecard_total,
    trimmed_mean,
)
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db
D = Decimal
S = Project.Status


@pytest.fixture
def rubric(db):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    for order, (name, points) in enumerate([("项目管理", 20), ("服务成效", 40), ("财务管理", 20), ("满意度", 20)]):
        RubricCriterion.objects.create(template=template, name=name, max_score=points, order=order)
    return template


@pytest.fixture
def running(cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS)
    project = project_in_state(S.APPROVED, round=round_, implementing_unit=unit_org)
    project_sign(project=project, by=cast["civil"], signed_date=datetime.date(2014, 4, 1))
    Project.objects.filter(pk=project.pk).update(status=S.IN_PROGRESS)
    project.refresh_from_db()
    return project


TODAY = datetime.date.today()


def pay(instalment, by, voucher):
    return instalment_release(
        instalment=instalment, by=by, released_on=datetime.date(2014, 10, 9), voucher_number=voucher
    )


def experts(n, organization=None):
    organization = organization or OrganizationFactory(type="other")
    return [UserFactory(role=roles.EVALUATOR, organization=organization) for _ in range(n)]


def score_all(evaluation, evaluators, percents):
    criteria = list(evaluation.template.criteria.all())
    for evaluator, percent in zip(evaluators, percents, strict=True):
        scores = {c.pk: (c.max_score * D(percent) / 100, "") for c in criteria}
        scorecard_save(evaluation=evaluation, by=evaluator, scores=scores, submit=True)


def test_scorecard_total_is_weighted_and_decimal(rubric):
    criteria = list(rubric.criteria.all())

    class Item:
        def __init__(self, score):
            self.score = D(score)

    assert scorecard_total([Item("18"), Item("36.5"), Item("17"), Item("19.99")], criteria) == D("91.49")
    small = [RubricCriterion(max_score=D("3")), RubricCriterion(max_score=D("3")), RubricCriterion(max_score=D("3"))]
    assert scorecard_total([Item("1"), Item("1"), Item("0")], small) == D("22.22")  # 2/9 × 100


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        (["80"], "80.00"),
        (["80", "90"], "85.00"),
        (["70", "80", "90", "100"], "85.00"),  # four: no trimming
        (["50", "80", "81", "82", "99"], "81.00"),  # five: drop 50 and 99
        (["60", "60", "70", "80", "90", "90"], "75.00"),  # six: drop one 60 and one 90
        (["88.33", "88.33", "88.34"], "88.33"),
    ],
)
def test_trimmed_mean(totals, expected):
    assert trimmed_mean([D(t) for t in totals]) == D(expected)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "excellent"),
        ("90.00", "excellent"),
        ("89.99", "good"),
        ("75.00", "good"),
        ("74.99", "pass"),
        ("60.00", "pass"),
        ("59.99", "fail"),
        ("0", "fail"),
    ],
)
def test_grade_bands_at_their_edges(score, grade):
    assert grade_for(D(score), Round(grade_excellent_min=90, grade_good_min=75, grade_pass_min=60)) == grade


def test_round_sets_its_own_bands():
    assert grade_for(D("85"), Round(grade_excellent_min=85, grade_good_min=70, grade_pass_min=50)) == "excellent"


def test_conflict_of_interest_is_refused(cast, running, rubric, unit_org):
    evaluation = evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=cast["civil"]
    )
    own_unit = experts(1, organization=unit_org)[0]
    with pytest.raises(WorkflowError, match="实施单位.*利益冲突"):
        evaluation_assign(evaluation=evaluation, evaluator=own_unit, by=cast["civil"])
    partner = OrganizationFactory(type="community", parent=OrganizationFactory(type="subdistrict"))
    running.partners.add(partner)
    with pytest.raises(WorkflowError, match="合作单位.*利益冲突"):
        evaluation_assign(evaluation=evaluation, evaluator=experts(1, organization=partner)[0], by=cast["civil"])
    with pytest.raises(WorkflowError, match="评估专家角色"):
        evaluation_assign(evaluation=evaluation, evaluator=cast["association"], by=cast["civil"])
    with pytest.raises(WorkflowError, match="您不能为该评估指派评估专家"):
        evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["association"])
    evaluation_assign(evaluation=evaluation, evaluator=cast["evaluator"], by=cast["civil"])
    assert list(evaluation.evaluators.all()) == [cast["evaluator"]]


def test_evaluators_see_only_their_assignments_and_not_each_others_scores_early(cast, running, rubric):
    evaluation = evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=cast["civil"]
    )
    first, second, outsider = experts(3)
    for evaluator in (first, second):
        evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=cast["civil"])
    assert list(Project.objects.visible_to(first)) == [running]
    assert not Project.objects.visible_to(outsider).exists()
    assert not Evaluation.objects.visible_to(outsider).exists()
    score_all(evaluation, [first], ["80"])
    assert not Scorecard.objects.visible_to(second).exclude(evaluator=second).exists()
    assert Scorecard.objects.visible_to(first).count() == 1
    with pytest.raises(WorkflowError, match="没有被指派"):
        score_all(evaluation, [outsider], ["90"])
    score_all(evaluation, [second], ["90"])
    evaluation_finalise(evaluation=evaluation, by=cast["civil"])
    assert Scorecard.objects.visible_to(second).count() == 2  # once finalised, all are open to them


def test_scorecard_rules(cast, running, rubric):
    evaluation = evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=cast["civil"]
    )
    expert = experts(1)[0]
    evaluation_assign(evaluation=evaluation, evaluator=expert, by=cast["civil"])
    criteria = list(rubric.criteria.all())
    with pytest.raises(WorkflowError, match="0至40.00之间"):
        scorecard_save(evaluation=evaluation, by=expert, scores={criteria[1].pk: (D("41"), "")}, submit=False)
    scorecard_save(evaluation=evaluation, by=expert, scores={criteria[0].pk: (D("18"), "好")}, submit=False)
    with pytest.raises(WorkflowError, match="每一项指标"):
        scorecard_save(evaluation=evaluation, by=expert, scores={}, submit=True)
    score_all(evaluation, [expert], ["85"])
    with pytest.raises(WorkflowError, match="已提交"):
        score_all(evaluation, [expert], ["95"])
    assert Scorecard.objects.get().total == D("85.00")


def test_passed_midterm_moves_the_project_and_frees_the_midterm_instalment(cast, running, rubric):
    evaluation = evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=cast["civil"]
    )
    team = experts(5)
    for evaluator in team:
        evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=cast["civil"])
    score_all(evaluation, team, ["50", "80", "81", "82", "99"])
    first, middle, _last = running.instalments.order_by("sequence")
    pay(first, cast["civil"], "1")
    with pytest.raises(WorkflowError, match="中期评估"):
        instalment_release(
            instalment=middle, by=cast["civil"], released_on=datetime.date(2014, 10, 9), voucher_number="2"
        )
    evaluation_finalise(evaluation=evaluation, by=cast["civil"], expected_version=0)
    assert (evaluation.score, evaluation.grade, evaluation.scorecards_counted) == (D("81.00"), "good", 5)
    running.refresh_from_db()
    assert running.status == S.MIDTERM_EVALUATED and running.midterm_passed_on is not None
    assert running.audit_entries.filter(action="project.midterm_pass").exists()
    middle.refresh_from_db()
    middle.project.refresh_from_db()
    pay(middle, cast["civil"], "2")
    with pytest.raises(StaleTransition):
        evaluation_finalise(evaluation=Evaluation.objects.get(pk=evaluation.pk), by=cast["civil"], expected_version=0)


def test_failed_evaluation_puts_the_project_under_rectification(cast, running, rubric):
    evaluation = evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2014, 10, 1), by=cast["civil"]
    )
    expert = experts(1)[0]
    evaluation_assign(evaluation=evaluation, evaluator=expert, by=cast["civil"])
    score_all(evaluation, [expert], ["59"])
    evaluation_finalise(evaluation=evaluation, by=cast["civil"])
    running.refresh_from_db()
    assert evaluation.grade == "fail"
    assert running.status == S.IN_PROGRESS and running.needs_rectification
    first = running.instalments.get(sequence=1)
    first.project.refresh_from_db()
    with pytest.raises(WorkflowError, match="整改"):
        instalment_release(
            instalment=first, by=cast["civil"], released_on=datetime.date(2014, 5, 1), voucher_number="1"
        )
    with pytest.raises(WorkflowError, match="您不能解除该项目的整改"):
        rectification_clear(project=running, by=cast["association"], note="已整改")
    rectification_clear(project=running, by=cast["civil"], note="已补齐档案，复查合格")
    first.project.refresh_from_db()
    pay(first, cast["civil"], "1")
    assert Instalment.objects.get(pk=first.pk).status == "released"


def test_passed_final_completes_the_project(cast, running, rubric):
    Project.objects.filter(pk=running.pk).update(status=S.MIDTERM_EVALUATED)
    running.refresh_from_db()
    final = RubricTemplate.objects.create(name="结项评估标准", kind="final")
    RubricCriterion.objects.create(template=final, name="服务成效", max_score=100)
    with pytest.raises(WorkflowError, match="不适用"):
        evaluation_create(
            project=running, kind="final", template=rubric, due_date=datetime.date(2015, 6, 30), by=cast["civil"]
        )
    evaluation = evaluation_create(
        project=running, kind="final", template=final, due_date=datetime.date(2015, 6, 30), by=cast["civil"]
    )
    expert = experts(1)[0]
    evaluation_assign(evaluation=evaluation, evaluator=expert, by=cast["civil"])
    score_all(evaluation, [expert], ["90"])
    evaluation_finalise(evaluation=evaluation, by=cast["civil"])
    running.refresh_from_db()
    assert evaluation.grade == "excellent" and running.status == S.COMPLETED and running.final_passed_on


def test_rubric_in_use_is_frozen_and_revised_into_a_new_version(cast, running, rubric):
    evaluation_create(
        project=running, kind="midterm", template=rubric, due_date=datetime.date(2015, 6, 30), by=cast["civil"]
    )
    assert rubric.in_use
    revised = rubric_revise(template=rubric, by=cast["civil"])
    assert (revised.name, revised.version, revised.criteria.count()) == (rubric.name, 2, 4)
    assert not revised.in_use


def test_a_failed_evaluation_can_be_redone_after_rectification(cast, unit_org):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    RubricCriterion.objects.create(template=template, name="服务成效", max_score=100)
    project = project_in_state(S.IN_PROGRESS, round=RoundFactory(year=2014), implementing_unit=unit_org)
    Evaluation.objects.create(
        project=project,
        kind="midterm",
        template=template,
        due_date=datetime.date(2014, 9, 1),
        status="finalised",
        score=50,
        grade="fail",
    )
    Project.objects.filter(pk=project.pk).update(needs_rectification=True, rectification_note="不合格")
    project.refresh_from_db()
    with pytest.raises(WorkflowError, match="先解除整改"):
        evaluation_create(
            project=project, kind="midterm", template=template, due_date=datetime.date(2014, 12, 1), by=cast["civil"]
        )
    rectification_clear(project=project, by=cast["civil"], note="已整改")
    again = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 12, 1), by=cast["civil"]
    )
    assert again.status == "open"
    with pytest.raises(WorkflowError, match="已有中期评估"):
        evaluation_create(
            project=project, kind="midterm", template=template, due_date=datetime.date(2015, 1, 1), by=cast["civil"]
        )
