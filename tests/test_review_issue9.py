"""Holes a review of issue 9's fixes found, each closed with a test that attacks it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import (
    Activity,
    AuditEntry,
    CaseStory,
    Enrollment,
    Evaluation,
    Round,
    SocialWorker,
    Volunteer,
)
from projects.services import enrollment_close
from tests.casework_factories import case_page_form, enroll, live_project, make_id

pytestmark = pytest.mark.django_db


def test_a_unit_cannot_filter_its_cases_by_person_key(client, cast, unit_org, unit2_org):
    """?beneficiary__lte=… would tell an old person key (known elsewhere) from a new one."""
    enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    mine = live_project(unit2_org)
    known = enroll(mine, cast["unit2"], id_number=make_id())
    enroll(mine, cast["unit2"], id_number=make_id(serial="456"))
    client.force_login(cast["unit2"])
    changelist = reverse("admin:projects_enrollment_changelist")
    for query in [
        f"beneficiary__lte={known.beneficiary_id}",
        f"beneficiary={known.beneficiary_id}",
        f"beneficiary__id__exact={known.beneficiary_id}",
        f"beneficiary__in={known.beneficiary_id}",
        "consent_recorded_by__lt=100",
    ]:
        for url in (changelist, reverse("admin:projects_enrollment_export")):
            response = client.get(f"{url}?{query}")
            assert response.status_code in (302, 400), (url, query, response.status_code)
            assert known.code not in response.content.decode()
    client.force_login(cast["civil"])  # programme staff may
    assert client.get(f"{changelist}?beneficiary={known.beneficiary_id}").status_code == 200


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


def test_a_record_with_a_legacy_phone_number_can_still_be_saved(client, cast, unit_org):
    worker = SocialWorker.objects.create(name="社工甲", employer=unit_org, phone="8456 1234")
    client.force_login(cast["unit"])
    url = reverse("admin:projects_socialworker_change", args=[worker.pk])
    data = {"name": "社工甲", "gender": "unknown", "certification": "none", "is_active": "on"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "new_phone": "8456 1234"})
    assert response.status_code == 200 and "请输入有效的电话号码" in response.content.decode()
    assert client.post(url, {**data, "new_phone": "025-8456 1234"}).status_code == 302
    worker.refresh_from_db()
    assert worker.phone == "025-84561234"


@pytest.mark.parametrize("field", ["family_situation", "personal_traits", "service_plan"])
def test_free_text_holds_no_id_or_mobile_number(client, cast, unit_org, field):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    client.force_login(cast["unit"])
    url = reverse("admin:projects_enrollment_change", args=[case.pk])
    for text in [f"儿子身份证{make_id(serial='555')}", "女儿电话13912345678，常联系"]:
        response = client.post(url, case_page_form(case, **{field: text}))
        assert response.status_code == 200 and "请勿填写身份证号或手机号" in response.content.decode()
    from projects.services import WorkflowError

    with pytest.raises(WorkflowError, match="请勿填写身份证号或手机号"):
        enrollment_close(
            enrollment=case, by=cast["unit"], closed_on=datetime.date(2014, 9, 1), summary="转介，联系13912345678"
        )


def test_every_dated_record_refuses_implausible_dates_on_its_field(cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    project = case.project
    checks = [
        (CaseStory(project=project, title="t", narrative="n", consent_on=datetime.date(2099, 1, 1)), "consent_on"),
        (Volunteer(name="v", organization=unit_org, registered_on=datetime.date(2099, 1, 1)), "registered_on"),
        (Volunteer(name="v", organization=unit_org, registered_on=datetime.date(1, 1, 1)), "registered_on"),
        (Round(year=2015, title="r", budget=1, launch_date=datetime.date(1, 1, 1)), "launch_date"),
        (Round(year=2015, title="r", budget=1, period_end=datetime.date(9999, 12, 31)), "period_end"),
    ]
    for record, field in checks:
        with pytest.raises(ValidationError) as refused:
            record.full_clean()
        assert field in refused.value.message_dict, (record, refused.value.message_dict)
    evaluation = Evaluation(project=project, kind="midterm", due_date=datetime.date(9999, 12, 31))
    with pytest.raises(ValidationError) as refused:
        evaluation.clean()
    assert "due_date" in refused.value.message_dict


def test_editing_an_activity_keeps_attendees_whose_cases_have_closed(client, cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    activity = Activity.objects.create(project=case.project, type="group", title="小组", date="2014-06-01")
    activity.attendees.add(case)
    enrollment_close(enrollment=case, by=cast["unit"], closed_on=datetime.date(2014, 7, 1), summary="目标达成")
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_activity_change", args=[activity.pk])).content.decode()
    assert f'value="{case.pk}" selected' in page
    assert Enrollment.objects.get(pk=case.pk).status == "closed"
