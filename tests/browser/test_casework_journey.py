"""Casework in a real browser: the unit enrols a person, assesses needs, adds a follow-up, records a
group activity with volunteers and hours; the project shows target vs actual; the outsider sees none of it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Activity, Enrollment, Project
from tests.browser.test_journey import PASSWORD, login
from tests.casework_factories import make_id

PERSON = "欧阳秀珍"


@pytest.fixture
def demo(transactional_db, settings):
    settings.QICAI_DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unit_keeps_its_casework(browser, live_server, demo, shots):
    project = Project.objects.filter(implementing_unit__name="江城区阳光社会工作服务中心", status="in_progress").first()
    page = login(browser, live_server, "unit")

    # Enrol a person (个案建档) with consent and an intake assessment.
    page.goto(f"{live_server.url}/admin/projects/enrollment/add/")
    page.select_option("#id_project", value=str(project.pk))
    page.fill("#id_name", PERSON)
    page.select_option("#id_gender", label="女")
    page.fill("#id_id_number", make_id("19460805", "226"))
    page.fill("#id_phone", "13912345678")
    page.select_option("#id_special_group", label="独居老人")
    page.fill("#id_intake_date", "2013-11-05")
    page.fill("#id_consent_on", "2013-11-05")
    page.fill("#id_family_situation", "独居，儿子在外地工作，每月来电一次。")
    page.select_option("#id_risk_level", label="中")
    shots(page, "c01-unit-enrol")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_be_visible()
    enrollment = Enrollment.objects.get(name=PERSON)

    # Needs assessment and a follow-up on the case page.
    page.click("#needs-group .add-row a")
    page.select_option("#id_needs-0-need", label="情感关怀")
    page.select_option("#id_needs-0-severity", label="重")
    page.fill("#id_follow_ups-0-date", "2013-11-20")
    page.fill("#id_follow_ups-0-note", "入户探访，老人独自在家，情绪低落；约定参加下周小组。")
    page.select_option("#id_follow_ups-0-risk_level", label="中")
    page.click("input[name=_continue]")
    expect(page.locator(".timeline")).to_contain_text("入户探访")
    expect(page.locator("body")).not_to_contain_text("13912345678")
    shots(page, "c02-unit-case")

    # A group activity with the person attending, a volunteer and hours.
    page.goto(f"{live_server.url}/admin/projects/activity/add/?project={project.pk}")
    page.select_option("#id_project", value=str(project.pk))
    page.select_option("#id_type", label="小组活动")
    page.fill("#id_title", "“银龄互助”小组第一节")
    page.fill("#id_date", "2013-11-27")
    page.fill("#id_participants", "9")
    page.select_option("#id_attendees_from", label=f"{PERSON}（{enrollment}）")
    page.click("#id_attendees_add")
    page.select_option("#id_volunteers-0-volunteer", index=1)
    page.fill("#id_volunteers-0-hours", "3")
    page.select_option("#id_staff-0-social_worker", index=1)
    page.fill("#id_staff-0-hours", "2")
    shots(page, "c03-unit-activity")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    activity = Activity.objects.get(title="“银龄互助”小组第一节")
    assert list(activity.attendees.all()) == [enrollment]

    # The project page shows target vs actual.
    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    expect(page.locator(".field-service_summary")).to_contain_text("实际服务人数（去重）")
    shots(page, "c04-unit-project-stats")
    page.context.close()

    # The outsider sees none of it.
    page = login(browser, live_server, "unit2")
    assert page.goto(f"{live_server.url}/admin/projects/enrollment/{enrollment.pk}/change/").status == 404
    assert page.goto(f"{live_server.url}/admin/projects/activity/{activity.pk}/change/").status == 404
    assert page.goto(f"{live_server.url}/admin/projects/beneficiary/").status == 403  # person keys: staff only
    page.goto(f"{live_server.url}/admin/projects/enrollment/")
    expect(page.locator("#content")).not_to_contain_text(PERSON)
    shots(page, "c05-unit2-sees-none")
    page.context.close()
