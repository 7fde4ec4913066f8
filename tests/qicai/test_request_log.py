"""One JSON line per request: method, path without query, status, duration, user id, request id."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from qicai.request_log import HEADER, RequestIdFilter

pytestmark = pytest.mark.django_db


def production_formatter() -> JsonFormatter:
    """The formatter qicai.settings configures for LOG_FORMAT=json (settings_test keeps logging quiet)."""
    options = {key: value for key, value in settings.JSON_LOG_FORMATTER.items() if key != "()"}
    assert settings.JSON_LOG_FORMATTER["()"] == "pythonjsonlogger.json.JsonFormatter"
    return JsonFormatter(**options)


def json_lines(caplog, logger_name="qicai.request") -> list[dict]:
    formatter = production_formatter()
    lines = []
    for record in caplog.records:
        if record.name == logger_name:
            RequestIdFilter().filter(record)
            line = formatter.format(record)
            assert "\n" not in line
            lines.append(json.loads(line))
    return lines


def test_a_request_is_one_json_line_with_the_fields(client, cast, caplog):
    user = cast["civil"]
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="qicai.request"):
        response = client.get(reverse("portal:projects") + "?q=张三&id=110101199003071234")
    assert response.status_code == 200
    [line] = json_lines(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/projects/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == user.pk and isinstance(line["user_id"], int)
    assert line["request_id"] == response[HEADER]
    assert line["level"] == "INFO" and line["logger"] == "qicai.request" and "time" in line
    text = json.dumps(line, ensure_ascii=False)
    for secret in ("张三", "110101199003071234", "?", user.username):
        assert secret not in text


def test_a_sane_request_id_round_trips(client, caplog):
    with caplog.at_level(logging.INFO, logger="qicai.request"):
        response = client.get(reverse("portal:login"), headers={"X-Request-ID": "lb-4f2a.9_c-1"})
    assert response[HEADER] == "lb-4f2a.9_c-1"
    [line] = json_lines(caplog)
    assert line["request_id"] == "lb-4f2a.9_c-1"
    assert line["user_id"] is None


@pytest.mark.parametrize("given", ["", "a b", "x" * 65, "<script>", "id\r\nSet-Cookie: a=b", "编号"])
def test_an_insane_request_id_is_replaced(client, given):
    response = client.get(reverse("portal:login"), headers={"X-Request-ID": given})
    assert response[HEADER] != given
    assert len(response[HEADER]) == 32 and response[HEADER].isalnum()


def test_each_request_gets_its_own_id(client):
    first = client.get(reverse("portal:login"))[HEADER]
    second = client.get(reverse("portal:login"))[HEADER]
    assert first != second


def test_paths_hold_no_personal_data():
    """The log keeps whole paths: every URL parameter must be a number, a year, a project code or a slug."""
    from django.urls import URLPattern, URLResolver, get_resolver

    allowed = {"int", "slug", "path", "string"}
    named_str = {
        "code",
        "fmt",
        "kind",
        "app_label",
        "model_name",
        "object_id",
        "url",
        "content_type_id",
        "id",
        "round_id",
    }

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}

    for route, converters in walk(get_resolver().url_patterns):
        for name, converter in converters.items():
            kind = type(converter).__name__.removesuffix("Converter").lower()
            assert kind in allowed, route
            if kind in ("string", "path"):
                assert name in named_str, f"{route}: <{name}> may carry free text into the request log"


def test_an_exception_is_logged_with_the_request_id(client, caplog, settings):
    settings.ROOT_URLCONF = "tests.qicai.error_urls"
    client.raise_request_exception = False
    caplog.handler.addFilter(RequestIdFilter())  # as on the console handler of settings.LOGGING
    with caplog.at_level(logging.INFO):
        response = client.get("/explode/", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 500
    assert response[HEADER] == "trace-me-1"
    errors = [record for record in caplog.records if record.name == "django.request" and record.exc_info]
    assert errors and errors[0].request_id == "trace-me-1"
    [line] = json_lines(caplog)
    assert line["status"] == 500 and line["request_id"] == "trace-me-1"


def test_probes_are_logged_only_when_they_fail(client, caplog):
    with caplog.at_level(logging.INFO, logger="qicai.request"):
        client.get("/healthz")
        client.get("/readyz")
    assert json_lines(caplog) == []


def test_production_logging_writes_json_and_development_text(tmp_path):
    """settings.LOGGING as configured (settings_test replaces it): JSON lines without DEBUG, text with it."""
    import os
    import subprocess
    import sys

    code = (
        "import logging, logging.config, qicai.settings as s; logging.config.dictConfig(s.LOGGING);"
        "logging.getLogger('qicai.request').info('GET / 200', extra={'status': 200, 'user_id': 7})"
    )
    base = {"PATH": os.environ.get("PATH", ""), "SECRET_KEY": "x" * 50, "QICAI_VAR_DIR": str(tmp_path)}
    production = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, check=True)
    line = json.loads(production.stderr)
    assert line["status"] == 200 and line["user_id"] == 7 and line["request_id"] == "-"
    assert line["logger"] == "qicai.request" and line["level"] == "INFO" and line["message"] == "GET / 200"
    development = subprocess.run(
        [sys.executable, "-c", code], env={**base, "DEBUG": "1"}, capture_output=True, text=True, check=True
    )
    assert development.stderr.rstrip().endswith("INFO qicai.request [-] GET / 200")
