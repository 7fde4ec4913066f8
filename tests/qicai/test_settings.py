import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import qicai.settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.DEBUG, ','.join(s.ALLOWED_HOSTS), s.SECRET_KEY[:8])"
)


def load_settings(printing=PRINT_SETTINGS, **env):
    """Import qicai.settings in a fresh interpreter whose environment holds only PATH and ``env``."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run([sys.executable, "-c", printing], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_a_clean_environment_refuses_to_start_with_a_clear_message():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr and "DEBUG=1" in result.stderr
    assert "True" not in result.stdout and "*" not in result.stdout


def test_a_secret_key_alone_gives_production_settings():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    _engine, debug, hosts, key = result.stdout.split()
    assert debug == "False"
    assert hosts == "127.0.0.1,localhost"
    assert key == "x" * 8


def test_development_mode_is_explicit_and_never_allows_every_host():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    _engine, debug, hosts, _key = result.stdout.split()
    assert debug == "True"
    assert hosts == "127.0.0.1,localhost,[::1]"
    assert load_settings(DEBUG="0").returncode != 0


def test_sqlite_by_default_and_postgres_by_url():
    assert load_settings(DEBUG="1").stdout.split()[0] == "django.db.backends.sqlite3"
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://u:p@db.internal:5432/qicai")
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_the_test_settings_need_no_environment():
    result = subprocess.run(
        [sys.executable, "-c", "import qicai.settings_test as s; print(s.DEBUG)"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]


def test_uploads_live_outside_the_static_files():
    """Static files are served to anyone; uploads (signed scans, photos) only through scoped views."""
    result = load_settings("import qicai.settings as s; print(s.MEDIA_ROOT); print(s.STATIC_ROOT)", DEBUG="1")
    assert result.returncode == 0, result.stderr
    media, static = (Path(line) for line in result.stdout.splitlines())
    assert not media.is_relative_to(static) and not static.is_relative_to(media), (media, static)


def manage(*args, **env):
    """``manage.py`` in a fresh interpreter whose environment holds only PATH and ``env``."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_a_migrations_check_on_a_bare_machine_needs_no_key_but_serving_does():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    for command in (["check", "--deploy"], ["runserver", "--noreload"], ["migrate"]):
        refused = manage(*command)
        assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr, command
