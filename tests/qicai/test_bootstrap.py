"""scripts/bootstrap.sh: only what is asked for, a held package manager waited for, a failed step named.

The system is played by small programs put first on PATH: ``dpkg-query`` (which packages are installed),
``id`` (root or not), ``fuser`` (whether another process holds the package manager) and ``apt-get``
(records its arguments, or fails). The real .venv is kept (it is up to date), so nothing is installed.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ["gettext", "fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]
pytestmark = pytest.mark.skipif(not (ROOT / ".venv/.installed").exists(), reason="needs the prepared .venv")


def tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def bootstrap(tmp_path, mode, *, installed=(), root=False, busy=False, apt_fails=False):
    shims = tmp_path / "bin"
    shims.mkdir(exist_ok=True)
    listed = " ".join(installed)
    tool(
        shims,
        "dpkg-query",
        f'for p in {listed}; do [ "$p" = "$3" ] && echo "install ok installed" && exit 0; done; exit 1',
    )
    tool(shims, "id", f"echo {0 if root else 1000}")
    tool(shims, "fuser", "exit 0" if busy else "exit 1")
    record = tmp_path / "apt.txt"
    tool(shims, "apt-get", f'echo "$@" >> {record}; ' + ("echo 'E: boom' >&2; exit 100" if apt_fails else "exit 0"))
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}"}
    result = subprocess.run(["scripts/bootstrap.sh", mode], cwd=ROOT, env=env, capture_output=True, text=True)
    calls = record.read_text().splitlines() if record.exists() else []
    return result, calls


def test_run_as_a_normal_user_without_the_packages_says_what_each_is_for_and_goes_on(tmp_path):
    result, calls = bootstrap(tmp_path, "run")
    assert result.returncode == 0, result.stderr
    assert "fonts-noto-cjk" in result.stdout and "PDF" in result.stdout
    assert "gettext" in result.stdout and "English" in result.stdout
    assert "chromium" not in result.stdout + result.stderr and "postgresql" not in result.stdout + result.stderr
    assert calls == []  # nothing installed without root


def test_the_test_suite_needs_its_packages(tmp_path):
    result, _calls = bootstrap(tmp_path, "test", installed=RUN)
    assert result.returncode == 1
    assert "chromium" in result.stderr and "poppler-utils" in result.stderr
    assert "postgresql" not in result.stderr  # only make test-postgres needs the server


def test_as_root_it_installs_only_what_is_missing_and_waits_for_a_busy_package_manager(tmp_path):
    result, calls = bootstrap(tmp_path, "run", installed=RUN[1:], root=True, busy=True)
    assert result.returncode == 0, result.stderr
    assert "等待" in result.stdout and "waiting" in result.stdout
    install = [call for call in calls if " install " in f" {call} "]
    assert len(install) == 1 and install[0].endswith("gettext")
    assert all("DPkg::Lock::Timeout=" in call for call in calls)  # apt waits for the lock rather than failing


def test_a_failed_step_names_itself_and_its_log(tmp_path):
    result, _calls = bootstrap(tmp_path, "test-postgres", root=True, apt_fails=True)
    assert result.returncode == 1
    assert "apt-get update" in result.stderr and "var/bootstrap.log" in result.stderr
