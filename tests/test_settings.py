import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import qicai.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_requires_a_secret_key():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert load_settings(DEBUG="0", SECRET_KEY="x" * 50).returncode == 0


def test_sqlite_by_default_and_postgres_by_url():
    assert load_settings().stdout.split() == ["django.db.backends.sqlite3", "True"]
    result = load_settings(DATABASE_URL="postgres://u:p@db.internal:5432/qicai")
    assert result.stdout.split()[0] == "django.db.backends.postgresql"
