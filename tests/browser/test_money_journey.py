"""Money in a real browser: the association signs a 2013 project's agreement, civil affairs records the
first instalment, and both see the 2013 round's money position."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Agreement, Instalment, Project, Round
from tests.browser.test_journey import PASSWORD, login


@pytest.fixture
def demo(transactional_db, settings):
    settings.QICAI_DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_and_first_release_of_a_2013_project(browser, live_server, demo, shots):
    project = Project.objects.get(code="QC-2013-059")
    assert project.status == Project.Status.APPROVED
    change_url = f"{live_server.url}/admin/projects/project/{project.pk}/change/"

    # The association signs the drafted agreement through the project's sign transition.
    page = login(browser, live_server, "association")
    expect(page.locator("#todo-summary")).to_contain_text("待签订项目协议")
    page.goto(change_url)
    page.click("a.button:text-is('签订项目协议')")
    page.fill("#id_signed_date", "2013-09-28")
    shots(page, "m01-association-sign")
    page.click("input[type=submit][value^=确认]")
    expect(page.locator(".project-status")).to_contain_text("已签约")
    expect(page.locator("#instalments-group")).to_contain_text("首期")
    shots(page, "m02-association-signed")
    page.context.close()

    # Civil affairs records the first instalment and reads the round's money position.
    page = login(browser, live_server, "civil")
    page.goto(change_url)
    page.get_by_role("tab", name="资金").click()  # the project page's 资金 section
    page.click("#instalments-group a.button:text-is('登记拨付')")
    expect(page.locator(".condition-met")).to_be_visible()
    page.fill("#id_released_on", "2013-10-10")
    page.fill("#id_voucher_number", "JCMZ-2013-059-1")
    shots(page, "m03-civil-release")
    page.click("input[type=submit][value^=确认]")
    expect(page.locator(".messagelist")).to_contain_text("已登记")
    expect(page.locator("#instalments-group")).to_contain_text("已拨付")
    shots(page, "m04-civil-released")

    round_2013 = Round.objects.get(year=2013)
    page.goto(f"{live_server.url}/admin/projects/round/{round_2013.pk}/change/")
    expect(page.locator(".money-table")).to_contain_text("1,000,000.00")
    expect(page.locator(".money-table")).to_contain_text("撬动比")
    shots(page, "m05-civil-round-money")
    page.goto(f"{live_server.url}/admin/projects/round/")
    shots(page, "m06-civil-rounds")
    page.context.close()

    project.refresh_from_db()
    assert project.status == Project.Status.CONTRACTED
    assert Agreement.objects.get(project=project, status="signed").signed_date.isoformat() == "2013-09-28"
    first = Instalment.objects.get(project=project, sequence=1)
    assert (first.status, first.voucher_number) == ("released", "JCMZ-2013-059-1")
