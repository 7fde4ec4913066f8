"""Error pages are Chinese, in the project's look, and leak nothing (DEBUG is off in tests)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from projects import roles
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DJANGO_DEFAULTS = ["Not Found", "Forbidden", "CSRF verification failed", "Server Error", "Bad Request"]


def assert_error_page(response, status, heading, *must_not_echo):
    assert response.status_code == status
    body = response.content.decode()
    assert f"<h1>{heading}</h1>" in body
    assert "七彩工程项目管理系统" in body and 'href="/admin/"' in body
    assert "/static/qicai/errors.css" in body
    for english in DJANGO_DEFAULTS:
        assert english not in body
    assert "Traceback" not in body and "Exception" not in body
    assert "<script" not in body and "style=" not in body and "<style" not in body
    visible = re.sub(r"<[^>]*>", " ", body).replace("Cookie", "")
    assert not re.search(r"[A-Za-z]{4,}", visible), "English text on the page"
    for echo in must_not_echo:
        assert echo not in body


def test_a_missing_page(client):
    response = client.get("/no-such-page/<b>zhangsan</b>/")
    assert_error_page(response, 404, "页面不存在", "no-such-page", "zhangsan")


def test_an_admin_object_outside_the_users_scope(client, unit_org, unit2_org):
    unit = UserFactory(username="unit", role=roles.IMPLEMENTING_UNIT, organization=unit_org)
    project = ProjectFactory(implementing_unit=unit2_org, title="心桥的保密项目")
    client.force_login(unit)
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert_error_page(response, 404, "页面不存在", "心桥的保密项目")


def test_an_admin_page_the_user_may_not_use(client, unit_org):
    client.force_login(UserFactory(username="unit", role=roles.IMPLEMENTING_UNIT, organization=unit_org))
    response = client.get(reverse("admin:projects_round_add"))
    assert_error_page(response, 403, "没有权限")


def test_a_form_posted_without_its_csrf_token():
    UserFactory(username="civil")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "civil", "password": "pw"})
    assert_error_page(response, 403, "页面已过期", "civil", "CSRF cookie")


@pytest.mark.urls("tests.qicai.error_urls")
def test_a_server_error(client):
    client.raise_request_exception = False
    response = client.get("/explode/")
    assert_error_page(response, 500, "系统出错了", "secret", "s3cr3t", "RuntimeError", "services.py")


def test_a_request_for_another_host(client):
    response = client.get(reverse("admin:login"), headers={"host": "evil.example.com"})
    assert_error_page(response, 400, "请求无效", "evil.example.com")
