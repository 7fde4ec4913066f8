"""The workbench's navigation by task: each role sees its own groups, in its order, in Chinese."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(demo_district):
    names = ("admin", "committee", "civil", "association", "unit", "evaluator")
    return {name: get_user_model().objects.get(username=name) for name in names}


def groups(client, user) -> dict[str, list[str]]:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {str(app["name"]): [str(model["name"]) for model in app["models"]] for app in response.context["app_list"]}


def test_the_index_groups_models_by_the_work_not_alphabetically(client, users):
    seen = groups(client, users["civil"])
    assert list(seen)[:3] == ["我的待办", "项目", "服务"]
    assert seen["项目"] == ["项目", "协议", "拨付"]
    assert seen["我的待办"] == ["待办事项"]
    assert all("登录尝试" not in models for models in seen.values())  # axes is for the system administrator


def test_each_role_sees_only_its_groups(client, users):
    unit = groups(client, users["unit"])
    assert "提名" not in unit.get("表彰", []) and "服务对象" not in unit["服务"]
    evaluator = groups(client, users["evaluator"])
    assert list(evaluator)[:2] == ["我的待办", "评估"]  # an expert's work comes first
    assert "资金" not in evaluator and "表彰" not in evaluator
    committee = groups(client, users["committee"])
    assert list(committee)[:2] == ["我的待办", "表彰"]


def test_third_party_entries_go_under_system_with_chinese_names(client, users):
    system = groups(client, users["admin"])["系统"]
    assert {"登录尝试", "登录失败记录", "登录日志", "后台任务", "用户", "角色（用户组）"} <= set(system)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Access attempts" not in html and "access attempts" not in html


def test_an_apps_own_page_still_lists_its_models(client, users):
    client.force_login(users["civil"])
    response = client.get("/admin/projects/")
    assert response.status_code == 200
    assert "项目" in response.content.decode()


def test_the_project_list_shows_money_first_and_totals_the_filtered_list(client, users):
    client.force_login(users["civil"])
    from projects.models import Round

    round_2013 = Round.objects.get(year=2013)
    response = client.get(f"/admin/projects/project/?round__id__exact={round_2013.pk}")
    html = response.content.decode()
    assert "合计 60 个项目：申请金额" in html and "审定金额 1,000,000.00 元" in html
    columns = response.context["cl"].list_display
    assert columns.index("approved_display") < 6 and "subdistrict_display" not in columns
    change = client.get(f"/admin/projects/project/{round_2013.projects.order_by('sequence').first().pk}/change/")
    assert "/projects/QC-2013-001/" in change.content.decode()  # 在门户查看: the dossier


def test_terminating_is_never_the_first_button(client, users):
    from projects.models import Project
    from projects.permissions import available_transitions

    running = Project.objects.get(code="QC-2013-001")
    civil = users["civil"]
    actions = [t.action for t in available_transitions(civil, running)]
    assert actions and actions[-1] == "terminate"
    client.force_login(civil)
    html = client.get(f"/admin/projects/project/{running.pk}/change/").content.decode()
    assert 'class="button destructive"' in html
    submitted = Project.objects.filter(status="submitted").first()
    if submitted is not None:
        review = [t.action for t in available_transitions(users["association"], submitted)]
        assert review[0] == "recommend" and review[-1] == "reject"
