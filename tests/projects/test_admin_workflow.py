"""The workflow in the admin: buttons, confirmation pages, bulk actions, 待办, editing rules, history, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import AuditEntry, Project, Round
from projects.services import project_submit
from tests.factories import RoundFactory, complete_project, project_in_state
from tests.helpers import EMPTY_PROJECT_INLINES, grow_applications, measure

pytestmark = pytest.mark.django_db
S = Project.Status


@pytest.fixture
def round_2014(db):
    return RoundFactory(year=2014, budget=Decimal("100000.00"), status=Round.Status.OPEN)


def transition_url(project, action):
    return reverse("admin:projects_project_transition", args=[project.pk, action])


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def buttons(client, project):
    body = client.get(change_url(project)).content.decode()
    return {
        action
        for action in ["submit", "recommend", "return", "reject", "approve", "sign", "start", "terminate", "archive"]
        if transition_url(project, action) in body
    }


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.DRAFT, "unit", {"submit"}),
        (S.DRAFT, "association", set()),
        (S.SUBMITTED, "association", {"recommend", "return", "reject"}),
        (S.SUBMITTED, "civil", set()),
        (S.SUBMITTED, "unit", set()),
        (S.RECOMMENDED, "civil", {"approve"}),
        (S.APPROVED, "civil", {"sign", "terminate"}),
        (S.APPROVED, "association", {"sign"}),
        (S.CONTRACTED, "unit", {"start"}),
        (S.IN_PROGRESS, "committee", set()),
        (S.IN_PROGRESS, "civil", {"terminate"}),
    ],
)
def test_buttons_are_exactly_the_allowed_transitions(client, cast, unit_org, round_2014, status, role, expected):
    project = project_in_state(status, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast[role])
    assert buttons(client, project) == expected


def test_confirmation_then_post_recommends(client, cast, unit_org, round_2014):
    project = project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["association"])
    page = client.get(transition_url(project, "recommend"))
    assert page.status_code == 200
    assert "确认初审通过并推荐" in page.content.decode()
    project.refresh_from_db()
    assert project.status == S.SUBMITTED  # GET changes nothing

    response = client.post(transition_url(project, "recommend"), {"version": project.version, "comment": "同意"})
    assert response.status_code == 302 and response["Location"] == change_url(project)
    project.refresh_from_db()
    assert project.status == S.RECOMMENDED
    assert "已初审通过并推荐" in client.get(change_url(project)).content.decode()


def test_return_without_comment_shows_the_form_again(client, cast, unit_org, round_2014):
    project = project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["association"])
    response = client.post(transition_url(project, "return"), {"version": project.version, "comment": ""})
    assert response.status_code == 200
    assert "请填写意见或原因" in response.content.decode()
    project.refresh_from_db()
    assert project.status == S.SUBMITTED


def test_approve_over_budget_is_explained(client, cast, unit_org, round_2014):
    project_in_state(S.APPROVED, round=round_2014, requested_amount=Decimal("95000.00"))
    project = project_in_state(S.RECOMMENDED, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["civil"])
    page = client.get(transition_url(project, "approve")).content.decode()
    assert "本批次剩余预算" in page and "5,000.00" in page
    response = client.post(transition_url(project, "approve"), {"version": project.version, "amount": "20000"})
    assert response.status_code == 200
    assert "剩余预算 5,000.00 元" in response.content.decode()
    project.refresh_from_db()
    assert project.status == S.RECOMMENDED


def test_stale_form_changes_nothing(client, cast, unit_org, round_2014):
    project = project_in_state(S.RECOMMENDED, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["civil"])
    stale_version = project.version
    client.post(transition_url(project, "approve"), {"version": stale_version, "amount": "20000"})
    response = client.post(
        transition_url(project, "approve"), {"version": stale_version, "amount": "10000"}, follow=True
    )
    assert "已被他人处理" in response.content.decode()
    project.refresh_from_db()
    assert project.approved_amount == Decimal("20000.00")
    assert project.audit_entries.transitions().count() == 1


def test_transition_urls_refuse_other_methods_and_unknown_actions(client, cast, unit_org, round_2014):
    project = project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["association"])
    assert client.put(transition_url(project, "recommend")).status_code == 405
    assert client.delete(transition_url(project, "recommend")).status_code == 405
    assert client.get(transition_url(project, "fly")).status_code == 404


def test_disallowed_transition_redirects_with_a_reason(client, cast, unit_org, round_2014):
    project = project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["unit"])
    response = client.post(transition_url(project, "recommend"), {"version": project.version}, follow=True)
    assert "不能对项目" in response.content.decode()
    project.refresh_from_db()
    assert project.status == S.SUBMITTED


def test_unit_edits_only_drafts_and_returned(client, cast, unit_org, round_2014):
    project = project_in_state(S.DRAFT, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["unit"])
    assert 'name="_save"' in client.get(change_url(project)).content.decode()
    Project.objects.filter(pk=project.pk).update(status=S.SUBMITTED)
    page = client.get(change_url(project)).content.decode()
    assert 'name="_save"' not in page
    assert client.post(change_url(project), {"title": "改名"}).status_code == 403
    Project.objects.filter(pk=project.pk).update(status=S.RETURNED)
    assert 'name="_save"' in client.get(change_url(project)).content.decode()


def test_committee_is_read_only(client, cast, unit_org, round_2014):
    project = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["committee"])
    assert client.get(change_url(project)).status_code == 200
    assert client.post(change_url(project), {"title": "改名"}).status_code == 403
    assert client.get(reverse("admin:projects_project_add")).status_code == 403
    assert client.get(reverse("admin:projects_round_add")).status_code == 403


def test_unit_adds_a_project_for_itself_in_an_open_round(client, cast, unit_org, unit2_org, round_2014):
    from tests.factories import ServiceCategoryFactory

    RoundFactory(year=2013, status=Round.Status.IN_PROGRESS)
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_project_add")).content.decode()
    assert "2014年度七彩工程" in page and "2013年度七彩工程" not in page
    assert 'name="implementing_unit"' not in page
    data = {
        "title": "阳光自建项目",
        "round": round_2014.pk,
        "category": ServiceCategoryFactory().pk,
        "service_model": "sw_volunteer",
        "target_group": "独居老人",
        "implementing_unit": unit2_org.pk,  # ignored: a unit's project is its own
        "requested_amount": "20000",
        "target_beneficiaries": "40",
        **EMPTY_PROJECT_INLINES,
    }
    assert client.post(reverse("admin:projects_project_add"), data).status_code == 302
    project = Project.objects.get(title="阳光自建项目")
    assert project.implementing_unit == unit_org
    assert project.code == "QC-2014-001"


def test_bulk_recommend_reports_each_project(client, cast, unit_org, round_2014):
    ready = [project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org) for _ in range(2)]
    draft = project_in_state(S.DRAFT, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["association"])
    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "bulk_recommend", "_selected_action": [p.pk for p in [*ready, draft]]},
        follow=True,
    )
    body = response.content.decode()
    assert "已初审通过并推荐 2 个项目" in body
    assert f"未处理 {draft.code}" in body
    assert Project.objects.filter(status=S.RECOMMENDED).count() == 2


def test_bulk_approve_stops_at_the_budget(client, cast, round_2014):
    projects = [
        project_in_state(S.RECOMMENDED, round=round_2014, requested_amount=Decimal("40000.00")) for _ in range(3)
    ]
    client.force_login(cast["civil"])
    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "bulk_approve", "_selected_action": [p.pk for p in projects]},
        follow=True,
    )
    body = response.content.decode()
    assert "已审定 2 个项目" in body and "剩余预算 20,000.00 元" in body
    assert Project.objects.filter(status=S.APPROVED).count() == 2


def test_bulk_actions_are_offered_by_role(client, cast, unit_org, round_2014):
    project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)  # no rows, no action bar
    url = reverse("admin:projects_project_changelist")
    client.force_login(cast["association"])
    page = client.get(url).content.decode()
    assert "bulk_recommend" in page and "bulk_approve" not in page
    client.force_login(cast["unit"])
    page = client.get(url).content.decode()
    assert "bulk_recommend" not in page and "bulk_approve" not in page


def test_todo_counts_what_awaits_each_role(client, cast, unit_org, unit2_org, round_2014):
    project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit_org)
    project_in_state(S.SUBMITTED, round=round_2014, implementing_unit=unit2_org)
    project_in_state(S.RECOMMENDED, round=round_2014, implementing_unit=unit_org)
    project_in_state(S.RETURNED, round=round_2014, implementing_unit=unit_org)
    project_in_state(S.DRAFT, round=round_2014, implementing_unit=unit2_org)

    def counts(role):
        from projects.todo import todo_for

        return {item.action: item.count for item in todo_for(cast[role])}

    assert counts("association")["recommend"] == 2
    assert counts("civil")["approve"] == 1
    assert counts("unit")["submit"] == 1
    assert counts("unit2")["submit"] == 1
    assert counts("committee") == {}

    client.force_login(cast["association"])
    index = client.get(reverse("admin:index")).content.decode()
    assert "待协会初审" in index and reverse("admin:todo") in index
    page = client.get(reverse("admin:todo")).content.decode()
    assert page.count("status-submitted") == 2


@pytest.mark.parametrize("role", ["committee", "civil", "association", "unit", "unit2", "evaluator"])
def test_project_pages_query_count_is_flat_for_every_role(client, cast, unit_org, round_2014, role):
    client.force_login(cast[role])
    grow_applications(unit_org, round_2014, 2)
    project = Project.objects.filter(implementing_unit=unit_org).first()
    urls = [reverse("admin:projects_project_changelist"), reverse("admin:todo"), reverse("admin:index")]
    if role not in ("unit2", "evaluator"):
        urls.append(change_url(project))
    few = measure(client, urls)
    grow_applications(unit_org, round_2014, 10)
    AuditEntry.objects.filter(project=project).update(data={"comment": "补充"})
    many = measure(client, urls)
    assert many == few
    assert max(many.values()) <= 40  # the project page: seven inlines, money and service figures


def test_history_shows_who_changed_which_field(client, cast, unit_org, round_2014):
    project = complete_project(round=round_2014, implementing_unit=unit_org)
    cast["unit"].first_name = "陈晓燕"
    cast["unit"].save()
    project_submit(project=project, by=cast["unit"])
    client.force_login(cast["civil"])
    page = client.get(reverse("admin:projects_project_history", args=[project.pk])).content.decode()
    assert "陈晓燕" in page and "提交申报" in page
    assert "草稿" in page and "已提交" in page and "submitted" not in page


def test_history_version_pages_never_save(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    project = complete_project(round=round_, implementing_unit=unit_org)
    draft_version = project.history.latest().history_id
    project_submit(project=project, by=cast["unit"])
    client.force_login(cast["unit"])
    url = reverse("admin:projects_project_simple_history", args=[project.pk, draft_version])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "改回草稿", "requested_amount": "999999", "_change_history": "1"})
    assert response.status_code == 405
    project.refresh_from_db()
    assert project.status == S.SUBMITTED and project.version == 1


def test_approved_project_keeps_its_round_unit_and_request(client, cast):
    round_ = RoundFactory(year=2014)
    settled = ['name="round"', 'name="implementing_unit"', 'name="requested_amount"']
    client.force_login(cast["civil"])
    recommended = project_in_state(S.RECOMMENDED, round=round_)
    page = client.get(change_url(recommended)).content.decode()
    assert all(field in page for field in settled)  # civil affairs may still correct them before approval
    approved = project_in_state(S.APPROVED, round=round_)
    page = client.get(change_url(approved)).content.decode()
    assert not [field for field in settled if field in page]


def test_bulk_archive_archives_completed_projects_and_reports_the_rest(client, cast, unit_org, round_2014):
    done = [project_in_state(S.COMPLETED, round=round_2014, implementing_unit=unit_org) for _ in range(2)]
    running = project_in_state(S.IN_PROGRESS, round=round_2014, implementing_unit=unit_org)
    client.force_login(cast["unit"])
    assert "bulk_archive" not in client.get(reverse("admin:projects_project_changelist")).content.decode()
    client.force_login(cast["civil"])
    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "bulk_archive", "_selected_action": [p.pk for p in [*done, running]]},
        follow=True,
    )
    body = response.content.decode()
    assert "已归档 2 个项目" in body and f"未处理 {running.code}" in body
    assert Project.objects.filter(status=S.ARCHIVED).count() == 2
