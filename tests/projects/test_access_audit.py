"""The access log in the audit trail: sign-ins, failed sign-ins, lock-outs, refusals, downloads and reads of case
files (one row per user, case and day), who reads it, and the unusual-reading list (异常查阅)."""

import datetime
import io
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects import permissions
from projects.access_log import unusual_reading
from projects.audit import AuditAction as A
from projects.audit import log_case_read
from projects.models import AuditEntry, Enrollment, FollowUp, Round
from projects.states import EnrollmentStatus
from tests.casework_factories import enroll, live_project
from tests.factories import UserFactory, project_in_state
from tests.helpers import count_queries, export

pytestmark = pytest.mark.django_db
ROLES = ["civil", "committee", "association", "unit", "evaluator"]


def rows(action, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("pk"))


def case_url(case):
    return reverse("admin:projects_enrollment_change", args=[case.pk])


@pytest.fixture
def cases(cast, unit_org, unit2_org):
    """Two cases of the unit's running project, one of the other unit's."""
    project = live_project(unit_org)
    other = live_project(unit2_org, round=project.round)
    return {
        "mine": enroll(project, cast["unit"], name="王秀英"),
        "mine2": enroll(project, cast["unit"], name="李建华"),
        "theirs": enroll(other, cast["unit2"], name="赵德明"),
    }


def on_day(day: datetime.date):
    """Pretend today is ``day`` (local), for the once-a-day rows."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


# -- sign-ins ----------------------------------------------------------------------------------------------


def test_a_login_writes_one_row_with_the_address(client):
    user = UserFactory(username="unitlogin")
    response = client.post(reverse("admin:login"), {"username": "unitlogin", "password": "pw"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    [entry] = rows(A.LOGIN)
    assert entry.actor == user and entry.data["ip"] == "10.1.2.3"


def test_a_failed_login_writes_the_typed_name_and_never_the_password(client):
    user = UserFactory(username="civil")
    client.post(reverse("admin:login"), {"username": "civil", "password": "Secret-guess-1"})
    client.post(reverse("admin:login"), {"username": "nobody-such", "password": "Secret-guess-2"})
    known, unknown = rows(A.LOGIN_FAILED)
    assert known.actor == user and known.data["username"] == "civil"
    assert unknown.actor is None and unknown.data["username"] == "nobody-such"
    stored = " ".join(str(e.data) for e in AuditEntry.objects.all())
    assert "Secret-guess" not in stored
    assert not rows(A.LOGIN)


def test_a_lock_out_writes_one_row_and_attempts_while_locked_write_nothing_more(client, settings):
    user = UserFactory(username="civil")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "civil", "password": "wrong"})
    [lockout] = rows(A.LOCKOUT)
    assert lockout.actor == user and lockout.data["username"] == "civil"
    assert len(rows(A.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT
    for _ in range(5):  # hammering the locked account
        assert client.post(url, {"username": "civil", "password": "wrong"}).status_code == 429
    assert len(rows(A.LOCKOUT)) == 1 and len(rows(A.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT


# -- refusals ----------------------------------------------------------------------------------------------


def test_a_403_for_a_signed_in_unit_writes_one_row_per_minute_without_the_query(client, cast):
    client.force_login(cast["unit"])
    url = reverse("admin:projects_auditentry_unusual_reading")
    assert client.get(url + "?since=2026-01-01").status_code == 403
    assert client.get(url).status_code == 403  # a refresh within the minute
    [entry] = rows(A.ACCESS_REFUSED)
    assert entry.actor == cast["unit"] and entry.data == {"path": url, "status": 403}
    later = timezone.now() + datetime.timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(url).status_code == 403
    assert len(rows(A.ACCESS_REFUSED)) == 2


def test_an_anonymous_403_writes_nothing(client):
    client.get(reverse("portal:projects_export"))
    assert not AuditEntry.objects.exists()


def test_a_unit_cannot_open_another_unit_s_case_and_the_attempt_is_a_refusal(client, cast, cases):
    client.force_login(cast["unit"])
    theirs = cases["theirs"]
    assert client.get(case_url(theirs)).status_code == 404
    follow_up = FollowUp.objects.create(enrollment=theirs, date=datetime.date(2014, 6, 1), method="visit")
    assert client.get(reverse("admin:projects_followup_change", args=[follow_up.pk])).status_code == 404
    assert not rows(A.CASE_READ)
    assert [e.data["path"] for e in rows(A.ACCESS_REFUSED)] == [
        case_url(theirs),
        reverse("admin:projects_followup_change", args=[follow_up.pk]),
    ]
    # A record that does not exist is a plain 404, not a refusal.
    assert client.get(reverse("admin:projects_enrollment_change", args=[999999])).status_code == 404
    assert len(rows(A.ACCESS_REFUSED)) == 2


# -- reads of case files -----------------------------------------------------------------------------------


def test_a_case_opened_three_times_a_day_is_one_row_and_another_the_next_day(client, cast, cases):
    client.force_login(cast["unit"])
    case = cases["mine"]
    monday, tuesday = datetime.date(2026, 11, 23), datetime.date(2026, 11, 24)
    with on_day(monday):
        for _ in range(3):
            assert client.get(case_url(case)).status_code == 200
    with on_day(tuesday):
        assert client.get(case_url(case)).status_code == 200
    reads = rows(A.CASE_READ)
    assert [(e.actor, e.object_id, e.day, e.project_id) for e in reads] == [
        (cast["unit"], str(case.pk), monday, case.project_id),
        (cast["unit"], str(case.pk), tuesday, case.project_id),
    ]
    assert reads[0].object_repr == str(case)


def test_the_second_read_of_the_day_costs_one_insert_and_nothing_else(cast, cases):
    log_case_read(user=cast["unit"], enrollment=cases["mine"])
    with CaptureQueriesContext(connection) as queries:
        log_case_read(user=cast["unit"], enrollment=cases["mine"])
    assert len(queries) == 1 and queries[0]["sql"].upper().startswith("INSERT")
    assert len(rows(A.CASE_READ)) == 1


def test_the_database_refuses_a_second_read_row_of_the_day(cast, cases):
    case = cases["mine"]
    log_case_read(user=cast["unit"], enrollment=case)
    first = rows(A.CASE_READ)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(
            action=A.CASE_READ,
            actor=cast["unit"],
            content_type=first.content_type,
            object_id=first.object_id,
            day=first.day,
        )


def test_a_follow_up_page_is_a_read_of_its_case(client, cast, cases):
    case = cases["mine"]
    follow_up = FollowUp.objects.create(enrollment=case, date=datetime.date(2014, 6, 1), method="visit")
    client.force_login(cast["unit"])
    assert client.get(reverse("admin:projects_followup_change", args=[follow_up.pk])).status_code == 200
    [read] = rows(A.CASE_READ)
    assert read.object_id == str(case.pk) and read.content_type.model == "enrollment"
    # The case's own page the same day (needs and follow-ups are on it) adds nothing.
    assert client.get(case_url(case)).status_code == 200
    assert len(rows(A.CASE_READ)) == 1


def test_the_case_list_is_not_a_read_of_each_case(client, cast, cases):
    client.force_login(cast["unit"])
    assert client.get(reverse("admin:projects_enrollment_changelist")).status_code == 200
    assert not rows(A.CASE_READ)


# -- downloads ---------------------------------------------------------------------------------------------


def test_an_admin_list_export_writes_one_row_with_the_count_and_filters(client, cast, cases):
    client.force_login(cast["unit"])
    response = export(client, "projects.enrollment", file_format="csv", query="status__exact=open")
    assert response.content.decode("utf-8-sig").count("\r\n") == 3  # header and two cases
    [entry] = rows(A.EXPORT)
    assert entry.actor == cast["unit"] and entry.data["records"] == 2
    assert entry.data["filters"] == "status__exact=open"
    assert entry.object_repr.endswith(".csv") and "个案" in entry.object_repr
    export(client, "projects.enrollment", file_format="xlsx")
    assert rows(A.EXPORT)[-1].data["records"] == 2 and rows(A.EXPORT)[-1].object_repr.endswith(".xlsx")
    # The export page (the column chooser) is not a download.
    assert len(rows(A.EXPORT)) == 2


def test_the_portal_s_project_export_writes_one_row(client, cast, unit_org):
    project_in_state("in_progress", implementing_unit=unit_org)
    client.force_login(cast["civil"])
    response = client.get(reverse("portal:projects_export") + "?format=csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [entry] = rows(A.EXPORT)
    assert entry.actor == cast["civil"] and entry.data["records"] == 1


def test_the_round_s_sheets_and_import_templates_write_one_row_each(client, cast, unit_org):
    project = project_in_state("in_progress", implementing_unit=unit_org)
    client.force_login(cast["civil"])
    downloads = [
        reverse("admin:projects_round_money_export", args=[project.round_id]),
        reverse("admin:awards_awardrecord_award_list", args=[project.round_id]),
        reverse("admin:projects_importjob_template", args=["projects"]),
    ]
    for url in downloads:
        assert client.get(url).status_code == 200, url
    money, awards, template = rows(A.EXPORT)
    assert money.data["records"] == 1 and "资金状况" in money.object_repr
    assert awards.data["records"] == 0 and "表彰名单" in awards.object_repr
    assert template.data["path"] == downloads[2] and "records" not in template.data


def test_the_audit_list_s_export_holds_the_new_rows(client, cast, cases):
    client.force_login(cast["unit"])
    client.get(case_url(cases["mine"]))
    client.force_login(cast["civil"])
    body = export(client, "projects.auditentry", file_format="csv").content.decode("utf-8-sig")
    assert "查阅个案" in body and str(cases["mine"]) in body and "登录" in body


# -- who reads the access log ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_access_log(client, cast, cases, role):
    client.force_login(cast["unit"])
    client.get(case_url(cases["mine"]))
    client.post(reverse("admin:login"), {"username": "unit", "password": "wrong"})
    user = cast[role]
    visible = set(AuditEntry.objects.visible_to(user).values_list("action", flat=True))
    may = role in {"civil", "committee"}
    assert permissions.can_read_access_log(user) is may
    assert (A.CASE_READ in visible) is may and (A.LOGIN_FAILED in visible) is may
    client.force_login(user)
    list_page = client.get(reverse("admin:projects_auditentry_changelist") + "?action__exact=access.case_read")
    alert_page = client.get(reverse("admin:projects_auditentry_unusual_reading"))
    assert alert_page.status_code == (200 if may else 403)
    if may:
        assert str(cases["mine"]) in list_page.content.decode()
        assert reverse("admin:projects_auditentry_unusual_reading") in list_page.content.decode()
    elif list_page.status_code == 200:
        assert str(cases["mine"]) not in list_page.content.decode()


def test_the_audit_list_filters_by_actor_date_range_and_round_and_searches_user_names(client, cast, cases):
    monday, tuesday = datetime.date(2026, 11, 23), datetime.date(2026, 11, 24)
    with on_day(monday):
        log_case_read(user=cast["unit"], enrollment=cases["mine"])
    with on_day(tuesday):
        log_case_read(user=cast["unit2"], enrollment=cases["theirs"])
    AuditEntry.objects.filter(day=monday).update(at=timezone.make_aware(datetime.datetime(2026, 11, 23, 9)))
    AuditEntry.objects.filter(day=tuesday).update(at=timezone.make_aware(datetime.datetime(2026, 11, 24, 9)))
    client.force_login(cast["civil"])
    url = reverse("admin:projects_auditentry_changelist")

    def listed(query):
        response = client.get(f"{url}?action__exact=access.case_read&{query}")
        assert response.status_code == 200, query
        page = response.content.decode()
        return {name for name in (str(cases["mine"]), str(cases["theirs"])) if name in page}

    assert listed(f"actor={cast['unit'].pk}") == {str(cases["mine"])}
    assert listed("since=2026-11-24&until=2026-11-24") == {str(cases["theirs"])}
    assert listed("since=2026-11-23&until=2026-11-23") == {str(cases["mine"])}
    assert listed("q=unit2") == {str(cases["theirs"])}
    assert listed(f"project__round__id__exact={cases['mine'].project.round_id}") == {
        str(cases["mine"]),
        str(cases["theirs"]),
    }
    assert listed("since=not-a-date") == {str(cases["mine"]), str(cases["theirs"])}
    assert listed("actor=abc") == set()


# -- the unusual-reading list ------------------------------------------------------------------------------


def read_many(user, project, n: int, day: datetime.date, *, start: int = 0):
    """``user`` opens ``n`` distinct cases of ``project`` on ``day`` (enrolled here, outside the log)."""
    keeper = project.implementing_unit.memberships.first().user
    with on_day(day):
        for i in range(n):
            case = enroll(project, keeper, name=f"测试{start + i}")
            log_case_read(user=user, enrollment=case)


def test_the_alert_list_flags_a_user_over_the_threshold_and_not_one_under(client, cast, unit_org, unit2_org, settings):
    settings.QICAI_UNUSUAL_READS_MIN = 5
    settings.QICAI_UNUSUAL_READS_RATIO = 2
    day = timezone.localdate()
    project = live_project(unit_org)
    other = live_project(unit2_org, round=project.round)
    read_many(cast["unit"], project, 6, day)  # its own 6 open cases: 6 ≤ 2 × 6
    read_many(cast["unit2"], other, 7, day, start=100)
    # unit2 closed 5 of its 7: 2 open, and 7 reads > 2 × 2.
    closing = list(Enrollment.objects.filter(project=other).values_list("pk", flat=True)[:5])
    Enrollment.objects.filter(pk__in=closing).update(
        status=EnrollmentStatus.CLOSED, closed_on=datetime.date(2014, 6, 1), closing_summary="目标达成"
    )
    read_many(cast["civil"], project, 4, day, start=200)  # under the minimum whatever the baseline
    evaluator = cast["evaluator"]  # assigned to nothing: a caseload of 0
    with on_day(day):
        for case in Enrollment.objects.filter(project=project)[:5]:
            log_case_read(user=evaluator, enrollment=case)
    flagged = {(d.user.username, d.reads, d.caseload) for d in unusual_reading(day, day)}
    assert flagged == {("unit2", 7, 2), ("evaluator", 5, 0)}
    listed = unusual_reading(day, day, flagged_only=False)
    everyone = {(d.user.username, d.reads, d.caseload, d.flagged) for d in listed}
    assert everyone == {
        ("unit", 6, 10, False),  # the civil reader's 4 enrolments are the unit's open cases too
        ("unit2", 7, 2, True),
        ("civil", 4, 6, False),  # programme staff: an average unit's open cases, (10 + 2) / 2
        ("evaluator", 5, 0, True),
    }
    client.force_login(cast["committee"])
    page = client.get(reverse("admin:projects_auditentry_unusual_reading")).content.decode()
    assert f"actor={cast['unit2'].pk}" in page and f"since={day.isoformat()}" in page
    assert f"actor={cast['unit'].pk}" not in page and f"actor={cast['civil'].pk}" not in page
    audit = client.get(
        reverse("admin:projects_auditentry_changelist")
        + f"?action__exact=access.case_read&actor={cast['unit2'].pk}&since={day}&until={day}"
    )
    assert audit.status_code == 200
    body = audit.content.decode()
    assert body.count('class="field-action_label"') == 7


def test_the_alert_list_downloads_and_logs_the_download(client, cast, unit_org, settings):
    settings.QICAI_UNUSUAL_READS_MIN = 3
    day = timezone.localdate()
    stranger = UserFactory(username="evaluator2", role="评估专家")
    read_many(stranger, live_project(unit_org), 4, day)
    client.force_login(cast["civil"])
    response = client.get(reverse("admin:projects_auditentry_unusual_reading") + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(values_only=False)]
    assert values[0][:5] == ["日期", "用户", "用户名", "所属组织", "查阅个案数"]
    assert values[1][2] == "evaluator2" and values[1][4] == 4
    [entry] = rows(A.EXPORT)
    assert entry.data["records"] == 1 and "异常查阅" in entry.object_repr


def test_the_alert_list_s_queries_do_not_grow_with_its_rows(client, cast, unit_org, unit2_org, settings):
    settings.QICAI_UNUSUAL_READS_MIN = 1
    settings.QICAI_UNUSUAL_READS_RATIO = 0
    day = timezone.localdate()
    project = live_project(unit_org)
    other = live_project(unit2_org, round=project.round)
    client.force_login(cast["civil"])
    url = reverse("admin:projects_auditentry_unusual_reading") + "?all=1"
    read_many(cast["unit"], project, 2, day)
    small = count_queries(lambda: client.get(url))
    for n, user in enumerate([cast["unit2"], cast["committee"], UserFactory(username="e3", role="评估专家")]):
        read_many(user, other, 3, day, start=100 * (n + 1))
        read_many(user, other, 2, day - datetime.timedelta(days=1), start=100 * (n + 1) + 50)
    assert len(unusual_reading(day - datetime.timedelta(days=6), day, flagged_only=False)) == 7
    assert count_queries(lambda: client.get(url)) == small
    # The reads by user and day, the users, their roles, the units' and the evaluators' open cases.
    week = (day - datetime.timedelta(days=6), day)
    assert count_queries(lambda: unusual_reading(*week, flagged_only=False)) == 5
    settings.QICAI_UNUSUAL_READS_MIN = 100
    assert count_queries(lambda: unusual_reading(*week)) == 1  # no day reaches the minimum


def test_the_alert_list_takes_bad_dates_with_a_message(client, cast):
    client.force_login(cast["civil"])
    url = reverse("admin:projects_auditentry_unusual_reading")
    page = client.get(url + "?since=2026-13-45&until=x").content.decode()
    assert "无法识别" in page
    page = client.get(url + "?since=2026-11-27&until=2026-11-01").content.decode()
    assert "已对调" in page
    assert client.post(url).status_code == 405


def test_the_to_do_links_the_alert_list_for_those_allowed_when_a_day_is_flagged(client, cast, unit_org, settings):
    settings.QICAI_UNUSUAL_READS_MIN = 3
    alert = reverse("admin:projects_auditentry_unusual_reading")
    client.force_login(cast["civil"])
    assert alert not in client.get(reverse("admin:index")).content.decode()  # nothing flagged: no to-do
    read_many(cast["evaluator"], live_project(unit_org), 4, timezone.localdate())
    for role, shown in [("civil", True), ("committee", True), ("association", False), ("unit", False)]:
        client.force_login(cast[role])
        page = client.get(reverse("admin:index")).content.decode()
        assert (alert in page) is shown, role


def test_round_filter_lists_rounds_of_reads(cast, cases):
    log_case_read(user=cast["unit"], enrollment=cases["mine"])
    assert AuditEntry.objects.filter(action=A.CASE_READ, project__round__in=Round.objects.all()).count() == 1


def test_a_typed_name_with_control_characters_is_kept_without_them(rf):
    from projects.access_log import on_login_failed

    on_login_failed(None, {"username": "ci\x00vil\n", "password": "x"}, request=rf.post("/admin/login/"))
    [entry] = rows(A.LOGIN_FAILED)
    assert entry.data["username"] == "civil"


def test_reads_of_a_project_s_cases_stay_off_its_timeline(cast, cases):
    """The project page's 流转与操作记录 tells what happened to the project, not who looked at its cases."""
    case = cases["mine"]
    log_case_read(user=cast["civil"], enrollment=case)
    assert AuditEntry.objects.filter(project=case.project, action=A.CASE_READ).exists()
    timeline = AuditEntry.objects.visible_to(cast["civil"]).timeline_of(case.project)
    assert timeline.exists()  # the case's own opening is there
    assert not timeline.filter(action=A.CASE_READ).exists()
