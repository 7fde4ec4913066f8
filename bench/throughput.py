#!/usr/bin/env python
"""Requests per second through the production stack at 8 connections (issue 16).

    DATABASE_URL=postgres://… .venv/bin/python bench/throughput.py           # starts the stack on that database
    .venv/bin/python bench/throughput.py --url http://127.0.0.1:8000        # a stack already running

Starts ``scripts/serve-prod.sh`` (gunicorn with 2 × cores + 1 processes, production settings; two-factor
sign-in off for the demo accounts) against DATABASE_URL — the city of ``seed_scale`` for issue 16's figure —
signs ``civil`` and ``unit`` in through the login page, then for each page keeps 8 connections busy
(each a thread sending the next request as soon as the last one answered) for ``--duration`` seconds
after a warm-up, and prints requests per second, p50 / p95 in ms and errors. The baseline in the same run
is ``/healthz`` (the stack's own floor: middleware, no page). The load generator runs on the same machine
and takes part of its cores.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # (bench/load.py: sign_in, free_port, wait_ready, start_stack, stop_stack)

PAGES = [
    ("healthz (baseline)", "/healthz", None),
    ("portal directory", "/projects/", "civil"),
    ("portal directory", "/projects/", "unit"),
    ("project changelist", "/admin/projects/project/", "civil"),
    ("project changelist", "/admin/projects/project/", "unit"),
]


def hammer(url: str, path: str, cookie: str, connections: int, seconds: float) -> dict:
    """``connections`` threads requesting ``path`` back to back for ``seconds``: latencies and errors."""
    parts = urlsplit(url)
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine, failed = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else 0,
        "errors": errors[0],
    }


PASSWORDS = """
import django, os
django.setup()
from django.contrib.auth import get_user_model
for name in ("civil", "unit"):
    user = get_user_model().objects.get(username=name)
    if not user.check_password(os.environ["PASSWORD"]):
        user.set_password(os.environ["PASSWORD"])
        user.save(update_fields=["password"])
        print(f"{name}: password stored again with the production hasher")
"""


def production_passwords(password: str) -> None:
    """A database filled by ``bench/scale.py`` (test settings) stores the demo passwords with the tests' fast
    hasher, which production does not accept: store them again as production does (the same password)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="qicai.settings", SECRET_KEY="throughput-bench", PASSWORD=password)
    subprocess.run([sys.executable, "-c", PASSWORDS], cwd=load.ROOT, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A stack already running (loopback); else one is started.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()

    stack = None
    url = args.url
    if not url:
        if not os.environ.get("DATABASE_URL"):
            sys.exit("Set DATABASE_URL (the database to serve), or --url for a running stack.")
        os.environ.setdefault("QICAI_REQUIRE_2FA", "0")  # the demo accounts sign in with the password alone
        os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-throughput-"))
        production_passwords(os.environ.get("QICAI_DEMO_PASSWORD", "qicai-demo-2013"))
        port = load.free_port()
        url = f"http://127.0.0.1:{port}"
        stack = load.start_stack(port, Path(os.environ["QICAI_VAR_DIR"]) / "stack.log")
    try:
        load.wait_ready(url, stack)
        password = os.environ.get("QICAI_DEMO_PASSWORD", "qicai-demo-2013")
        cookies = {}
        for account in ("civil", "unit"):
            jar = load.sign_in(url, account, password)
            cookies[account] = "; ".join(f"{k}={v}" for k, v in jar.items())
        print(
            f"{url}: {args.connections} connections, {args.duration:g} s a page after {args.warmup:g} s warm-up; "
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
        )
        print(f"{'page':22} {'as':6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'÷ baseline':>10}")
        baseline = None
        for label, path, account in PAGES:
            cookie = cookies.get(account, "")
            hammer(url, path, cookie, args.connections, args.warmup)
            figures = hammer(url, path, cookie, args.connections, args.duration)
            baseline = baseline or figures["rate"]
            print(
                f"{label:22} {account or '-':6} {figures['rate']:7.1f} {figures['p50']:7.1f} {figures['p95']:7.1f} "
                f"{figures['errors']:6d} {figures['rate'] / baseline:10.2f}"
            )
    finally:
        if stack is not None:
            load.stop_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
