"""The approval journey, in a real browser: unit drafts and submits, association recommends,
civil affairs approves with an amount, the unit sees it approved, and the outsider cannot open it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Project

PASSWORD = "qicai-demo-2013"
TITLE = "南门社区独居老人“时间银行”互助项目"


@pytest.fixture
def demo(transactional_db, settings):
    settings.QICAI_DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", verbosity=0)


def login(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("七彩工程")
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unit_to_association_to_civil_affairs(browser, live_server, demo, shots):
    # 1. The unit drafts a project in the open 2014 round and submits it.
    page = login(browser, live_server, "unit")
    shots(page, "01-unit-index")
    page.goto(f"{live_server.url}/admin/projects/project/add/")
    page.fill("#id_title", TITLE)
    page.select_option("#id_round", label="2014年度七彩工程")
    page.select_option("#id_category", label="青色·银龄关爱")
    page.select_option("#id_service_model", label="社工+义工")
    page.fill("#id_target_group", "独居、空巢老人")
    page.fill("#id_start_date", "2014-05-01")
    page.fill("#id_end_date", "2015-04-30")
    page.fill("#id_requested_amount", "25000")
    page.fill("#id_target_beneficiaries", "80")
    page.fill("#id_objectives", "建立独居老人档案，每周探访，组织义工结对，开展时间银行互助。")
    page.select_option("#id_budget_lines-0-category", label="人员经费")
    page.fill("#id_budget_lines-0-amount", "15000")
    page.select_option("#id_budget_lines-1-category", label="活动经费")
    page.fill("#id_budget_lines-1-amount", "7500")
    page.select_option("#id_budget_lines-2-category", label="管理费")
    page.fill("#id_budget_lines-2-amount", "2500")
    shots(page, "02-unit-add-form")
    page.click("input[name=_continue]")
    expect(page.locator(".project-status")).to_contain_text("草稿")
    project = Project.objects.get(title=TITLE)
    assert project.code.startswith("QC-2014-")
    shots(page, "03-unit-draft")

    page.click("a.button:text-is('提交申报')")  # the header's action (下一步 also says 提交申报)
    expect(page.locator("h1")).to_contain_text("提交申报")
    shots(page, "04-unit-submit-confirm")
    page.click("input[type=submit][value^=确认]")
    expect(page.locator(".messagelist")).to_contain_text("已提交申报")
    expect(page.locator(".project-status")).to_contain_text("已提交")
    shots(page, "05-unit-submitted")
    page.context.close()

    # 2. The association finds it in its to-do list and recommends it.
    page = login(browser, live_server, "association")
    expect(page.locator("#todo-summary")).to_contain_text("待协会初审")
    page.goto(f"{live_server.url}/admin/todo/")
    shots(page, "06-association-todo")
    page.click(f"text={project.code}")
    page.click("text=初审通过并推荐")
    page.fill("#id_comment", "服务需求调研扎实，同意推荐。")
    shots(page, "07-association-recommend")
    page.click("input[type=submit][value^=确认]")
    expect(page.locator(".project-status")).to_contain_text("协会初审通过")
    page.context.close()

    # 3. Civil affairs approves it with an amount.
    page = login(browser, live_server, "civil")
    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    page.click("a.button:text-is('审定')")
    page.fill("#id_amount", "22000")
    shots(page, "08-civil-approve")
    page.click("input[type=submit][value^=确认]")
    expect(page.locator(".project-status")).to_contain_text("已审定")
    expect(page.locator(".messagelist")).to_contain_text("已审定")
    shots(page, "09-civil-approved")
    page.context.close()

    # 4. The unit sees its project approved, with the amount and the log.
    page = login(browser, live_server, "unit")
    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    expect(page.locator(".project-status")).to_contain_text("已审定")
    expect(page.locator(".field-approved_amount_shown")).to_contain_text(re.compile(r"22[,]?000"))
    expect(page.locator("#audit_entries-group")).to_contain_text("服务需求调研扎实")
    shots(page, "10-unit-sees-approved")
    page.context.close()

    # 5. The outsider unit cannot open it, nor find it in its list.
    page = login(browser, live_server, "unit2")
    response = page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    assert response.status == 404
    shots(page, "11-unit2-refused")
    page.goto(f"{live_server.url}/admin/projects/project/")
    expect(page.locator("#result_list")).not_to_contain_text(TITLE)
    page.context.close()

    project.refresh_from_db()
    assert project.status == Project.Status.APPROVED
    assert [t.action for t in project.audit_entries.transitions().order_by("at")] == [
        "project.submit",
        "project.recommend",
        "project.approve",
    ]
