#!/usr/bin/env python
"""City-scale page benchmark (issue 16): each page's server time beside the time of its own SQL.

    scripts/with-postgres.sh .venv/bin/python bench/scale.py              (the city: 10,000 projects)
    scripts/with-postgres.sh .venv/bin/python bench/scale.py --scale 0.1  (a tenth of it)
    .venv/bin/python bench/scale.py --scale 0.01                          (SQLite in a temporary folder)

Against DATABASE_URL when set (``scripts/with-postgres.sh`` gives a throwaway cluster), else a SQLite
file in a temporary folder. The database is migrated and filled by ``seed_scale`` unless it already
holds the city's data (``--reuse`` keeps a filled one). Then, for ``admin``, ``civil`` and ``unit``,
every page below is requested in-process (``django.test.Client``, DEBUG off, as in production):
a few warm-up requests, then ``--repeat`` timed ones, median and p95. The page's queries are captured
once, and the SELECTs among them re-executed as they were sent and timed (median of ``--sql-repeat``):
the page's own SQL, the baseline. ``page/SQL`` is the ratio; issue 16 asks for ≤ 2. ``cold`` is the median
of a few requests each made right after a change of the data (a new ``projects.data_version``), when no
kept figure or fragment is valid: what the first reader after a write waits.

Pages: the portal's dashboard, directory (first page, filtered, a deep page) and one project's dossier;
every admin changelist the role may open; the project change page. Issue 16's targets are printed
beside the figures. Load: run it on a quiet machine (the figures are printed with the load average).
At full size the fill takes about 4 minutes and all the pages of the three roles about 20 more; ``--only``
and ``--roles`` narrow it (``--only portal,enrollment,project change``).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-scale-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import django

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from projects import data_version  # noqa: E402

ROLES = ["admin", "civil", "unit"]
# Issue 16's targets at city scale, in ms, by kind of page.
TARGETS = {"directory": 30, "dossier": 40, "dashboard": 80, "changelist": 60, "project page": 60}
SQL_RATIO_TARGET = 2.0


class Recorder:
    """An execute wrapper keeping each statement as sent (SQL and parameters), to run it again."""

    def __init__(self):
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sql_time(statements, repeat: int) -> float:
    """The median over ``repeat`` runs of the SELECTs' total time (rows fetched), in seconds."""
    selects = [
        (sql, params)
        for sql, params, many in statements
        if not many and sql.lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    totals = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            start = time.perf_counter()
            for sql, params in selects:
                cursor.execute(sql, params)
                cursor.fetchall()
            totals.append(time.perf_counter() - start)
    return statistics.median(totals)


def measure(client: Client, url: str, *, warmup: int, repeat: int, sql_repeat: int) -> dict:
    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            return {"status": response.status_code}
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        client.get(url)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    # Cold: the first request after a change of the data (a new data version), when nothing kept is valid.
    cold = []
    for _ in range(max(3, repeat // 6)):
        data_version.changed()
        start = time.perf_counter()
        client.get(url)
        cold.append(time.perf_counter() - start)
    return {
        "cold": statistics.median(cold),
        "status": 200,
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "queries": len(recorder.statements),
        "sql": sql_time(recorder.statements, sql_repeat),
    }


def pages_for(user) -> list[tuple[str, str, str]]:
    """(kind, label, url) of every page measured for ``user``."""
    from projects.models import Project, ServiceCategory
    from projects.permissions import is_implementing_unit

    visible = Project.objects.all()
    if is_implementing_unit(user):
        visible = visible.filter(implementing_unit=user.membership.organization)
    project = (
        visible.filter(status="in_progress", enrollments__isnull=False).order_by("-round__year", "sequence").first()
        or visible.order_by("-round__year", "sequence").first()
    )
    category = ServiceCategory.objects.order_by("order").first()
    deep = max(1, Project.objects.count() // 25 // 2)  # half-way through the directory (25 a page)
    pages = [
        ("dashboard", "portal dashboard", "/"),
        ("directory", "portal directory", "/projects/"),
        ("directory", "portal directory, filtered", f"/projects/?round=2013&category={category.pk}&status=in_progress"),
        ("directory", "portal directory, deep page", f"/projects/?page={deep}"),
        ("dossier", "portal dossier", f"/projects/{project.code}/"),
    ]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(("changelist", f"{opts.model_name} changelist", f"/admin/{opts.app_label}/{opts.model_name}/"))
    pages.append(("project page", "project change page", f"/admin/projects/project/{project.pk}/change/"))
    return pages


def ensure_data(scale: float, reuse: bool) -> None:
    from projects.models import Project

    call_command("migrate", verbosity=0)
    if reuse and Project.objects.filter(code__startswith="QC-2005-").exists():
        print("database already holds the city's data: not seeded again")
        return
    start = time.perf_counter()
    call_command("seed_scale", scale=scale)
    print(f"seed_scale --scale {scale}: {time.perf_counter() - start:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sql-repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep a database already filled by seed_scale.")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument(
        "--only", default="", help="Measure only pages whose label contains one of these texts (comma-separated)."
    )
    args = parser.parse_args()

    setup_test_environment(debug=False)  # as in production; DEBUG would also fill the query log
    ensure_data(args.scale, args.reuse)
    from projects.models import Enrollment, Project

    print(
        f"database: {connection.vendor}; projects {Project.objects.count():,}, cases {Enrollment.objects.count():,}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"median and p95 of {args.repeat} requests after {args.warmup} warm-up"
    )
    header = f"{'page':34} {'role':6} {'median':>7} {'p95':>7} {'cold':>7} {'q':>4} {'SQL':>7} {'page/SQL':>8}"
    header += f" {'target':>7}"
    header += f" {'≤target':>8} {'≤2×SQL':>7}"
    print(header)
    print("-" * len(header))
    misses = 0
    for role in args.roles.split(","):
        user = get_user_model().objects.get(username=role)
        client = Client()
        client.force_login(user)
        for kind, label, url in pages_for(user):
            if args.only and not any(text in label for text in args.only.split(",")):
                continue
            figures = measure(client, url, warmup=args.warmup, repeat=args.repeat, sql_repeat=args.sql_repeat)
            if figures["status"] != 200:
                print(f"{label:34} {role:6} {'(HTTP ' + str(figures['status']) + ')':>7}")
                continue
            median, sql = figures["median"] * 1000, figures["sql"] * 1000
            ratio = median / sql if sql else float("inf")
            target = TARGETS[kind]
            fast, lean = median <= target, ratio <= SQL_RATIO_TARGET
            misses += not (fast and lean)
            print(
                f"{label:34} {role:6} {median:7.1f} {figures['p95'] * 1000:7.1f} {figures['cold'] * 1000:7.1f} "
                f"{figures['queries']:4d} "
                f"{sql:7.1f} {ratio:8.1f} {target:7d} {'yes' if fast else 'no':>8} {'yes' if lean else 'no':>7}"
            )
    print(f"\nms; targets (issue 16): page ≤ target and page ≤ {SQL_RATIO_TARGET:g}× its SQL. Pages missing: {misses}")


if __name__ == "__main__":
    main()
