"""Implausible values are refused with a Chinese message naming the field; a form posted twice saves once;
a record with a legacy phone number can still be saved.

Issue 9, item 5: dates of year 9999 or 0001 were stored (project period, follow-up, activity, case
intake, consent, social fund received), a birth date in 2999, a consent date after the intake, an
enrolment phone ``abc<script>``; a double-submitted social-fund form created two rows.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects.models import (
    Activity,
    CaseStory,
    Enrollment,
    Evaluation,
    FollowUp,
    FormSubmission,
    Project,
    Round,
    SocialFund,
    SocialWorker,
    Volunteer,
)
from projects.validators import normalize_phone
from tests.casework_factories import case_add_form, case_page_form, enroll, live_project, make_id
from tests.factories import OrganizationFactory, RoundFactory, project_in_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        ("(025) 8456 1234", "025-84561234"),
        ("025-84561234", "025-84561234"),
        ("0511-8456123", "0511-8456123"),
        ("010 6512 3456", "010-65123456"),
    ],
)
def test_phone_numbers_are_normalised(raw, normalised):
    assert normalize_phone(raw) == normalised


@pytest.mark.parametrize("raw", ["abc<script>", "1381234567", "138123456789", "12345678901", "84561234", "1" * 30])
def test_implausible_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError, match="请输入有效的电话号码"):
        normalize_phone(raw)


def field_errors(response) -> dict[str, str]:
    """The admin form's errors by field label, as the page shows them."""
    errors = {}
    for form in [response.context["adminform"].form]:
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            errors[str(label)] = " ".join(messages)
    return errors


@pytest.mark.parametrize(
    ("overrides", "label", "message"),
    [
        ({"intake_date": "9999-12-31", "consent_on": "2014-05-12"}, "接案日期", "日期不能晚于今天"),
        (
            {"intake_date": "0001-01-01", "consent_on": "0001-01-01"},
            "接案日期",
            "日期应在2013年1月1日至2016年12月31日之间",
        ),
        ({"consent_on": "2014-06-01"}, "同意处理个人信息日期", "同意日期不能晚于接案日期"),
        ({"date_of_birth": "2999-01-01"}, "出生日期", "出生日期应在1900年1月1日至今天之间"),
        ({"date_of_birth": "1899-12-31"}, "出生日期", "出生日期应在1900年1月1日至今天之间"),
        ({"phone": "abc<script>"}, "联系电话", "请输入有效的电话号码"),
        ({"phone": "1" * 30}, "联系电话", "请输入有效的电话号码"),
        ({"household_size": "99999999999999999999"}, "家庭人口", "家庭人口不能超过30人"),
        ({"household_size": "0"}, "家庭人口", "家庭人口至少为1人"),
    ],
)
def test_case_form_refuses_implausible_values_naming_the_field(client, cast, unit_org, overrides, label, message):
    project = live_project(unit_org)
    client.force_login(cast["unit"])
    response = client.post(reverse("admin:projects_enrollment_add"), case_add_form(project, **overrides))
    assert response.status_code == 200
    errors = field_errors(response)
    assert message in errors.get(label, ""), errors
    assert not Enrollment.objects.exists()


def test_phone_is_stored_normalised(client, cast, unit_org):
    project = live_project(unit_org)
    client.force_login(cast["unit"])
    response = client.post(reverse("admin:projects_enrollment_add"), case_add_form(project, phone="+86 139 0000 1111"))
    assert response.status_code == 302
    assert Enrollment.objects.get().phone == "13900001111"


def test_follow_up_and_activity_dates_must_be_plausible(client, cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    client.force_login(cast["unit"])
    base = case_page_form(
        case,
        follow_ups=1,
        **{"follow_ups-0-method": "visit", "follow_ups-0-risk_level": "low", "follow_ups-0-note": "探访"},
    )
    url = reverse("admin:projects_enrollment_change", args=[case.pk])
    for date, message in [
        ("9999-01-01", "日期不能晚于今天"),
        ("2001-01-01", "日期应在2013年1月1日至2016年12月31日之间"),
        ("2014-05-01", "跟踪日期不能早于接案日期"),
    ]:
        response = client.post(url, {**base, "follow_ups-0-date": date})
        assert response.status_code == 200 and message in response.content.decode(), date
    assert not FollowUp.objects.exists()

    activity = {
        "project": case.project.pk,
        "type": "group",
        "title": "小组",
        "participants": "8",
        "staff-TOTAL_FORMS": "0",
        "staff-INITIAL_FORMS": "0",
        "volunteers-TOTAL_FORMS": "0",
        "volunteers-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    for date in ["9999-12-31", "0001-01-01"]:
        response = client.post(reverse("admin:projects_activity_add"), {**activity, "date": date})
        assert response.status_code == 200 and "日期" in field_errors(response), date
    response = client.post(
        reverse("admin:projects_activity_add"), {**activity, "date": "2014-06-01", "participants": "99999999"}
    )
    assert response.status_code == 200 and "参与人数不能超过10000人" in response.content.decode()
    assert not Activity.objects.exists()


def test_project_period_and_social_fund_dates_must_be_plausible(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status="open")
    project = project_in_state(Project.Status.CONTRACTED, round=round_, implementing_unit=unit_org)
    project.start_date = datetime.date(9999, 1, 1)
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert "start_date" in refused.value.message_dict
    donor = OrganizationFactory(type="enterprise")
    client.force_login(cast["unit"])
    data = {"project": project.pk, "donor": donor.pk, "kind": "cash", "amount": "5000"}
    for date in ["9999-12-31", "0001-01-01", "2030-01-01"]:
        response = client.post(reverse("admin:projects_socialfund_add"), {**data, "received_on": date})
        assert response.status_code == 200 and "到位日期" in field_errors(response), date
    assert not SocialFund.objects.exists()


def test_the_database_refuses_dates_far_outside_any_round(cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    for field, value in [("intake_date", datetime.date(9999, 12, 31)), ("date_of_birth", datetime.date(1, 1, 1))]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrollment.objects.filter(pk=case.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(enrollment=case, date=datetime.date(9999, 1, 1), note="x")


def submission_token(page: str) -> str:
    return re.search(r'name="_submission" value="([^"]+)"', page).group(1)


def test_a_form_posted_twice_saves_once(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status="open")
    project = project_in_state(Project.Status.CONTRACTED, round=round_, implementing_unit=unit_org)
    donor = OrganizationFactory(type="enterprise")
    client.force_login(cast["unit"])
    add = reverse("admin:projects_socialfund_add")
    token = submission_token(client.get(add).content.decode())
    data = {
        "project": project.pk,
        "donor": donor.pk,
        "kind": "cash",
        "amount": "5000",
        "received_on": "2014-04-01",
        "_submission": token,
    }
    first = client.post(add, data)
    second = client.post(add, data, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert SocialFund.objects.count() == 1
    assert "本次重复提交未再保存" in second.content.decode()
    assert FormSubmission.objects.get().object_id == str(SocialFund.objects.get().pk)
    # A new form (a new token) records a second, real contribution.
    token = submission_token(client.get(add).content.decode())
    assert client.post(add, {**data, "_submission": token}).status_code == 302
    assert SocialFund.objects.count() == 2


def test_an_invalid_post_does_not_use_up_its_token(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status="open")
    project = project_in_state(Project.Status.CONTRACTED, round=round_, implementing_unit=unit_org)
    donor = OrganizationFactory(type="enterprise")
    client.force_login(cast["unit"])
    add = reverse("admin:projects_socialfund_add")
    token = submission_token(client.get(add).content.decode())
    data = {"project": project.pk, "donor": donor.pk, "kind": "cash", "received_on": "2014-04-01", "_submission": token}
    assert client.post(add, {**data, "amount": "0"}).status_code == 200
    assert client.post(add, {**data, "amount": "100"}).status_code == 302
    assert SocialFund.objects.count() == 1


def test_a_follow_up_posted_twice_is_recorded_once(client, cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"], id_number=make_id())
    client.force_login(cast["unit"])
    url = reverse("admin:projects_enrollment_change", args=[case.pk])
    token = submission_token(client.get(url).content.decode())
    data = case_page_form(
        case,
        follow_ups=1,
        _submission=token,
        **{
            "follow_ups-0-date": "2014-06-01",
            "follow_ups-0-method": "visit",
            "follow_ups-0-risk_level": "low",
            "follow_ups-0-note": "入户探访",
        },
    )
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert FollowUp.objects.count() == 1


def test_a_refusal_only_the_service_sees_shows_on_the_form_with_the_input_kept(client, cast, unit_org, monkeypatch):
    """Two people opening the same case at once: the loser's form says why, and keeps what was typed."""
    from projects.admin import cases as casework
    from projects.services import WorkflowError

    def refuse(**kwargs):
        raise WorkflowError("该服务对象已在本项目建档，或个案正由他人同时建档，请刷新后查看。")

    monkeypatch.setattr(casework, "enrollment_open", refuse)
    project = live_project(unit_org)
    client.force_login(cast["unit"])
    response = client.post(reverse("admin:projects_enrollment_add"), case_add_form(project, name="孙建国"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "个案正由他人同时建档" in body and 'value="孙建国"' in body
    assert not Enrollment.objects.exists()


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
