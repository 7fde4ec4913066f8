"""Casework in the admin: masking in lists, pages and exports; logged reveals; POST lookup, logged and limited;
enrolment by form; identity corrections that are no oracle; no ID or mobile numbers in free text; what a second
unit sees; page titles without names; activities keeping closed cases; flat query counts."""

import datetime
import re

import pytest
from django.urls import reverse

from projects.models import Activity, AuditEntry, Beneficiary, Enrollment
from projects.services import WorkflowError, enrollment_close
from tests.casework_factories import case_add_form, case_page_form, enroll, live_project, make_id
from tests.helpers import export, grow_cases, measure

pytestmark = pytest.mark.django_db
FULL_ID = make_id()
MASKED_ID = FULL_ID[:6] + "*" * 12


@pytest.fixture
def served(cast, unit_org):
    project = live_project(unit_org)
    return enroll(project, cast["unit"], name="王秀英", id_number=FULL_ID, phone="13812345678")


@pytest.mark.parametrize("role", ["unit", "civil", "committee"])
def test_lists_and_pages_are_masked(client, cast, served, role):
    client.force_login(cast[role])
    urls = [
        reverse("admin:projects_enrollment_change", args=[served.pk]),
        reverse("admin:projects_enrollment_changelist"),
    ]
    if role != "unit":
        urls += [
            reverse("admin:projects_beneficiary_changelist"),
            reverse("admin:projects_beneficiary_change", args=[served.beneficiary.pk]),
        ]
    for url in urls:
        body = client.get(url).content.decode()
        assert FULL_ID not in body and "13812345678" not in body and "1958-03-17" not in body, url
        assert "1958年3月17日" not in body and "March 17, 1958" not in body, url
    body = client.get(reverse("admin:projects_enrollment_changelist")).content.decode()
    assert MASKED_ID in body and "1958年" in body and FULL_ID[-4:] not in body
    body = client.get(reverse("admin:projects_enrollment_change", args=[served.pk])).content.decode()
    assert "138****5678" in body


def test_the_person_key_is_for_programme_staff_only(client, cast, served):
    # Who may not open person keys at all gets 403, whether or not the key exists.
    for role in ["unit", "unit2", "evaluator", "association"]:
        client.force_login(cast[role])
        assert client.get(reverse("admin:projects_beneficiary_changelist")).status_code == 403, role
        response = client.get(reverse("admin:projects_beneficiary_change", args=[served.beneficiary.pk]))
        missing = client.get(reverse("admin:projects_beneficiary_change", args=[served.beneficiary.pk + 999]))
        assert response.status_code == missing.status_code == 403, role
        page = client.get(reverse("admin:projects_enrollment_changelist")).content.decode()
        assert served.beneficiary.code not in page, role
    client.force_login(cast["civil"])
    page = client.get(reverse("admin:projects_beneficiary_change", args=[served.beneficiary.pk])).content.decode()
    assert served.code in page and MASKED_ID in page
    assert served.beneficiary.code in client.get(reverse("admin:projects_enrollment_changelist")).content.decode()


def test_page_titles_carry_case_numbers_not_names(client, cast, served):
    client.force_login(cast["unit"])
    title = re.search(
        r"<title>(.*?)</title>",
        client.get(reverse("admin:projects_enrollment_change", args=[served.pk])).content.decode(),
        re.S,
    ).group(1)
    assert "王秀英" not in title and served.code in title


def test_exports_are_masked_unless_the_user_may_see_full_values(client, cast, served):
    client.force_login(cast["civil"])
    body = export(client, "projects.enrollment").content.decode("utf-8-sig")
    assert MASKED_ID in body and FULL_ID not in body and "王秀英" in body and "1958年" in body
    assert "1958-03-17" not in body and "13812345678" not in body
    assert not AuditEntry.objects.filter(action__startswith="personal_data.").exists()
    client.force_login(cast["unit"])
    body = export(client, "projects.enrollment").content.decode("utf-8-sig")
    assert FULL_ID in body and "1958-03-17" in body and "13812345678" in body
    log = AuditEntry.objects.get(action__startswith="personal_data.")
    assert (log.actor, log.action, log.data["records"]) == (cast["unit"], "personal_data.export", 1)


def test_reveal_through_the_admin(client, cast, served):
    url = reverse("admin:projects_enrollment_reveal", args=[served.pk, "id_number"])
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_enrollment_change", args=[served.pk])).content.decode()
    assert url in page
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and FULL_ID in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert (
        AuditEntry.objects.filter(actor=cast["unit"], action="personal_data.reveal", object_repr=served.code).count()
        == 1
    )
    assert client.post(reverse("admin:projects_enrollment_reveal", args=[served.pk, "name"])).status_code == 404
    client.force_login(cast["civil"])
    assert url not in client.get(reverse("admin:projects_enrollment_change", args=[served.pk])).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(cast["unit2"])
    assert client.post(url).status_code == 404
    assert AuditEntry.objects.filter(action__startswith="personal_data.").count() == 1


def test_lookup_by_post_within_scope(client, cast, served, unit2_org):
    lookup = reverse("admin:projects_enrollment_lookup")
    client.force_login(cast["unit"])
    assert client.get(lookup + "?q=王秀英").status_code == 405
    for term in ["王秀英", FULL_ID, "320105580317123"]:
        body = client.post(lookup, {"q": term}).content.decode()
        assert served.code in body and FULL_ID not in body, term
    body = client.post(lookup, {"q": "32010519580317123A"}).content.decode()
    assert "身份证号" in body
    client.force_login(cast["unit2"])
    for term in ["王秀英", FULL_ID]:
        assert served.code not in client.post(lookup, {"q": term}).content.decode()


def test_enrolment_through_the_admin_links_the_same_id(client, cast, served, unit_org, unit2_org):
    other = live_project(unit2_org, round=served.project.round)
    client.force_login(cast["unit2"])
    add = reverse("admin:projects_enrollment_add")
    page = client.get(add).content.decode()
    assert other.code in page and served.project.code not in page  # only its own live projects
    response = client.post(add, case_add_form(other, name="王秀英", gender="", id_number=FULL_ID.lower()))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Beneficiary.objects.count() == 1 and Enrollment.objects.count() == 2
    mine = Enrollment.objects.get(project=other)
    assert (mine.gender, mine.date_of_birth.isoformat(), mine.phone) == ("male", "1958-03-17", "")
    response = client.post(add, case_add_form(other, name="王秀英", id_number=FULL_ID))
    assert response.status_code == 200 and "已在本项目建档" in response.content.decode()
    response = client.post(add, case_add_form(other, id_number=FULL_ID[:17] + "5", consent_on=""))
    body = response.content.decode()
    assert response.status_code == 200 and "这个字段是必填项" in body
    assert Enrollment.objects.count() == 2


def test_second_unit_sees_only_its_own_case_of_a_shared_person(client, cast, served, unit2_org):
    mine = enroll(live_project(unit2_org), cast["unit2"], name="王秀英", id_number=FULL_ID)
    Enrollment.objects.filter(pk=served.pk).update(family_situation="第一单位的家庭记录")
    client.force_login(cast["unit2"])
    page = client.get(reverse("admin:projects_enrollment_change", args=[mine.pk])).content.decode()
    assert mine.code in page and served.project.code not in page and "138****5678" not in page
    assert client.get(reverse("admin:projects_enrollment_change", args=[served.pk])).status_code == 404
    listing = client.get(reverse("admin:projects_enrollment_changelist")).content.decode()
    assert "第一单位的家庭记录" not in listing and served.project.code not in listing


def test_identity_corrections_on_the_case_page(client, cast, served):
    other = enroll(served.project, cast["unit"], name="乙", id_number=make_id(serial="222"))
    client.force_login(cast["unit"])
    url = reverse("admin:projects_enrollment_change", args=[other.pk])
    data = case_page_form(other)
    response = client.post(url, {**data, "new_id_number": FULL_ID})
    assert response.status_code == 200 and "本项目的另一个案" in response.content.decode()
    response = client.post(url, {**data, "new_phone": "abc<script>"})
    assert response.status_code == 200 and "请输入有效的电话号码" in response.content.decode()
    response = client.post(url, {**data, "new_id_number": make_id(serial="444"), "new_phone": "+86 139-0000-1111"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    other.refresh_from_db()
    assert other.beneficiary.id_number == make_id(serial="444") and other.phone == "13900001111"
    assert other.gender == "female"


def test_follow_up_timeline_and_activity_with_hours(client, cast, served):
    from projects.models import SocialWorker, Volunteer

    worker = SocialWorker.objects.create(name="社工甲", employer=served.project.implementing_unit)
    volunteer = Volunteer.objects.create(
        name="义工乙", organization=served.project.implementing_unit, registered_on="2014-01-01"
    )
    client.force_login(cast["unit"])
    change = reverse("admin:projects_enrollment_change", args=[served.pk])
    data = case_page_form(
        served,
        needs=1,
        follow_ups=1,
        **{
            "needs-0-need": "psychological",
            "needs-0-severity": "2",
            "follow_ups-0-date": "2014-06-01",
            "follow_ups-0-method": "visit",
            "follow_ups-0-social_worker": worker.pk,
            "follow_ups-0-risk_level": "medium",
            "follow_ups-0-note": "入户探访，情绪低落，约定下周小组活动。",
        },
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    page = client.get(change).content.decode()
    assert "入户探访，情绪低落" in page and "timeline" in page
    assert served.follow_ups.get().recorded_by == cast["unit"]

    add = reverse("admin:projects_activity_add")
    response = client.post(
        add,
        {
            "project": served.project.pk,
            "type": "group",
            "title": "同伴支持小组",
            "date": "2014-06-08",
            "participants": "8",
            "attendees": [served.pk],
            "staff-TOTAL_FORMS": "1",
            "staff-INITIAL_FORMS": "0",
            "staff-0-social_worker": worker.pk,
            "staff-0-hours": "3",
            "volunteers-TOTAL_FORMS": "1",
            "volunteers-INITIAL_FORMS": "0",
            "volunteers-0-volunteer": volunteer.pk,
            "volunteers-0-hours": "2.5",
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert list(activity.attendees.all()) == [served]
    project_page = client.get(reverse("admin:projects_project_change", args=[served.project.pk])).content.decode()
    assert "实际服务人数（去重）" in project_page and "2.5" in project_page


@pytest.mark.parametrize("role", ["unit", "civil"])
def test_casework_lists_query_count_is_flat(client, cast, unit_org, role):
    project = live_project(unit_org)
    client.force_login(cast[role])
    urls = [
        *([reverse("admin:projects_beneficiary_changelist")] if role == "civil" else []),
        reverse("admin:projects_enrollment_changelist"),
        reverse("admin:projects_activity_changelist"),
        reverse("admin:projects_followup_changelist"),
        reverse("admin:projects_volunteer_changelist"),
    ]
    grow_cases(project, cast["unit"], 3, start=0)
    few = measure(client, urls)
    grow_cases(project, cast["unit"], 30, start=100)
    assert measure(client, urls) == few


def test_the_birth_date_correction_is_no_oracle_for_the_id_number(client, cast, unit_org):
    """With an ID number the birth date is the number's: any typed date gets the same answer."""
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    client.force_login(cast["unit"])
    url = reverse("admin:projects_enrollment_change", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'name="new_date_of_birth"' not in page and 'name="gender"' not in page
    answers = set()
    for typed in ["1958-03-17", "1958-03-18", "1960-01-01"]:
        response = client.post(url, case_page_form(case, new_date_of_birth=typed))
        assert response.status_code == 200
        errors = response.context["adminform"].form.non_field_errors()
        answers.add(" ".join(errors))
    assert len(answers) == 1 and "以身份证号为准" in answers.pop()
    case.refresh_from_db()
    assert case.date_of_birth == datetime.date(1958, 3, 17)


def test_lookups_by_id_number_are_logged_and_limited(client, cast, unit_org, settings):
    settings.QICAI_ID_LOOKUPS_PER_HOUR = 3
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    client.force_login(cast["unit"])
    lookup = reverse("admin:projects_enrollment_lookup")
    for serial in ["123", "125", "127"]:
        client.post(lookup, {"q": make_id(serial=serial)})
    assert AuditEntry.objects.filter(actor=cast["unit"], action="personal_data.lookup").count() == 3
    body = client.post(lookup, {"q": make_id()}).content.decode()
    assert "过于频繁" in body and case.code not in body
    assert case.code in client.post(lookup, {"q": case.name}).content.decode()  # by name: not limited


@pytest.mark.parametrize("field", ["family_situation", "personal_traits", "service_plan"])
def test_free_text_holds_no_id_or_mobile_number(client, cast, unit_org, field):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    client.force_login(cast["unit"])
    url = reverse("admin:projects_enrollment_change", args=[case.pk])
    for text in [f"儿子身份证{make_id(serial='555')}", "女儿电话13912345678，常联系"]:
        response = client.post(url, case_page_form(case, **{field: text}))
        assert response.status_code == 200 and "请勿填写身份证号或手机号" in response.content.decode()
    with pytest.raises(WorkflowError, match="请勿填写身份证号或手机号"):
        enrollment_close(
            enrollment=case, by=cast["unit"], closed_on=datetime.date(2014, 9, 1), summary="转介，联系13912345678"
        )


def test_editing_an_activity_keeps_attendees_whose_cases_have_closed(client, cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    activity = Activity.objects.create(project=case.project, type="group", title="小组", date="2014-06-01")
    activity.attendees.add(case)
    enrollment_close(enrollment=case, by=cast["unit"], closed_on=datetime.date(2014, 7, 1), summary="目标达成")
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_activity_change", args=[activity.pk])).content.decode()
    assert f'value="{case.pk}" selected' in page
    assert Enrollment.objects.get(pk=case.pk).status == "closed"
