"""Idle accounts (qicai.accounts): deactivated after QICAI_ACCOUNT_IDLE_DAYS without a sign-in, never deleted;
by the command and at sign-in; the last active superuser kept; a reactivation starts a fresh window."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from projects.audit import AuditAction
from projects.models import AuditEntry
from qicai import accounts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def make(username, *, last_login=None, joined=400, **kwargs):
    user = UserFactory(username=username, **kwargs)
    User.objects.filter(pk=user.pk).update(last_login=last_login, date_joined=days_ago(joined))
    user.refresh_from_db()
    return user


def active(username) -> bool:
    return User.objects.get(username=username).is_active


@pytest.fixture
def people(db):
    return {
        "recent": make("recent", last_login=days_ago(3)),
        "idle": make("idle", last_login=days_ago(120)),
        "never": make("never", last_login=None, joined=100),
        "new": make("new", last_login=None, joined=10),
        "edge": make("edge", last_login=days_ago(89)),
        "gone": make("gone", last_login=days_ago(300), is_active=False),
        "root": make("root", last_login=days_ago(1), is_superuser=True),
    }


def test_the_command_dry_run_lists_who_and_changes_nothing(people):
    out = StringIO()
    call_command("deactivate_idle_accounts", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "idle " in text and "never " in text and "(never signed in)" in text
    assert "Would deactivate 2 account(s) idle for more than 90 days." in text
    for name in ["recent", "new", "edge", "root"]:
        assert f"{name} " not in text
    assert active("idle") and active("never")
    assert not AuditEntry.objects.filter(action=AuditAction.ACCOUNT_IDLE_DEACTIVATE).exists()


def test_the_command_deactivates_idle_accounts_and_deletes_none(people):
    before = User.objects.count()
    out = StringIO()
    call_command("deactivate_idle_accounts", stdout=out)
    assert "Deactivated 2 account(s)" in out.getvalue()
    assert User.objects.count() == before
    assert {u.username for u in User.objects.filter(is_active=False)} == {"idle", "never", "gone"}
    entries = AuditEntry.objects.filter(action=AuditAction.ACCOUNT_IDLE_DEACTIVATE)
    assert {e.object_repr for e in entries} == {"idle", "never"}
    idle = entries.get(object_repr="idle")
    assert idle.actor is None and idle.data["days"] == 90 and idle.data["last_seen"]
    assert "连续 120 天未登录" in idle.data["comment"]
    # Run again: nothing more to do.
    assert accounts.deactivate_idle_accounts() == []


def test_the_limit_is_a_setting_and_zero_disables(people, settings):
    settings.QICAI_ACCOUNT_IDLE_DAYS = 0
    out = StringIO()
    call_command("deactivate_idle_accounts", stdout=out)
    assert "never deactivated" in out.getvalue()
    assert active("idle")
    settings.QICAI_ACCOUNT_IDLE_DAYS = 30
    assert {a.user.username for a in accounts.idle_accounts()} == {"idle", "never", "edge"}


def test_the_last_active_superuser_is_never_deactivated(db):
    make("old_root", last_login=days_ago(400), is_superuser=True)
    make("older_root", last_login=days_ago(500), is_superuser=True)
    accounts.deactivate_idle_accounts()
    # The one seen most recently stays; the other goes.
    assert active("old_root") and not active("older_root")
    assert accounts.idle_accounts() == []

    # With another active superuser in use, an idle one goes too.
    make("root", last_login=days_ago(1), is_superuser=True)
    accounts.deactivate_idle_accounts()
    assert not active("old_root")


def reactivate_in_admin(client, user):
    """Tick 有效 on the user's admin page (the whole change form, as the browser sends it)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": timezone.localtime(user.date_joined).date().isoformat(),
        "date_joined_1": "08:00:00",
        "membership-TOTAL_FORMS": "0",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
    }
    if user.last_login:
        data["last_login_0"] = timezone.localtime(user.last_login).date().isoformat()
        data["last_login_1"] = "08:00:00"
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


def test_a_reactivated_account_gets_a_fresh_window(admin_client, superuser):
    make("idle", last_login=days_ago(120))
    accounts.deactivate_idle_accounts()
    assert not active("idle")

    reactivate_in_admin(admin_client, User.objects.get(username="idle"))
    assert active("idle")
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_REACTIVATE)
    assert entry.actor == superuser and entry.object_repr == "idle"
    # last_login keeps the truth about sign-ins; the idle time counts from the reactivation.
    assert User.objects.get(username="idle").last_login < days_ago(100)
    assert accounts.deactivate_idle_accounts() == []
    assert [a.user.username for a in accounts.idle_accounts(now=timezone.now() + timedelta(days=91))] == ["idle"]
    # Saving the user again without touching 有效 is no reactivation.
    reactivate_in_admin(admin_client, User.objects.get(username="idle"))
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_REACTIVATE).count() == 1


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_right_password_on_an_idle_account_deactivates_it(client, url):
    make("idle", last_login=days_ago(120))
    wrong = client.post(url, {"username": "idle", "password": "nope"})
    assert wrong.status_code == 200 and active("idle")  # a wrong password changes nothing

    response = client.post(url, {"username": "idle", "password": "pw"})
    body = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "该账号已超过 90 天未登录，已按规定自动停用" in body and "系统管理员重新启用" in body
    assert not active("idle")
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_IDLE_DEACTIVATE, object_repr="idle").count() == 1

    # Later: the right password still explains why, instead of "wrong password".
    again = client.post(url, {"username": "idle", "password": "pw"}).content.decode()
    assert "已按规定自动停用" in again
    assert "已按规定自动停用" not in client.post(url, {"username": "idle", "password": "nope"}).content.decode()


def test_an_account_deactivated_by_hand_says_so_at_sign_in(client):
    make("left", last_login=days_ago(1), is_active=False)
    body = client.post("/accounts/login/", {"username": "left", "password": "pw"}).content.decode()
    assert "该账号已停用" in body and "自动停用" not in body


def test_a_recent_account_signs_in_with_no_extra_query(client, django_assert_max_num_queries):
    make("recent", last_login=days_ago(3))
    user = User.objects.get(username="recent")
    with django_assert_max_num_queries(0):
        assert accounts.deactivate_if_idle(user) is None


def test_the_last_superuser_signs_in_even_when_idle(client):
    make("root", last_login=days_ago(400), is_superuser=True)
    response = client.post("/admin/login/", {"username": "root", "password": "pw"})
    assert response.status_code == 302 and active("root")


def test_the_demo_seed_leaves_no_idle_account(demo_district):
    demo = User.objects.filter(username__in=["admin", "committee", "civil", "association", "unit", "evaluator"])
    assert demo.count() == 6 and all(u.is_active for u in demo)
    assert accounts.idle_accounts() == []
    assert accounts.idle_accounts(now=timezone.now() + timedelta(days=89)) == []
