"""`make run` (scripts/serve-dev.sh): an empty database is migrated and seeded, the server and the background
worker come up, Ctrl-C stops both; a second run changes nothing and answers within seconds; a port in use
is refused with a message that names another (about 40 seconds: the migrations and the demo district)."""

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite session")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(var: Path, port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return {**env, "PORT": str(port), "QICAI_VAR_DIR": str(var), "DEBUG": "1"}


def start(var: Path, port: int, log: Path) -> subprocess.Popen:
    # A session of its own, as a terminal's foreground job: Ctrl-C signals the whole process group.
    return subprocess.Popen(
        ["scripts/serve-dev.sh"],
        cwd=ROOT,
        env=environment(var, port),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_page(port: int, process: subprocess.Popen, log: Path, timeout: float = 240) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - began
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no page within {timeout} s:\n{log.read_text()}")


def group_members(pgid: int) -> list[str]:
    listing = subprocess.run(["ps", "-o", "pid=,pgid=,args=", "-A"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if line.split()[1] == str(pgid)]


def ctrl_c(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)  # the worker may finish a task in hand first (at most 15 s)
    deadline = time.monotonic() + 10
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert group_members(process.pid) == []  # the server and the worker are gone


def counts(database: Path) -> tuple:
    with sqlite3.connect(database) as db:
        return tuple(
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("projects_project", "auth_user", "projects_auditentry", "django_migrations")
        )


def test_make_run_serves_with_a_worker_stops_on_ctrl_c_and_starts_again_unchanged(tmp_path):
    var, port = tmp_path / "var", free_port()
    first = start(var, port, tmp_path / "first.log")
    wait_for_page(port, first, tmp_path / "first.log")
    workers = [line for line in group_members(first.pid) if "db_worker" in line]
    assert workers, "the background worker runs beside the server"
    ctrl_c(first)
    seeded = counts(var / "db.sqlite3")
    assert seeded[0] == 116  # the demo district's projects

    second = start(var, port, tmp_path / "second.log")
    assert wait_for_page(port, second, tmp_path / "second.log") < 30  # no migration, no seeding: seconds
    ctrl_c(second)
    assert counts(var / "db.sqlite3") == seeded  # a second run changes nothing


def test_a_port_in_use_is_refused_with_another_named(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["scripts/serve-dev.sh"], cwd=ROOT, env=environment(tmp_path / "var", port), capture_output=True, text=True
        )
    assert result.returncode == 1
    assert f"make run PORT={port + 1}" in result.stderr
    assert "已被占用" in result.stderr
    assert not (tmp_path / "var" / "db.sqlite3").exists()  # nothing was started or written
