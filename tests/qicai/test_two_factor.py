"""Two-factor sign-in (qicai.two_factor): set-up with a real TOTP code, the verify step, recovery codes, who must
use it, nothing reachable before verification, the account page, the admin's reset, the audit rows."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects import permissions, roles
from projects.audit import AuditAction
from projects.models import AuditEntry
from qicai import two_factor
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PORTAL_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def required(settings):
    settings.QICAI_REQUIRE_2FA = True


def code_for(device, steps_ahead=0) -> str:
    """The code the user's authenticator app shows now (or ``steps_ahead`` 30-second windows later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def later_code(user) -> str:
    """A code from a later 30-second window than the last one used (as the next sign-in would type)."""
    device = two_factor.authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return code_for(device)


def enrol(user) -> list[str]:
    """Give ``user`` a confirmed authenticator and recovery codes, as the set-up page does."""
    device = two_factor.start_setup(user)
    codes, error = two_factor.confirm_setup(user, device, code_for(device))
    assert codes and not error
    return codes


def sign_in(client, username, url=PORTAL_LOGIN, password="pw"):
    return client.post(url, {"username": username, "password": password})


def unit_user():
    return UserFactory(
        username="unit", role=roles.IMPLEMENTING_UNIT, organization=OrganizationFactory(name="阳光社工（测试）")
    )


def audit(action, user):
    return AuditEntry.objects.filter(action=action, object_id=str(user.pk))


def test_who_must_use_two_factor(settings, cast, superuser):
    unit, civil = cast["unit"], cast["civil"]
    assert permissions.REVEAL_PERMISSION in unit.get_all_permissions()
    assert permissions.REVEAL_PERMISSION not in civil.get_all_permissions()

    settings.QICAI_REQUIRE_2FA = False
    assert not any(permissions.requires_two_factor(u) for u in [superuser, *cast.values()])

    settings.QICAI_REQUIRE_2FA = True
    required = {name for name, user in cast.items() if permissions.requires_two_factor(user)}
    assert required == {"unit", "unit2"}  # the holders of the reveal permission
    assert permissions.requires_two_factor(superuser)
    superuser.is_active = False
    assert not permissions.requires_two_factor(superuser)


def test_the_setting_follows_debug_by_default():
    from qicai import settings as production

    assert production.QICAI_REQUIRE_2FA is (not production.DEBUG)


# The portal -----------------------------------------------------------------------------------------------


def test_a_superuser_sets_up_two_factor_on_the_portal(client, required, superuser):
    response = sign_in(client, "root")
    assert response.status_code == 302 and response.url == "/"
    response = client.get("/")
    setup_url = reverse("portal:two_factor_setup")
    assert response.status_code == 302 and response.url == f"{setup_url}?next=%2F"

    page = client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "设置两步验证" in body and "按规定必须使用两步验证" in body
    assert "<svg" in body and "two-factor-qr-code" in body  # the QR code, inline
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    assert two_factor.secret_text(device) in body  # the secret for typing it in
    assert "otpauth://" not in body  # only inside the drawing
    # Nothing inline that a strict Content-Security-Policy would block.
    assert "<script>" not in body and " style=" not in body and "<style" not in body

    # The same device (the same QR code) until it is confirmed.
    client.get(setup_url)
    assert TOTPDevice.objects.filter(user=superuser).count() == 1

    wrong = client.post(setup_url, {"otp_token": "000000" if code_for(device) != "000000" else "111111", "next": "/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    response = client.post(setup_url, {"otp_token": code_for(device), "next": "/"})
    codes_url = reverse("portal:two_factor_codes")
    assert response.status_code == 302 and response.url == f"{codes_url}?next=%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert audit(AuditAction.TWO_FACTOR_ENABLE, superuser).filter(actor=superuser).count() == 1

    # Ten recovery codes, shown once, downloadable as a plain list.
    page = client.get(response.url).content.decode()
    shown = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=superuser).values_list("token", flat=True))
    assert {code.replace("-", "") for code in shown} == stored
    download = client.get(reverse("portal:two_factor_codes_download"))
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in shown)

    response = client.post(codes_url, {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get(codes_url).status_code == 302  # gone once kept
    assert client.get("/").status_code == 200  # verified: the session remembers it
    assert client.get(reverse("portal:projects")).status_code == 200


def test_with_a_device_the_password_leads_to_the_verify_step(client, required, superuser):
    enrol(superuser)
    sign_in(client, "root")
    response = client.get("/projects/")
    verify_url = reverse("portal:two_factor_verify")
    assert response.status_code == 302 and response.url == f"{verify_url}?next=%2Fprojects%2F"

    page = client.get(response.url)
    body = page.content.decode()
    assert "两步验证" in body and "6 位数字" in body
    assert "项目名录" not in body  # no navigation before the second factor

    wrong = client.post(verify_url, {"otp_token": "12345", "next": "/projects/"})
    assert "验证码是 6 位数字" in wrong.content.decode()
    bad = "000000" if later_code(superuser) != "000000" else "111111"
    wrong = client.post(verify_url, {"otp_token": bad, "next": "/projects/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert two_factor.authenticator(superuser).throttling_failure_count == 1
    # Right away the device is throttled (django-otp's back-off), even for the right code.
    throttled = client.post(verify_url, {"otp_token": code_for(two_factor.authenticator(superuser)), "next": "/x"})
    assert "验证码错误次数过多" in throttled.content.decode()
    assert client.get("/").status_code == 302

    half_signed_in = client.session.session_key
    response = client.post(verify_url, {"otp_token": later_code(superuser), "next": "/projects/"})
    assert response.status_code == 302 and response.url == "/projects/"
    assert client.session.session_key != half_signed_in  # a new session key for the raised privilege
    assert client.get("/projects/").status_code == 200
    # Wrong codes were failed logins for axes (and whoever listens to them).
    assert AccessFailureLog.objects.filter(username="root").count() == 3


def test_nothing_is_reachable_before_verification(client, required, superuser):
    enrol(superuser)
    sign_in(client, "root")
    verify_url = reverse("portal:two_factor_verify")
    admin_verify = reverse("admin:two_factor_verify")
    for url in [
        "/",
        "/projects/",
        reverse("portal:password_change"),
        reverse("portal:two_factor"),
        reverse("portal:two_factor_setup"),
        reverse("portal:two_factor_codes_download"),
        PORTAL_LOGIN,
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(verify_url), url
    for url in ["/admin/", "/admin/auth/user/", "/admin/projects/auditentry/", "/admin/todo/", ADMIN_LOGIN]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(admin_verify), url
    response = client.post(reverse("portal:two_factor_regenerate"), {"regenerate-otp_token": "123456"})
    assert response.status_code == 302 and response.url.startswith(verify_url)
    # Public pages are not for a half-signed-in session either; signing out is.
    assert client.get(reverse("portal:public")).status_code == 302
    assert client.post(reverse("portal:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/").url.startswith(PORTAL_LOGIN)


def test_a_recovery_code_works_once(client, required, superuser):
    codes = enrol(superuser)
    sign_in(client, "root")
    verify_url = reverse("portal:two_factor_verify")
    response = client.post(verify_url, {"otp_token": codes[0].upper().replace("-", " "), "next": "/"}, follow=True)
    assert response.redirect_chain[-1] == ("/", 302)
    assert "还剩 9 个" in response.content.decode()
    assert two_factor.recovery_codes_left(superuser) == 9
    entry = audit(AuditAction.RECOVERY_CODE_USE, superuser).get()
    assert entry.actor == superuser and entry.data["remaining"] == 9
    # A recovery code does not slow the authenticator down, nor the other way round.
    assert two_factor.authenticator(superuser).throttling_failure_count == 0

    client.post(reverse("portal:logout"))
    sign_in(client, "root")
    response = client.post(verify_url, {"otp_token": codes[0], "next": "/"})
    assert response.status_code == 200 and "恢复码不正确，或已经用过" in response.content.decode()
    assert client.get("/").status_code == 302
    StaticDevice.objects.filter(user=superuser).update(throttling_failure_count=0)
    response = client.post(verify_url, {"otp_token": codes[1], "next": "/"})
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_five_wrong_codes_lock_the_account_out_like_wrong_passwords(client, required, superuser, settings):
    enrol(superuser)
    sign_in(client, "root")
    verify_url = reverse("portal:two_factor_verify")
    right = later_code(superuser)
    bad = "000000" if right != "000000" else "111111"
    statuses = [client.post(verify_url, {"otp_token": bad}).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert "_auth_user_id" not in client.session  # signed out
    response = sign_in(client, "root")
    assert response.status_code == 429 and "登录已暂时锁定" in response.content.decode()


def test_two_factor_is_optional_for_other_staff(client, required, cast):
    civil = cast["civil"]
    sign_in(client, "civil")
    assert client.get("/").status_code == 200  # not required of programme staff without the reveal permission

    page = client.get(reverse("portal:two_factor")).content.decode()
    assert "状态：未启用" in page and "启用两步验证" in page
    setup_url = reverse("portal:two_factor_setup")
    assert "按规定必须使用" not in client.get(setup_url).content.decode()
    device = TOTPDevice.objects.get(user=civil)
    response = client.post(setup_url, {"otp_token": code_for(device), "next": reverse("portal:two_factor")})
    assert response.status_code == 302
    client.post(reverse("portal:two_factor_codes"))
    page = client.get(reverse("portal:two_factor")).content.decode()
    assert "状态：已启用" in page and "10 个" in page and "停用两步验证" in page

    # Once enabled, the next sign-in asks for a code.
    client.post(reverse("portal:logout"))
    sign_in(client, "civil")
    assert client.get("/").url.startswith(reverse("portal:two_factor_verify"))
    client.post(reverse("portal:two_factor_verify"), {"otp_token": later_code(civil)})
    assert client.get("/").status_code == 200

    # Disable: a current code is needed.
    disable_url = reverse("portal:two_factor_disable")
    wrong = client.post(disable_url, {"disable-otp_token": "abcdefgh"})
    assert "恢复码不能用于此操作" in wrong.content.decode() and two_factor.has_two_factor(civil)
    response = client.post(disable_url, {"disable-otp_token": later_code(civil)})
    assert response.status_code == 302 and not two_factor.has_two_factor(civil)
    assert not StaticDevice.objects.filter(user=civil).exists()
    assert audit(AuditAction.TWO_FACTOR_DISABLE, civil).filter(actor=civil).count() == 1
    assert client.get("/").status_code == 200
    client.post(reverse("portal:logout"))
    sign_in(client, "civil")
    assert client.get("/").status_code == 200


def test_a_reveal_permission_holder_must_set_up_and_cannot_disable(client, required):
    unit = unit_user()
    sign_in(client, "unit")
    response = client.get("/")
    assert response.url.startswith(reverse("portal:two_factor_setup"))
    assert "按规定必须使用两步验证" in client.get(response.url).content.decode()
    device = TOTPDevice.objects.get(user=unit)
    client.post(reverse("portal:two_factor_setup"), {"otp_token": code_for(device)})
    assert client.get("/").status_code == 200

    page = client.get(reverse("portal:two_factor")).content.decode()
    assert "不能停用" in page and reverse("portal:two_factor_disable") not in page
    response = client.post(reverse("portal:two_factor_disable"), {"disable-otp_token": later_code(unit)})
    assert response.status_code == 403 and "必须使用两步验证" in response.content.decode()
    assert two_factor.has_two_factor(unit)


def test_without_the_setting_nobody_is_asked(client, settings, superuser):
    settings.QICAI_REQUIRE_2FA = False
    unit_user()
    for username in ["root", "unit"]:
        sign_in(client, username)
        assert client.get("/").status_code == 200
        client.post(reverse("portal:logout"))


def test_regenerating_recovery_codes_needs_a_current_code(client, required, superuser):
    old = enrol(superuser)
    sign_in(client, "root")
    client.post(reverse("portal:two_factor_verify"), {"otp_token": later_code(superuser)})
    url = reverse("portal:two_factor_regenerate")

    bad = "000000" if later_code(superuser) != "000000" else "111111"
    response = client.post(url, {"regenerate-otp_token": bad})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert two_factor.recovery_codes_left(superuser) == 10
    TOTPDevice.objects.filter(user=superuser).update(throttling_failure_count=0)

    response = client.post(url, {"regenerate-otp_token": later_code(superuser)})
    assert response.status_code == 302 and response.url.startswith(reverse("portal:two_factor_codes"))
    new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", client.get(response.url).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert audit(AuditAction.RECOVERY_CODES_REGENERATE, superuser).count() == 1
    client.post(reverse("portal:logout"))
    sign_in(client, "root")
    response = client.post(reverse("portal:two_factor_verify"), {"otp_token": old[0]})
    assert "恢复码不正确" in response.content.decode()


# The admin ------------------------------------------------------------------------------------------------


def test_a_superuser_sets_up_and_verifies_on_the_admin_login(client, required, superuser):
    response = sign_in(client, "root", ADMIN_LOGIN + "?next=/admin/")
    assert response.status_code == 302 and response.url == "/admin/"
    response = client.get("/admin/")
    assert response.url == f"{reverse('admin:two_factor_setup')}?next=%2Fadmin%2F"
    page = client.get(response.url)
    body = page.content.decode()
    assert 'id="login-form"' in body and "设置两步验证" in body and "two-factor-qr-code" in body
    assert 'id="user-tools"' not in body and "nav-sidebar" not in body  # the admin's menus come after
    assert " style=" not in body and "<script>" not in body

    device = TOTPDevice.objects.get(user=superuser)
    response = client.post(response.url, {"otp_token": code_for(device), "next": "/admin/"})
    assert response.url == f"{reverse('admin:two_factor_codes')}?next=%2Fadmin%2F"
    assert len(re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", client.get(response.url).content.decode())) == 10
    response = client.post(response.url, {"next": "/admin/"})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200

    # The next sign-in: the verify step, in the admin's dress, in Chinese.
    client.post(reverse("admin:logout"))
    sign_in(client, "root", ADMIN_LOGIN)
    response = client.get("/admin/auth/user/")
    assert response.url == f"{reverse('admin:two_factor_verify')}?next=%2Fadmin%2Fauth%2Fuser%2F"
    bad = "000000" if later_code(superuser) != "000000" else "111111"
    wrong = client.post(response.url, {"otp_token": bad, "next": "/admin/auth/user/"})
    assert "验证码不正确" in wrong.content.decode() and 'class="errornote"' in wrong.content.decode()
    TOTPDevice.objects.filter(user=superuser).update(throttling_failure_count=0)
    response = client.post(response.url, {"otp_token": later_code(superuser), "next": "/admin/auth/user/"})
    assert response.url == "/admin/auth/user/"
    assert client.get("/admin/auth/user/").status_code == 200


def test_a_superuser_resets_a_lost_phone(client, settings, superuser, cast):
    unit, civil = cast["unit"], cast["civil"]
    enrol(unit)
    enrol(civil)

    # The unit's verified session, with the rule on.
    settings.QICAI_REQUIRE_2FA = True
    unit_client = Client()
    sign_in(unit_client, "unit")
    unit_client.post(reverse("portal:two_factor_verify"), {"otp_token": later_code(unit)})
    assert unit_client.get("/").status_code == 200

    admin = Client()
    sign_in(admin, "root", ADMIN_LOGIN)
    enrol(superuser)
    admin.post(reverse("admin:two_factor_verify"), {"otp_token": later_code(superuser)})
    changelist = admin.get("/admin/auth/user/")
    assert changelist.status_code == 200 and "reset_two_factor_action" in changelist.content.decode()
    response = admin.post(
        "/admin/auth/user/", {"action": "reset_two_factor_action", "_selected_action": [unit.pk, civil.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__in=[unit, civil]).exists()
    assert not StaticDevice.objects.filter(user__in=[unit, civil]).exists()
    assert two_factor.has_two_factor(superuser)
    for user in (unit, civil):
        assert audit(AuditAction.TWO_FACTOR_RESET, user).get().actor == superuser

    # The unit's session is no longer verified: it must set up a new authenticator.
    assert unit_client.get("/").url.startswith(reverse("portal:two_factor_setup"))
    # civil (optional): simply signs in with the password from now on.
    civil_client = Client()
    sign_in(civil_client, "civil")
    assert civil_client.get("/").status_code == 200


def test_only_a_superuser_may_reset(client, settings, cast):
    settings.QICAI_REQUIRE_2FA = False
    civil = cast["civil"]
    manager = UserFactory(username="manager")
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    enrol(civil)
    client.force_login(manager)
    changelist = client.get("/admin/auth/user/")
    assert changelist.status_code == 200 and "reset_two_factor_action" not in changelist.content.decode()
    client.post("/admin/auth/user/", {"action": "reset_two_factor_action", "_selected_action": [civil.pk]})
    assert two_factor.has_two_factor(civil)
    with pytest.raises(Exception, match="系统管理员"):
        two_factor.reset(civil, by=manager)


def test_the_user_list_shows_who_uses_two_factor(admin_client, cast, django_assert_max_num_queries):
    enrol(cast["civil"])
    with django_assert_max_num_queries(12):
        body = admin_client.get("/admin/auth/user/").content.decode()
    flags = re.findall(r'class="field-two_factor"><img[^>]*alt="(True|False)"', body)
    assert sorted(flags) == ["False"] * (len(flags) - 1) + ["True"] and len(flags) == 7  # civil only


# The session ----------------------------------------------------------------------------------------------


def test_a_session_without_a_second_factor_costs_no_query(cast):
    request = RequestFactory().get("/")
    request.user = cast["civil"]
    request.session = {two_factor.SESSION_KEY: False}
    with CaptureQueriesContext(connection) as queries:
        assert not two_factor.pending(request)
    assert len(queries) == 0


def test_a_session_from_before_two_factor_is_checked_once(required, superuser):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=superuser.pk)
    request.session = {}
    assert two_factor.pending(request)
    assert request.session[two_factor.SESSION_KEY] is True


def test_a_device_set_up_but_never_confirmed_does_not_count(client, required, cast):
    civil = cast["civil"]
    two_factor.start_setup(civil)
    assert not two_factor.has_two_factor(civil)
    sign_in(client, "civil")
    assert client.get("/").status_code == 200


def test_an_expired_throttle_lets_the_right_code_through(client, required, superuser):
    enrol(superuser)
    sign_in(client, "root")
    device = two_factor.authenticator(superuser)
    # Three failures ask for a 4-second pause; it is over.
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=3, throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    response = client.post(reverse("portal:two_factor_verify"), {"otp_token": code_for(device)})
    assert response.status_code == 302
    assert two_factor.authenticator(superuser).throttling_failure_count == 0
