"""Load test of the production stack (`make load`): signed-in demo users on loopback, bounded in time.

By default it starts the stack itself (scripts/serve-prod.sh: gunicorn, a task worker, a throwaway
PostgreSQL cluster with the demo district), waits until /readyz answers, signs in one session per
simulated user (the demo accounts in turn, through the portal's login page), runs locust headless
(bench/locustfile.py) at each number of concurrent users for the given time, stops the stack with
Ctrl-C's signal and prints, per endpoint and in total, requests per second, p50 / p95 / p99 in
milliseconds and errors. With --url it measures a stack that is already running (loopback only).

    .venv/bin/python bench/load.py                      # 8 and 32 users, 2 minutes each
    .venv/bin/python bench/load.py --users 8 --duration 20   # a smoke run
"""

import argparse
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ["dashboard", "directory", "dossier", "changelist", "pdf"]
ACCOUNTS = ["civil", "committee", "association", "unit", "unit2"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROJECT = re.compile(r'href="/projects/([^"/?]+)/"')
AGREEMENT = re.compile(r'href="/admin/projects/agreement/(\d+)/change/')


def sign_in(url: str, username: str, password: str) -> dict:
    """A signed-in session through the portal's login page: its cookies."""
    session = requests.Session()
    token = CSRF.search(session.get(f"{url}/accounts/login/", timeout=120).text).group(1)
    answer = session.post(
        f"{url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
        timeout=120,
    )
    if answer.status_code != 302:
        sys.exit(f"Signing in as {username} answered {answer.status_code}.")
    return session.cookies.get_dict()


def look_around(url: str, cookies: dict) -> dict:
    """What this account may read: up to 20 of its projects and two agreements it may print."""
    session = requests.Session()
    session.cookies.update(cookies)
    projects = list(dict.fromkeys(PROJECT.findall(session.get(f"{url}/projects/", timeout=120).text)))[:20]
    pdfs = []
    listing = session.get(f"{url}/admin/projects/agreement/", timeout=120).text
    for pk in list(dict.fromkeys(AGREEMENT.findall(listing)))[:6]:
        response = session.get(f"{url}/documents/agreements/{pk}.pdf", timeout=120)
        if response.status_code == 200 and response.content.startswith(b"%PDF"):
            pdfs.append(f"/documents/agreements/{pk}.pdf")
        if len(pdfs) == 2:
            break
    return {"projects": projects, "pdfs": pdfs}


def prepare_sessions(url: str, count: int, path: Path) -> None:
    """``count`` signed-in sessions (the demo accounts in turn) with what each may read, for the locustfile."""
    password = os.environ.get("QICAI_DEMO_PASSWORD", "qicai-demo-2013")
    accounts = [ACCOUNTS[n % len(ACCOUNTS)] for n in range(count)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        cookies = list(pool.map(lambda name: sign_in(url, name, password), accounts))
    seen = {}
    for name, jar in zip(accounts, cookies, strict=True):
        if name not in seen:
            seen[name] = look_around(url, jar)
    path.write_text(
        json.dumps([{"account": a, "cookies": c, **seen[a]} for a, c in zip(accounts, cookies, strict=True)])
    )
    missing = [name for name, found in seen.items() if not (found["projects"] and found["pdfs"])]
    if missing:
        print(f"Note: no project or no printable agreement found for {', '.join(missing)}.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, stack: subprocess.Popen | None, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack is not None and stack.poll() is not None:
            sys.exit(f"The stack stopped before it was ready (status {stack.returncode}).")
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/readyz", timeout=5) as response:
                if json.load(response).get("ready"):
                    return
        except OSError:
            pass
        time.sleep(1)
    sys.exit(f"{url} was not ready within {timeout:.0f} s.")


def start_stack(port: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PORT=str(port))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        ["scripts/serve-prod.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_stack(stack: subprocess.Popen) -> None:
    if stack.poll() is None:
        os.killpg(stack.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            stack.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)


def run_locust(url: str, users: int, duration: int, prefix: Path, sessions: Path) -> None:
    """Locust headless for ``duration`` seconds, the users already signed in; its own output to a log."""
    command = [
        str(ROOT / ".venv/bin/locust"),
        "-f",
        str(ROOT / "bench/locustfile.py"),
        "--headless",
        "--host",
        url,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{duration}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(f"{prefix}-locust.log", "w") as log:
        env = dict(os.environ, QICAI_LOAD_SESSIONS=str(sessions))
        subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_name = {row["Name"]: row for row in rows}
    ordered = [by_name[name] for name in ENDPOINTS if name in by_name]
    ordered += [row for row in rows if row["Name"] not in ENDPOINTS and row["Name"] != "Aggregated"]
    ordered += [by_name["Aggregated"]] if "Aggregated" in by_name else []
    return ordered


def table(users: int, duration: int, rows: list[dict]) -> str:
    lines = [
        f"{users} concurrent users, {duration} s",
        "",
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = "total" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"| {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {row['Failure Count']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running stack on loopback (default: start scripts/serve-prod.sh)")
    parser.add_argument("--users", default="8,32", help="concurrent users per run, comma-separated [8,32]")
    parser.add_argument("--duration", type=int, default=120, help="seconds per run [120]")
    parser.add_argument("--out", type=Path, help="folder for locust's CSV files and the tables [var/load-TIME]")
    args = parser.parse_args()
    user_counts = [int(n) for n in args.users.split(",") if n.strip()]
    out = args.out or ROOT / "var" / f"load-{datetime.now():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)

    stack = None
    if args.url:
        url = args.url.rstrip("/")
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("Load tests run against loopback only.")
    else:
        port = int(os.environ.get("PORT") or free_port())
        url = f"http://127.0.0.1:{port}"
        print(f"Starting the stack on {url} (log: {out / 'stack.log'}) …", flush=True)
        stack = start_stack(port, out / "stack.log")
    try:
        wait_ready(url, stack)
        results = []
        for users in user_counts:
            print(f"Running {users} users for {args.duration} s …", flush=True)
            prefix = out / f"u{users}"
            sessions = out / f"u{users}-sessions.json"  # session cookies: removed after the run
            prepare_sessions(url, users, sessions)
            try:
                run_locust(url, users, args.duration, prefix, sessions)
            finally:
                sessions.unlink(missing_ok=True)
            results.append(table(users, args.duration, read_stats(prefix)))
            print(results[-1] + "\n", flush=True)
    finally:
        if stack is not None:
            stop_stack(stack)
    (out / "results.md").write_text("\n\n".join(results) + "\n")
    print(f"Tables and CSV files: {out}")
    failed = False
    for users in user_counts:
        total = read_stats(out / f"u{users}")[-1]
        with open(out / f"u{users}_exceptions.csv", newline="") as handle:
            crashes = list(csv.DictReader(handle))
        for crash in crashes:
            print(f"{users} users: {crash['Count']} × {crash['Message']} (see {out}/u{users}-locust.log)")
        failed |= int(total["Failure Count"]) > 0 or int(total["Request Count"]) == 0 or bool(crashes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
