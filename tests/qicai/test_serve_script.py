"""`make serve` (scripts/serve-prod.sh): the whole stack comes up on a throwaway PostgreSQL cluster and
Ctrl-C stops all of it: gunicorn, the task worker and the cluster, nothing left behind.

About 30 seconds (a cluster, the migrations, collectstatic): it runs in the PostgreSQL session of CI
(`make test-postgres`) and wherever gunicorn and PostgreSQL's server binaries are installed.
"""

import glob
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL session"),
    pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin/initdb"), reason="no PostgreSQL server binaries"),
    pytest.mark.skipif(not (ROOT / ".venv/bin/gunicorn").exists(), reason="no gunicorn"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_members(pgid: int) -> list[str]:
    listing = subprocess.run(["ps", "-o", "pid=,pgid=,args=", "-A"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if line.split()[1] == str(pgid)]


def postgres_of(pattern: str) -> list[str]:
    found = subprocess.run(["pgrep", "-af", "--", pattern], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if "postgres" in line and "pgrep" not in line]


def test_the_stack_comes_up_and_ctrl_c_stops_all_of_it(tmp_path):
    port = free_port()
    # The stack's own environment, not the test session's (the browser tests' conftest, collected in every
    # session, sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(PORT=str(port), WEB_CONCURRENCY="2", QICAI_VAR_DIR=str(tmp_path / "var"), QICAI_SERVE_DEMO="0")
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115
    # A session of its own, as a terminal's foreground job: Ctrl-C signals the whole process group.
    stack = subprocess.Popen(
        ["scripts/serve-prod.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        ready = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and stack.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    ready = json.load(response)
                    break
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert ready is not None and ready["ready"] is True, output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
        members = group_members(stack.pid)
        assert any("gunicorn" in line for line in members), members
        assert any("db_worker" in line for line in members), members
        cluster = output.split("PostgreSQL ", 1)[1].split(" on ", 1)[1].split()[0]  # 127.0.0.1:PORT
        cluster_port = cluster.split(":")[1]
        assert postgres_of(f"-p {cluster_port}"), "the throwaway cluster is not running"
        secret = tmp_path / "var" / "secret_key"
        assert secret.stat().st_mode & 0o077 == 0 and len(secret.read_text().strip()) >= 50

        os.killpg(stack.pid, signal.SIGINT)
        stack.wait(timeout=60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (group_members(stack.pid) or postgres_of(f"-p {cluster_port}")):
            time.sleep(0.5)
        assert group_members(stack.pid) == []
        assert postgres_of(f"-p {cluster_port}") == []
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        if stack.poll() is None:  # a failed assertion: stop it the same way, so the cluster goes too
            os.killpg(stack.pid, signal.SIGINT)
            try:
                stack.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
        log.close()
