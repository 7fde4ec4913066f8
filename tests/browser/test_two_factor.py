"""Two-factor sign-in in a real browser: a superuser signs in on the admin login, sets up an authenticator from
the secret the page shows (the code computed as the phone's app would), keeps the recovery codes, reaches the
workbench; signs out and in again through the verify step."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.test_portal_journey import accessibility_violations
from tests.factories import UserFactory


def authenticator_code(secret_text: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret typed in by hand (base32, in groups of four)."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in(page, base):
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw")
    page.click("[type=submit]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_superuser_sets_up_and_uses_two_factor_on_the_admin_login(browser, live_server, settings, shots):
    settings.QICAI_REQUIRE_2FA = True
    UserFactory(username="root", is_superuser=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    console_errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico")  # the browser's own guess
            and console_errors.append(f"{message.text} {message.location}")
        ),
    )

    sign_in(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/admin/two-factor/setup/?next=%2Fadmin%2F")
    expect(page.locator("h1")).to_have_text("设置两步验证")
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    assert accessibility_violations(page) == []
    shots(page, "2fa-01-setup")

    secret = page.locator(".two-factor-key").inner_text()
    page.fill("#id_otp_token", "000000" if authenticator_code(secret) != "000000" else "111111")
    page.click("#login-form [type=submit]")
    expect(page.locator("#login-form .errorlist")).to_contain_text("验证码不正确")
    page.wait_for_timeout(1100)  # django-otp asks for a second's pause after a wrong code
    page.fill("#id_otp_token", authenticator_code(secret))
    page.click("#login-form [type=submit]")

    expect(page.locator("h1")).to_have_text("恢复码")
    expect(page.locator(".two-factor-codes code")).to_have_count(10)
    codes = page.locator(".two-factor-codes code").all_inner_texts()
    expect(page.locator("[data-print]")).to_be_visible()  # the print button, wired by a script file
    shots(page, "2fa-02-recovery-codes")
    page.click("text=我已妥善保存，继续")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#user-tools")).to_be_visible()

    # Sign out and in again: the verify step, with the next code of the same authenticator.
    page.click("#logout-form button")
    sign_in(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/admin/two-factor/verify/?next=%2Fadmin%2F")
    assert accessibility_violations(page) == []
    shots(page, "2fa-03-verify")
    page.fill("#id_otp_token", authenticator_code(secret, steps_ahead=1))
    page.click("#login-form [type=submit]")
    expect(page).to_have_url(f"{live_server.url}/admin/")

    # And once more with a recovery code instead of the phone.
    page.click("#logout-form button")
    sign_in(page, live_server.url)
    page.fill("#id_otp_token", codes[0])
    page.click("#login-form [type=submit]")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    assert console_errors == []  # no script or style refused, nothing missing
