"""Importing evaluation scores: civil affairs enters the experts' paper scorecards (代录评分表) for open
evaluations, one column per criterion of the rubrics in use, every problem named by row and column."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects import permissions, roles
from projects.models import AuditEntry, Evaluation, ImportJob, Project, RubricCriterion, RubricTemplate, Scorecard
from projects.services import (
    WorkflowError,
    evaluation_assign,
    evaluation_create,
    evaluation_finalise,
    scorecard_record,
    scorecard_save,
)
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state
from tests.imports.importing import confirm, counts, errors, plan_queries, upload

pytestmark = pytest.mark.django_db
S = Project.Status
DUE = datetime.date(2014, 12, 31)
HEADER = ["项目编号", "评估类型", "评估专家", "项目管理", "服务成效（满分40）", "财务管理", "满意度", "社会影响"]
HEADER += ["总体意见", "提交"]


def rubric(name, kind, criteria):
    template = RubricTemplate.objects.create(name=name, kind=kind)
    for order, (criterion, points) in enumerate(criteria):
        RubricCriterion.objects.create(template=template, name=criterion, max_score=points, order=order)
    return template


def expert(username, name, organization):
    return UserFactory(username=username, first_name=name, role=roles.EVALUATOR, organization=organization)


def evaluation(project, template, civil, *experts):
    opened = evaluation_create(by=civil, project=project, kind=template.kind, template=template, due_date=DUE)
    for person in experts:
        evaluation_assign(evaluation=opened, evaluator=person, by=civil)
    return opened


@pytest.fixture
def world(cast, unit_org):
    round_ = RoundFactory(year=2014, status="in_progress")
    centre = OrganizationFactory(name="评估中心", type="other")
    wang, li = expert("wang", "王建国", centre), expert("lihua", "李华", centre)
    midterm = rubric("中期评估标准", "midterm", [("项目管理", 20), ("服务成效", 40), ("财务管理", 20), ("满意度", 20)])
    final = rubric("结项评估标准", "final", [("项目管理", 30), ("服务成效", 50), ("社会影响", 20)])
    running = project_in_state(S.IN_PROGRESS, round=round_, implementing_unit=unit_org)
    halfway = project_in_state(S.MIDTERM_EVALUATED, round=round_, implementing_unit=unit_org)
    graded = project_in_state(S.IN_PROGRESS, round=round_, implementing_unit=unit_org)
    done = evaluation(graded, midterm, cast["civil"], wang)
    scorecard_save(evaluation=done, by=wang, scores={c.pk: (15, "") for c in midterm.criteria.all()}, submit=True)
    evaluation_finalise(evaluation=done, by=cast["civil"])
    return {
        "wang": wang,
        "li": li,
        "midterm": evaluation(running, midterm, cast["civil"], wang, li),
        "final": evaluation(halfway, final, cast["civil"], wang),
        "running": running,
        "halfway": halfway,
        "graded": graded,
    }


def test_civil_affairs_records_paper_scorecards_of_two_rubrics(client, cast, world):
    running, halfway = world["running"].code, world["halfway"].code
    client.force_login(cast["civil"])
    rows = [
        HEADER,
        [running, "中期评估", "王建国", 18, "36.5", 17, "19.25", "", "管理规范，成效明显。", "是"],
        [running, "中期", "lihua", 16, 30, "", "", "", "", "否"],  # a draft: one criterion still to score
        [halfway, "结项评估", "王 建国", 27, 45, "", "", 18, "", ""],  # 提交 left empty: submitted
    ]
    job = upload(client, "scores", rows)
    assert job.status == "checked", job.result
    assert job.result["counts"] == counts(new=3)
    assert not Scorecard.objects.filter(evaluation__in=[world["midterm"], world["final"]]).exists()
    job = confirm(client, job)
    assert job.status == "done", job.message
    wang = Scorecard.objects.get(evaluation=world["midterm"], evaluator=world["wang"])
    assert (wang.status, wang.total, wang.overall_comment) == ("submitted", Decimal("90.75"), "管理规范，成效明显。")
    assert sorted(wang.items.values_list("score", flat=True)) == [17, 18, Decimal("19.25"), Decimal("36.5")]
    draft = Scorecard.objects.get(evaluation=world["midterm"], evaluator=world["li"])
    assert draft.status == "draft" and draft.items.count() == 2
    final = Scorecard.objects.get(evaluation=world["final"], evaluator=world["wang"])
    assert (final.status, final.total) == ("submitted", Decimal("90.00"))
    entries = AuditEntry.objects.filter(action="scorecard.record")
    assert entries.count() == 3 and set(entries.values_list("actor", flat=True)) == {cast["civil"].pk}
    assert {entry.data["evaluator"] for entry in entries} == {"王建国", "李华"}
    assert not any("管理规范" in str(entry.data) for entry in entries)

    # The same file again changes nothing; the draft completed and submitted is a change.
    assert upload(client, "scores", rows).result["counts"] == counts(unchanged=3)
    rows[2] = [running, "中期评估", "李华", 16, 30, 15, 18, "", "", "是"]
    job = upload(client, "scores", rows)
    assert job.result["counts"] == counts(changed=1, unchanged=2), job.result
    assert job.result["rows"][0]["changes"] == [["财务管理", "—", "15"], ["满意度", "—", "18"], ["提交", "否", "是"]]
    assert confirm(client, job).status == "done"
    draft.refresh_from_db()
    assert (draft.status, draft.total) == ("submitted", Decimal("79.00"))
    # A submitted scorecard is final.
    rows[1][3] = 19
    job = upload(client, "scores", rows)
    assert job.status == "refused" and "已提交" in errors(job)[(2, "评估专家")]


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(client, cast, world, unit_org):
    running, halfway, graded = world["running"].code, world["halfway"].code, world["graded"].code
    client.force_login(cast["civil"])
    rows = [
        HEADER,
        [running, "中期评估", "王建国", 18, 36, 17, 19, "", "", "是"],  # fine on its own
        ["QC-2014-999", "中期评估", "王建国", 18, 36, 17, 19, "", "", "是"],
        [running, "期中评估", "王建国", 18, 36, 17, 19, "", "", "是"],
        [graded, "中期评估", "王建国", 18, 36, 17, 19, "", "", "是"],  # finalised
        [running, "中期评估", cast["evaluator"].username, 18, 36, 17, 19, "", "", "是"],  # not assigned
        [running, "中期评估", "李华", 21, "36.125", "", 19, "", "", "是"],
        [running, "中期评估", "王建国", 18, 36, 17, 19, 10, "", "是"],  # row 2 again, and 社会影响 is not midterm's
        [halfway, "中期评估", "王建国", 27, 45, "", "", 18, "", "是"],  # no midterm evaluation open
        [halfway, "结项评估", "王建国", 27, 45, "", "", 18, "", "也许"],
    ]
    job = upload(client, "scores", rows)
    assert job.status == "refused"
    found = errors(job)
    assert set(found) == {
        (3, "项目编号"),
        (4, "评估类型"),
        (5, "评估类型"),
        (6, "评估专家"),
        (7, "项目管理"),
        (7, "服务成效（满分40）"),
        (7, "财务管理"),
        (8, "社会影响"),
        (9, "项目编号"),
        (10, "提交"),
    }, found
    assert "已定级" in found[(5, "评估类型")] and "0至20" in found[(7, "项目管理")]
    assert not Scorecard.objects.filter(evaluation__in=[world["midterm"], world["final"]]).exists()
    assert not AuditEntry.objects.filter(action="scorecard.record").exists() and not job.stored_name
    # The same expert twice for one evaluation is refused too, once the row is otherwise right.
    job = upload(client, "scores", [HEADER, rows[1], rows[1]])
    assert job.status == "refused" and "第 2 行" in errors(job)[(3, None)]


def test_a_rubric_criterion_missing_from_the_file_is_refused(client, cast, world):
    client.force_login(cast["civil"])
    header = ["项目编号", "评估类型", "评估专家", "项目管理", "服务成效", "财务管理"]
    job = upload(client, "scores", [header, [world["running"].code, "中期评估", "王建国", 18, 36, 17]])
    assert job.status == "refused" and set(errors(job)) == {(2, "满意度")}


def test_only_civil_affairs_records_scorecards(client, cast, world):
    for role in ("unit", "committee", "association", "evaluator"):
        client.force_login(cast[role])
        assert client.get(reverse("admin:projects_importjob_upload", args=["scores"])).status_code == 403, role
    client.force_login(cast["civil"])
    page = client.get(reverse("admin:projects_importjob_upload", args=["scores"])).content.decode()
    assert "社会影响" in page  # the criteria of the rubrics in use are columns
    response = client.get(reverse("admin:projects_importjob_template", args=["scores"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    # Scorecards have no list of their own: the evaluation list offers their import.
    assert "导入评分表" in client.get(reverse("admin:projects_evaluation_changelist")).content.decode()


def test_scorecard_record_checks_power_assignment_and_state(cast, world):
    midterm, wang = world["midterm"], world["wang"]
    scores = {c.pk: (10, "") for c in midterm.template.criteria.all()}
    assert permissions.can_record_scorecards(cast["civil"], midterm)
    for role in ("association", "committee", "unit", "evaluator"):
        assert not permissions.can_record_scorecards(cast[role], midterm), role
        with pytest.raises(WorkflowError):
            scorecard_record(evaluation=midterm, evaluator=wang, by=cast[role], scores=scores)
    with pytest.raises(WorkflowError, match="不是该评估指派的评估专家"):
        scorecard_record(evaluation=midterm, evaluator=cast["evaluator"], by=cast["civil"], scores=scores)
    graded = Evaluation.objects.get(project=world["graded"])
    assert not permissions.can_record_scorecards(cast["civil"], graded)
    scorecard = scorecard_record(evaluation=midterm, evaluator=wang, by=cast["civil"], scores=scores, submit=True)
    assert (scorecard.evaluator, scorecard.status, scorecard.total) == (wang, "submitted", Decimal("40.00"))
    entry = AuditEntry.objects.get(action="scorecard.record")
    assert (entry.actor, entry.project, entry.data["submitted"]) == (cast["civil"], world["running"], True)
    # The expert's own scorecard is now submitted: neither the expert nor civil affairs changes it.
    with pytest.raises(WorkflowError, match="已提交"):
        scorecard_save(evaluation=midterm, by=wang, scores=scores, submit=True)
    with pytest.raises(WorkflowError, match="已提交"):
        scorecard_record(evaluation=midterm, evaluator=wang, by=cast["civil"], scores=scores)


def test_planning_queries_stay_flat(cast, world, unit_org):
    centre = OrganizationFactory(name="第二评估中心", type="other")
    experts = [expert(f"expert{i}", f"专家{i}", centre) for i in range(10)]
    template = world["midterm"].template
    projects = [project_in_state(S.IN_PROGRESS, round=world["running"].round, implementing_unit=unit_org)]
    projects += [project_in_state(S.IN_PROGRESS, round=world["running"].round) for _ in range(19)]
    for project in projects:
        evaluation(project, template, cast["civil"], *experts)
    rows = [
        [project.code, "中期评估", person.first_name, 18, 36, 17, 19, "", "", "是"]
        for project in projects
        for person in experts
    ]
    few, _ = plan_queries(cast["civil"], "scores", [HEADER, *rows[:2]])
    many, plan = plan_queries(cast["civil"], "scores", [HEADER, *rows])
    assert plan.counts() == counts(new=200), plan.errors[:3]
    assert many <= few, (few, many)


def test_exported_scorecards_read_back_and_a_changed_draft_is_a_change(client, cast, world):
    from tests.imports.test_export_round_trips import download_scorecards

    client.force_login(cast["civil"])
    running = world["running"].code
    rows = [
        HEADER,
        [running, "中期评估", "王建国", 18, "36.5", 17, "19.25", "", "管理规范，成效明显。", "是"],
        [running, "中期", "lihua", 16, 30, "", "", "", "", "否"],
    ]
    assert confirm(client, upload(client, "scores", rows)).status == "done"
    # Only the scorecards of the evaluations the list shows: here the running project's.
    data = download_scorecards(client, "xlsx", f"q={running}")
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["项目编号", "评估类型", "评估专家", "总体意见", "提交", "总分"]
    assert {"项目管理", "服务成效", "财务管理", "满意度", "社会影响"} <= set(header)
    written = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(written) == {"王建国", "李华"}
    wang = dict(zip(header, written["王建国"], strict=True))
    assert (wang["提交"], wang["总分"], wang["服务成效"], wang["社会影响"]) == ("是", 90.75, 36.5, None)
    job = client.post(
        reverse("admin:projects_importjob_upload", args=["scores"]),
        {"file": SimpleUploadedFile("评分表.xlsx", data)},
    )
    job = ImportJob.objects.latest("pk")
    assert job.result["counts"] == counts(unchanged=2), job.result
    # Completing the draft in the downloaded file is the one change.
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == "李华":
            row[header.index("财务管理")].value = 15
            row[header.index("满意度")].value = 18
            row[header.index("提交")].value = "是"
    buffer = io.BytesIO()
    book.save(buffer)
    job = upload_file(client, "scores", buffer.getvalue())
    assert job.result["counts"] == counts(changed=1, unchanged=1), job.result


def test_only_civil_affairs_exports_scorecards(client, cast, world):
    url = reverse("admin:projects_evaluation_scorecards_export")
    for role in ("unit", "unit2", "committee", "association", "evaluator"):
        client.force_login(cast[role])
        assert client.get(url).status_code == 403, role
        assert client.post(url, {"format": "csv", "columns": ["project"]}).status_code == 403, role
        assert "导出评分表" not in client.get(reverse("admin:projects_evaluation_changelist")).content.decode()
    client.force_login(cast["civil"])
    assert "导出评分表" in client.get(reverse("admin:projects_evaluation_changelist")).content.decode()


def upload_file(client, importer, data: bytes) -> ImportJob:
    client.post(
        reverse("admin:projects_importjob_upload", args=[importer]), {"file": SimpleUploadedFile("f.xlsx", data)}
    )
    return ImportJob.objects.latest("pk")
