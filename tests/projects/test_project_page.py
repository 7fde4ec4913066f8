"""The project page of the workbench: the summary header, the sections, totals, and 发起评估 in one form."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import roles
from projects.audit import AuditAction
from projects.models import AuditEntry, Evaluation, Instalment, Project, Round, RubricCriterion, RubricTemplate
from projects.services import evaluation_create
from qicai.todo import todo_for
from tests.factories import OrganizationFactory, RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    template = RubricTemplate.objects.create(name="中期评估标准", kind="midterm")
    for order, (name, points) in enumerate([("项目管理", 40), ("服务成效", 60)]):
        RubricCriterion.objects.create(template=template, name=name, max_score=points, order=order)
    return template


@pytest.fixture
def running(unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS)
    return project_in_state(
        Project.Status.IN_PROGRESS,
        round=round_,
        implementing_unit=unit_org,
        start_date=datetime.date(2014, 3, 1),
        end_date=datetime.date(2015, 2, 28),
    )


def page(client, user, project, **params):
    client.force_login(user)
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_header_says_where_the_project_stands_and_what_comes_next(client, cast, running):
    html = page(client, cast["civil"], running)
    header = html[html.index('class="project-header"') : html.index('role="tablist"')]
    words = text_of(header)
    assert running.code in words and running.title in words and "实施中" in words
    assert "阳光社工（测试）" in words and "20,000.00 元" in words
    assert "2014年3月1日 至 2015年2月28日" in words
    assert "尚未定级" in words and "实施中，待中期评估" in words
    # What this user may do now: the expected step first, 终止 last and set apart.
    actions = re.findall(r'<a class="button ([\w ]+)" href="[^"]*">([^<]+)</a>', header)
    assert actions[0] == ("primary", "发起中期评估")
    assert actions[-1] == ("destructive", "终止项目")
    assert [label for kind, label in actions if kind == "destructive"] == ["终止项目"]


def test_the_record_is_in_sections_and_empty_ones_say_so(client, cast, running):
    html = page(client, cast["civil"], running)
    tabs = re.findall(r'<a role="tab" id="tab-(\w+)-label" href="#tab-\1"[^>]*>([^<]+)</a>', html)
    assert [label for _key, label in tabs] == ["基本信息", "资金", "服务", "评估", "流转与历史", "文件"]
    for key, _label in tabs:
        assert f'id="tab-{key}" role="tabpanel"' in html
    evaluation_panel = html[html.index('id="tab-evaluation"') : html.index('id="tab-history"')]
    assert "尚未组织评估" in evaluation_panel and "<table" not in evaluation_panel
    assert "尚未获得表彰。" in evaluation_panel
    files = html[html.index('id="tab-files"') :]
    assert "尚未起草项目协议" in files
    # The empty sections still post their formsets' management forms: saving the page works.
    assert 'name="evaluations-TOTAL_FORMS"' in html or re.search(r'name="[\w-]*evaluation[\w-]*TOTAL_FORMS"', html)


def test_budget_and_instalment_tables_end_with_a_total_row(client, cast, running):
    amounts = [Decimal("8000.00"), Decimal("8000.00"), Decimal("4000.00")]
    for index, (name, percent, amount) in enumerate(zip(["首期", "中期", "尾期"], [40, 40, 20], amounts, strict=True)):
        Instalment.objects.create(project=running, sequence=index + 1, name=name, percent=percent, amount=amount)
    html = page(client, cast["civil"], running)
    totals = [text_of(row) for row in re.findall(r'<tr class="totals-row">(.*?)</tr>', html, re.S)]
    assert len(totals) == 2
    assert "合计" in totals[0] and "20,000.00" in totals[0]  # the budget lines: 18,000 + 2,000
    assert "合计" in totals[1] and "100%" in totals[1] and "20,000.00" in totals[1] and "已拨付 0.00 元" in totals[1]
    assert "与申请金额" not in html  # the budget agrees with the request


def test_a_budget_that_does_not_add_up_is_said_under_its_total(client, cast, unit_org):
    draft = project_in_state(Project.Status.DRAFT, implementing_unit=unit_org, requested_amount=Decimal("30000.00"))
    draft.budget_lines.filter(category__name="管理费").delete()
    html = page(client, cast["unit"], draft)
    assert "预算合计 27,000.00 元，与申请金额 30,000.00 元不一致" in html
    assert "发起" not in text_of(html[html.index('class="project-header"') : html.index('role="tablist"')])


def test_start_an_evaluation_with_rubric_due_date_and_experts_in_one_form(client, cast, running, template):
    url = reverse("admin:projects_project_evaluate", args=[running.pk])
    client.force_login(cast["civil"])
    form = client.get(url).content.decode()
    assert "中期评估标准（第1版）" in form and 'value="2014-08-30"' in form  # half-way through the project
    second = UserFactory(role=roles.EVALUATOR, organization=OrganizationFactory(type="other"), first_name="李明")
    response = client.post(
        url, {"template": template.pk, "due_date": "2014-09-01", "evaluators": [cast["evaluator"].pk, second.pk]}
    )
    assert response.status_code == 302 and response["Location"].endswith("#tab-evaluation")
    evaluation = Evaluation.objects.get(project=running)
    assert evaluation.kind == "midterm" and evaluation.due_date == datetime.date(2014, 9, 1)
    assert set(evaluation.evaluators.all()) == {cast["evaluator"], second}
    logged = AuditEntry.objects.filter(action__startswith="evaluation.").values_list("action", flat=True)
    assert sorted(logged) == sorted(
        [AuditAction.EVALUATION_CREATE, AuditAction.EVALUATION_ASSIGN, AuditAction.EVALUATION_ASSIGN]
    )
    # The expert finds it in 待办; the project page says who waits on whom and offers no second evaluation.
    waiting = {item.label: item.count for item in todo_for(cast["evaluator"])}
    assert any("评分" in label and count == 1 for label, count in waiting.items()), waiting
    html = page(client, cast["civil"], running)
    header = html[html.index('class="project-header"') :]
    assert "中期评估评分中，2014年9月1日截止" in header and "发起中期评估" not in header
    response = client.get(url, follow=True)
    assert "现在不能发起评估" in response.content.decode()


def test_a_refused_start_writes_nothing_and_keeps_the_input(client, cast, running, template, unit_org):
    url = reverse("admin:projects_project_evaluate", args=[running.pk])
    client.force_login(cast["civil"])
    response = client.post(url, {"template": template.pk, "due_date": "2014-09-01"})
    assert "请至少选择一位评估专家。" in response.content.decode()
    conflicted = UserFactory(role=roles.EVALUATOR, organization=unit_org, first_name="周洁")
    response = client.post(
        url, {"template": template.pk, "due_date": "2014-09-01", "evaluators": [cast["evaluator"].pk, conflicted.pk]}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "周洁" in html and "利益冲突" in html
    assert 'value="2014-09-01"' in html
    too_late = {"template": template.pk, "due_date": "2031-09-01", "evaluators": [cast["evaluator"].pk]}
    response = client.post(url, too_late)
    assert response.status_code == 200 and 'class="errornote"' in response.content.decode()  # out of the window
    assert not Evaluation.objects.filter(project=running).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EVALUATION_CREATE).exists()


def test_only_programme_staff_start_evaluations_and_only_when_one_is_due(client, cast, running, template, unit_org):
    url = reverse("admin:projects_project_evaluate", args=[running.pk])
    client.force_login(cast["unit"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"template": template.pk, "evaluators": [cast["evaluator"].pk]}).status_code == 403
    client.force_login(cast["unit2"])
    assert client.get(url).status_code == 404  # another unit's project does not exist for it
    draft = project_in_state(Project.Status.RECOMMENDED, implementing_unit=unit_org)
    client.force_login(cast["civil"])
    response = client.get(reverse("admin:projects_project_evaluate", args=[draft.pk]), follow=True)
    assert "现在不能发起评估（待区民政局审定项目和金额）" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_unit_sees_its_page_without_staff_actions(client, cast, running, template):
    evaluation_create(
        project=running, kind="midterm", template=template, due_date=datetime.date(2014, 9, 1), by=cast["civil"]
    )
    html = page(client, cast["unit"], running)
    header = text_of(html[html.index('class="project-header"') : html.index('role="tablist"')])
    assert "中期评估评分中" in header
    assert "终止项目" not in header and "发起" not in header
    assert "个案建档" in header and "登记服务活动" in header


def test_rectification_is_the_next_step_when_required(client, cast, running):
    Project.objects.filter(pk=running.pk).update(needs_rectification=True, rectification_note="台账不全")
    html = page(client, cast["civil"], running)
    header = text_of(html[html.index('class="project-header"') : html.index('role="tablist"')])
    assert "整改中：整改完成后解除整改，再组织复评" in header and "台账不全" in header
    assert "解除整改" in header and "发起中期评估" not in header
