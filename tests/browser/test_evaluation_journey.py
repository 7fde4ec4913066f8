"""The evaluation step in a real browser: civil affairs organises a mid-term evaluation of a 2013 project
and assigns `evaluator`, who scores it; civil affairs finalises it and releases the mid-term instalment."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Evaluation, Instalment, Project
from tests.browser.test_journey import PASSWORD, login


@pytest.fixture
def demo(transactional_db, settings):
    settings.QICAI_DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_midterm_evaluation_frees_the_midterm_instalment(browser, live_server, demo, shots):
    project = Project.objects.get(code="QC-2013-001")
    page = login(browser, live_server, "civil")
    page.goto(f"{live_server.url}/admin/projects/evaluation/add/?project={project.pk}")
    page.select_option("#id_kind", label="中期评估")
    page.select_option("#id_template", label="中期评估标准（第1版）")
    page.fill("#id_due_date", "2014-03-31")
    page.click("input[name=_continue]")
    page.select_option("#id_evaluator", label="赵文博")
    shots(page, "e01-civil-evaluation")
    page.click("input[value=指派]")
    expect(page.locator(".messagelist")).to_contain_text("已指派")
    evaluation = Evaluation.objects.get(project=project, kind="midterm")
    page.context.close()

    page = login(browser, live_server, "evaluator")
    page.goto(f"{live_server.url}/admin/projects/evaluation/")
    expect(page.locator("#result_list")).to_contain_text("QC-2013-001")
    page.goto(f"{live_server.url}/admin/projects/evaluation/{evaluation.pk}/change/")
    page.click("a.button:text-is('评分')")
    for index, score in enumerate(["18", "36", "17", "19"]):
        page.fill(f"#id_score-{index}-score", score)
    page.fill("#id_overall_comment", "服务记录完整，个案跟踪及时。")
    shots(page, "e02-evaluator-scorecard")
    page.click("input[name=_submit]")
    expect(page.locator(".messagelist")).to_contain_text("评分表已提交")
    page.context.close()

    page = login(browser, live_server, "civil")
    page.goto(f"{live_server.url}/admin/projects/evaluation/{evaluation.pk}/finalise/")
    shots(page, "e03-civil-finalise")
    page.click("input[value=确认定级]")
    expect(page.locator(".messagelist")).to_contain_text("已定级：90.00 分，优秀")
    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    expect(page.locator(".project-status")).to_contain_text("中期评估")
    page.get_by_role("tab", name="资金").click()  # the project page's 资金 section
    page.click("#instalments-group a.button:text-is('登记拨付')")
    page.fill("#id_voucher_number", "JCMZ-2013-001-2")
    page.click("input[type=submit][value^=确认]")
    expect(page.locator(".messagelist")).to_contain_text("已登记")
    shots(page, "e04-civil-midterm-released")
    page.context.close()

    assert Instalment.objects.get(project=project, sequence=2).status == "released"
