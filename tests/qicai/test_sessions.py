import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qicai.middleware import LAST_SEEN_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    UserFactory(username="civil")
    response = client.post(reverse("admin:login"), {"username": "civil", "password": "pw"})
    assert response.status_code == 302
    return client


def seen_ago(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_logged_out_with_a_chinese_message(logged_in, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    seen_ago(logged_in, 31 * 60)
    response = logged_in.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert "_auth_user_id" not in logged_in.session
    page = logged_in.get(response.url).content.decode()
    assert "您已 30 分钟未操作，为保护账号安全已自动退出，请重新登录。" in page


def test_a_session_used_within_the_idle_time_stays(logged_in):
    seen_ago(logged_in, 29 * 60)
    assert logged_in.get(reverse("admin:index")).status_code == 200
    assert time.time() - logged_in.session[LAST_SEEN_KEY] < 5


def test_the_idle_time_is_a_setting(logged_in, settings):
    settings.SESSION_IDLE_MINUTES = 5
    seen_ago(logged_in, 6 * 60)
    assert logged_in.get(reverse("admin:index")).status_code == 302


def test_the_last_seen_stamp_is_written_at_most_once_a_minute(logged_in):
    seen_ago(logged_in, 10)
    stamp = logged_in.session[LAST_SEEN_KEY]
    with CaptureQueriesContext(connection) as queries:
        assert logged_in.get(reverse("admin:index")).status_code == 200
    assert logged_in.session[LAST_SEEN_KEY] == stamp
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]

    seen_ago(logged_in, 61)
    logged_in.get(reverse("admin:index"))
    assert logged_in.session[LAST_SEEN_KEY] > stamp


def test_activity_does_not_extend_the_absolute_lifetime(logged_in, settings):
    def stored_expiry():
        return Session.objects.get(session_key=logged_in.session.session_key).expire_date

    expiry = stored_expiry()
    assert abs((expiry.timestamp() - time.time()) - settings.SESSION_COOKIE_AGE) < 5
    seen_ago(logged_in, 120)
    logged_in.get(reverse("admin:index"))
    assert time.time() - logged_in.session[LAST_SEEN_KEY] < 5  # the session was written...
    assert stored_expiry() == expiry  # ...and still ends SESSION_COOKIE_AGE after the login
