#!/usr/bin/env python
"""Where one page's time goes: its queries, slowest first, and a Python profile.

    DATABASE_URL=postgres://… .venv/bin/python bench/profile_page.py --user civil /admin/projects/activity/
    … --explain        also print EXPLAIN ANALYZE of the three slowest SELECTs
    … --profile 25     print the 25 costliest functions (cumulative) of one request

Runs in-process as ``bench/scale.py`` does (``django.test.Client``, DEBUG off), against the database in
DATABASE_URL or the SQLite default. It is the tool behind issue 16's fixes: read the slow statements'
plans, then the Python profile of what is left.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-profile-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


class Timer:
    """An execute wrapper recording each statement with its time."""

    def __init__(self):
        self.rows: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((time.perf_counter() - start, sql, params))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--user", default="civil")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--top", type=int, default=8, help="How many of the slowest statements to print.")
    args = parser.parse_args()

    setup_test_environment(debug=False)
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    response = client.get(args.url)
    print(f"{args.url} as {args.user}: HTTP {response.status_code}, {len(response.content):,} bytes")
    samples = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        client.get(args.url)
        samples.append(time.perf_counter() - start)
    timer = Timer()
    with connection.execute_wrapper(timer):
        client.get(args.url)
    sql_total = sum(row[0] for row in timer.rows)
    print(
        f"median {statistics.median(samples) * 1000:.1f} ms over {args.repeat}; "
        f"{len(timer.rows)} queries, {sql_total * 1000:.1f} ms in SQL"
    )
    slowest = sorted(timer.rows, key=lambda row: row[0], reverse=True)[: args.top]
    for seconds, sql, _params in slowest:
        print(f"  {seconds * 1000:7.1f} ms  {sql[:300]}")
    if args.explain and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for _seconds, sql, params in slowest[:3]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n" + "\n".join(row[0] for row in cursor.fetchall()))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(args.url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
