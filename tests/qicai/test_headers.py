"""Production's transport and header settings: ``check --deploy`` clean with the documented environment (behind
an HTTPS proxy) and explained for an HTTP-only intranet; the security headers on every answer; the cookies'
flags; Argon2 passwords.

The environments are the README's (安全响应头与 HTTPS): change one and change the other.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import reverse

import qicai.settings as production
from tests.factories import UserFactory
from tests.qicai.test_csp_markup import parse_policy, policy_problems

ROOT = Path(__file__).resolve().parents[2]
KEY = "k7Qp2vX9-mZr4tLw8yHc3nBf6jDs1gAe5uKo0iVq7xPz2RbN9hTy"  # 52 characters, 30 distinct: check's W009 passes

# Production behind a TLS-terminating proxy (nginx, a load balancer): the README's list.
BEHIND_PROXY = {
    "SECRET_KEY": KEY,
    "ALLOWED_HOSTS": "qicai.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://qicai.example.gov.cn",
    "BEHIND_HTTPS_PROXY": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}
# An intranet served over plain HTTP: cookies cannot be Secure, and the checks only HTTPS answers are silenced.
HTTP_ONLY_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
HTTP_INTRANET = {"SECRET_KEY": KEY, "ALLOWED_HOSTS": "10.0.0.5,qicai.intranet", "SECURE_COOKIES": "0"}


def run(*args, **env):
    """A fresh interpreter in the project whose environment holds only PATH, a var folder and ``env``."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "QICAI_VAR_DIR": env.pop("var"), **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def check_deploy(tmp_path, **env):
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", var=str(tmp_path), **env)
    return result, sorted(set(re.findall(r"\((\w+\.\w\d+)\)", result.stdout + result.stderr)))


SHOW = (
    "import json, qicai.settings as s; print(json.dumps({name: getattr(s, name, None) for name in ["
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'SILENCED_SYSTEM_CHECKS', "
    "'CONTENT_SECURITY_POLICY', 'PERMISSIONS_POLICY', 'MIDDLEWARE', 'CSRF_COOKIE_HTTPONLY']}))"
)


def settings_under(tmp_path, **env) -> dict:
    result = run("-c", SHOW, var=str(tmp_path), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- check --deploy ------------------------------------------------------------------------------------------


def test_check_deploy_is_clean_behind_an_https_proxy(tmp_path):
    result, codes = check_deploy(tmp_path, **BEHIND_PROXY)
    assert codes == [] and result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    shown = settings_under(tmp_path, **BEHIND_PROXY)
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["SECURE_SSL_REDIRECT"] is True  # follows BEHIND_HTTPS_PROXY unless set
    assert shown["SESSION_COOKIE_SECURE"] is shown["CSRF_COOKIE_SECURE"] is True
    assert (shown["SECURE_HSTS_SECONDS"], shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"], shown["SECURE_HSTS_PRELOAD"]) == (
        31536000,
        True,
        True,
    )


def test_each_missing_https_setting_is_named_by_check_deploy(tmp_path):
    """What the proxy list is for: leave out HSTS and the redirect and check names exactly those."""
    bare = {"SECRET_KEY": KEY}
    assert check_deploy(tmp_path, **bare)[1] == ["security.W004", "security.W008"]
    no_preload = {**BEHIND_PROXY, "SECURE_HSTS_PRELOAD": "0", "SECURE_SSL_REDIRECT": "0"}
    assert check_deploy(tmp_path, **no_preload)[1] == ["security.W008", "security.W021"]


def test_an_http_only_intranet_names_four_checks_and_may_silence_exactly_those(tmp_path):
    result, codes = check_deploy(tmp_path, **HTTP_INTRANET)
    assert codes == HTTP_ONLY_CHECKS and result.returncode != 0
    shown = settings_under(tmp_path, **HTTP_INTRANET)
    assert shown["SESSION_COOKIE_SECURE"] is shown["CSRF_COOKIE_SECURE"] is False  # SECURE_COOKIES=0, as before
    assert shown["SECURE_SSL_REDIRECT"] is False and shown["SECURE_HSTS_SECONDS"] == 0
    assert shown["SECURE_PROXY_SSL_HEADER"] is None

    silenced = {**HTTP_INTRANET, "SILENCED_SYSTEM_CHECKS": ",".join(HTTP_ONLY_CHECKS)}
    result, codes = check_deploy(tmp_path, **silenced)
    assert codes == [] and result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (4 silenced)." in result.stdout
    # Silencing the HTTPS checks hides nothing else: a short key still fails.
    assert check_deploy(tmp_path, **{**silenced, "SECRET_KEY": "short"})[1] == ["security.W009"]


def test_development_sends_the_same_policy_as_production(tmp_path):
    production_settings = settings_under(tmp_path, **BEHIND_PROXY)
    development = settings_under(tmp_path, DEBUG="1")
    for name in ("CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY", "MIDDLEWARE", "CSRF_COOKIE_HTTPONLY"):
        assert development[name] == production_settings[name], name
    assert "csp.middleware.CSPMiddleware" in development["MIDDLEWARE"]


# -- the headers on an answer --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_answer_carries_the_security_headers(client):
    for url in ("/accounts/login/", "/admin/login/", "/public/", "/no-such-page/"):
        response = client.get(url)
        assert policy_problems(response) == [], url
        policy = parse_policy(response["Content-Security-Policy"])
        assert policy["img-src"] == ["'self'", "data:"] and policy["form-action"] == ["'self'"]
        assert policy["connect-src"] == policy["font-src"] == ["'self'"]
        permissions = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth"):
            assert permissions[feature] == "()", (url, feature)
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response  # plain HTTP: HSTS is sent over HTTPS only


HTTPS_PROXY = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@pytest.mark.django_db
@override_settings(**HTTPS_PROXY)
def test_behind_the_proxy_https_gets_hsts_and_http_is_sent_to_https():
    client = Client()  # its handler reads the overridden settings on the first request
    secure = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    plain = client.get("/accounts/login/?next=/projects/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/accounts/login/?next=/projects/"
    # The load balancer's health checks speak HTTP to the app server directly: never redirected.
    assert set(production.SECURE_REDIRECT_EXEMPT) == {r"^healthz$", r"^readyz$"}
    with override_settings(SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT):
        for url in ("/healthz", "/readyz"):
            assert Client().get(url).status_code != 301, url
        assert Client().get("/healthz/x").status_code == 301


# -- cookies -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_cookies_are_httponly_samesite_and_secure():
    client = Client()
    login = client.get(reverse("portal:login"))
    csrf = login.cookies["csrftoken"]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax" and csrf["secure"] is True
    UserFactory(username="lin")
    signed_in = client.post(reverse("portal:login"), {"username": "lin", "password": "pw"})
    assert signed_in.status_code == 302, signed_in.content.decode()[-1500:]
    session = signed_in.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax" and session["secure"] is True


def test_no_script_of_ours_reads_the_csrf_cookie():
    """The CSRF cookie is HttpOnly: a script would have to take the token from the form instead."""
    files = [*(ROOT / "static" / "qicai").glob("*.js"), *(ROOT / "templates").rglob("*.html")]
    for app in ("projects", "awards", "qicai"):
        files += (ROOT / app).rglob("templates/**/*.html")
    assert len(files) > 50
    readers = [str(f.relative_to(ROOT)) for f in files if re.search(r"document\.cookie|csrftoken", f.read_text())]
    assert readers == []


# -- passwords -----------------------------------------------------------------------------------------------


def test_production_hashes_new_passwords_with_argon2_and_still_reads_the_old_ones():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS[1:]
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert make_password("correct horse battery staple").startswith("argon2$argon2id$")


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
def test_signing_in_upgrades_a_pbkdf2_hash_to_argon2(client):
    user = UserFactory(username="wang")
    user.password = make_password("old-but-fine-2012", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = client.post(reverse("portal:login"), {"username": "wang", "password": "old-but-fine-2012"})
    assert response.status_code == 302
    user = get_user_model().objects.get(pk=user.pk)
    assert user.password.startswith("argon2$argon2id$") and user.check_password("old-but-fine-2012")
