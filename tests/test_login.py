import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_that_user_from_that_address(client, settings):
    UserFactory(username="civil")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "civil", "password": "wrong"})
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
    response = client.post(url, {"username": "civil", "password": "wrong"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录已暂时锁定" in body and "30 分钟" in body
    # Another user behind the same office address is not locked out.
    UserFactory(username="association")
    response = client.post(url, {"username": "association", "password": "pw"})
    assert response.status_code == 302


def test_right_password_logs_in(client):
    UserFactory(username="unit")
    response = client.post(reverse("admin:login"), {"username": "unit", "password": "pw"})
    assert response.status_code == 302
