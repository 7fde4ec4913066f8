#!/usr/bin/env python
"""Benchmarks that print figures: seeding, and admin and portal pages at demo size vs ten times the rows.

    make bench            (or: .venv/bin/python bench/run.py)

Runs on a throwaway SQLite database in a temporary folder (or DATABASE_URL when set) and
prints, per page, the median time at demo size, at ten times the projects, and their ratio.
The ratio is what matters: a page whose cost grows with the table shows a ratio well above 1.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REPEAT = 15


def timed(fn, repeat=REPEAT):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def page_figures(client, urls):
    figures = {}
    for label, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        count = len(queries)  # read now: later requests reset the query log it slices
        figures[label] = (timed(lambda url=url: client.get(url)), count)
    return figures


def multiply_projects(factor):
    from projects.models import Project
    from projects.services import instalment_plan_create, project_create

    originals = list(Project.objects.all())
    for _ in range(factor - 1):
        for original in originals:
            copy = Project(
                **{
                    f.attname: getattr(original, f.attname)
                    for f in Project._meta.concrete_fields
                    if f.attname not in {"id", "code", "sequence"}
                }
            )
            project_create(project=copy)
            instalment_plan_create(project=copy) if copy.approved_amount else None


def grow_casework(people: int) -> None:
    """Thousands more people, cases and activities spread over the running projects (bulk, for speed)."""
    from projects.models import Activity, Beneficiary, Enrollment, Project

    projects = list(Project.objects.filter(status="in_progress").order_by("pk"))
    start = Beneficiary.objects.count()
    beneficiaries = Beneficiary.objects.bulk_create(Beneficiary(code=f"FW{start + i + 1:08d}") for i in range(people))
    Enrollment.objects.bulk_create(
        Enrollment(
            code=f"{projects[i % len(projects)].code}/B{i:05d}",
            sequence=1000 + i,
            beneficiary=b,
            project=projects[i % len(projects)],
            name=f"测{i}",
            special_group="elderly",
            intake_date="2013-11-01",
            consent_on="2013-11-01",
        )
        for i, b in enumerate(beneficiaries)
    )
    Activity.objects.bulk_create(
        Activity(project=projects[i % len(projects)], type="group", title=f"活动{i}", date="2013-12-01")
        for i in range(people // 2)
    )


def main():
    setup_test_environment(debug=False)  # as in production; DEBUG would also fill the query log
    call_command("migrate", verbosity=0)
    seed_seconds = timed(lambda: call_command("seed_demo", verbosity=0), repeat=1)
    reseed_seconds = timed(lambda: call_command("seed_demo", verbosity=0), repeat=3)
    print(f"database: {connection.vendor}")
    print(f"seed_demo (empty database):   {seed_seconds * 1000:8.1f} ms")
    print(f"seed_demo (again, no change): {reseed_seconds * 1000:8.1f} ms")

    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    urls = {
        "project changelist": "/admin/projects/project/",
        "project changelist, 2013 filter": "/admin/projects/project/?round__id__exact=1",
        "project change page": "/admin/projects/project/1/change/",
        "agreement changelist": "/admin/projects/agreement/",
        "organization changelist": "/admin/projects/organization/",
        "round changelist (money, SQL)": "/admin/projects/round/",
        "round change page (money)": "/admin/projects/round/2/change/",
        "instalment changelist": "/admin/projects/instalment/",
        "todo page": "/admin/todo/",
        "beneficiary changelist": "/admin/projects/beneficiary/",
        "enrollment changelist": "/admin/projects/enrollment/",
        "activity changelist": "/admin/projects/activity/",
        "portal dashboard (2013)": "/",
        "portal dashboard (2012)": "/?round=2012",
        "portal directory": "/projects/",
        "portal directory, 2013 by amount": "/projects/?round=2013&sort=-amount",
        "portal dossier": "/projects/QC-2013-001/",
        "public 公示 (2013)": "/public/2013/",
        "public open data (JSON)": "/public/2013/projects.json",
    }
    from projects.models import Project

    small_rows = Project.objects.count()
    small = page_figures(client, urls)
    multiply_projects(10)
    grow_casework(5000)
    large_rows = Project.objects.count()
    large = page_figures(client, urls)

    from projects.models import Enrollment

    print(
        f"\nadmin pages as superuser, median of {REPEAT} (projects: {small_rows} vs {large_rows}; "
        f"cases: 548 vs {Enrollment.objects.count()})"
    )
    print(f"{'page':34} {'small ms':>9} {'q':>3} {'large ms':>9} {'q':>3} {'ratio':>6}")
    # The dashboard's charts are cached by their figures: the first request after a change renders them.
    for label in urls:
        (s, sq), (g, gq) = small[label], large[label]
        print(f"{label:34} {s * 1000:9.1f} {sq:3d} {g * 1000:9.1f} {gq:3d} {g / s:6.2f}")


if __name__ == "__main__":
    main()
