from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


def attempt(client, address, password="wrong", username="civil"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failures_spread_over_many_addresses_lock_the_account(client, settings, caplog):
    # Four wrong passwords from each of ten addresses: never five from one address.
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.QICAI_ACCOUNT_FAILURE_LIMIT == 20
    UserFactory(username="civil")
    statuses = [attempt(client, f"10.0.0.{a}").status_code for a in range(1, 11) for _ in range(4)]
    assert statuses[:19] == [200] * 19
    assert statuses[19:] == [429] * 21

    # Once locked, even the right password from a new address is refused with the lock-out page.
    response = attempt(client, "192.168.7.7", password="pw")
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录已暂时锁定" in body and "禁止从任何地点登录" in body and "30 分钟" in body
    assert "_auth_user_id" not in client.session

    warnings = [r.getMessage() for r in caplog.records if r.name == "qicai.lockout"]
    assert warnings and all("'civil'" in w and "any address" in w for w in warnings)
    assert not any("wrong" in r.getMessage() or "'pw'" in r.getMessage() for r in caplog.records)

    # Every failure stays on record for the administrator, the refused ones marked as locked out.
    assert AccessFailureLog.objects.filter(username="civil").count() == 41
    assert AccessFailureLog.objects.filter(username="civil", locked_out=True).count() == 22
    admin = Client()
    admin.force_login(UserFactory(username="root", is_superuser=True))
    listing = admin.get(reverse("admin:axes_accessfailurelog_changelist"), {"q": "civil"})
    assert listing.status_code == 200 and "192.168.7.7" in listing.content.decode()


def test_below_the_account_limit_the_right_password_works_from_a_new_address(client):
    UserFactory(username="civil")
    for address in range(1, 6):
        for _ in range(4 if address < 5 else 3):
            assert attempt(client, f"10.0.0.{address}").status_code == 200
    assert attempt(client, "192.168.7.7", password="pw").status_code == 302


def test_the_account_limit_and_window_are_settings(client, settings):
    settings.QICAI_ACCOUNT_FAILURE_LIMIT = 6
    settings.QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES = 10
    UserFactory(username="civil")
    for address in range(1, 4):
        attempt(client, f"10.0.0.{address}")
        attempt(client, f"10.0.0.{address}")
    assert attempt(client, "192.168.7.7", password="pw").status_code == 429

    # Failures older than the window no longer count (axes' records are kept for its 30-minute cool-off).
    AccessAttempt.objects.filter(username="civil").update(attempt_time=timezone.now() - timedelta(minutes=11))
    assert attempt(client, "192.168.7.8", password="pw").status_code == 302


def test_another_account_is_not_locked_with_it(client):
    UserFactory(username="civil")
    UserFactory(username="association")
    for address in range(1, 6):
        for _ in range(4):
            attempt(client, f"10.0.0.{address}")
    assert attempt(client, "10.0.0.1", password="pw", username="association").status_code == 302
