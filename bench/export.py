#!/usr/bin/env python
"""Benchmark of the case export (个案): rows per second and peak memory at 10,000 and 100,000 rows.

    make bench            (runs bench/run.py, then this)
    .venv/bin/python bench/export.py [--rows 10000,100000]

Seeds the demo district on a throwaway SQLite database in a temporary folder (or DATABASE_URL when
set), grows the cases with ``bulk_create`` to each size, and exports the whole case list through the
admin as ``civil`` (masked: the usual export), every column ticked, as XLSX and as CSV. The file is
read to its end as a browser would. Each export runs three times: once to warm up, once timed, once
under ``tracemalloc`` for the peak of Python memory during the request (tracemalloc slows it, so it is
not timed). A flat
peak from 10,000 to 100,000 rows is the point: the rows are streamed, never held.
"""

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-export-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

BATCH = 5000
MIB = 1024 * 1024


def grow_cases(total: int) -> None:
    """Cases up to ``total``, spread over the running projects, each with its own person (ID number,
    birth date and phone set, so the masking runs on every row). Bulk, for speed."""
    from projects.models import Beneficiary, Enrollment, Project
    from projects.validators import id_number_check_character

    projects = list(Project.objects.filter(status="in_progress").order_by("pk"))
    start = Enrollment.objects.count()
    born = datetime.date(1940, 1, 1)
    for first in range(start, total, BATCH):
        indexes = range(first, min(first + BATCH, total))
        people = []
        for i in indexes:
            birth = born + datetime.timedelta(days=i // 1000)
            first17 = f"110101{birth:%Y%m%d}{i % 1000:03d}"  # an area code the demo district does not use
            people.append(Beneficiary(code=f"BX{i:08d}", id_number=first17 + id_number_check_character(first17)))
        people = Beneficiary.objects.bulk_create(people)
        Enrollment.objects.bulk_create(
            Enrollment(
                code=f"{projects[i % len(projects)].code}/X{i:06d}",
                sequence=100000 + i,
                beneficiary=person,
                project=projects[i % len(projects)],
                name=f"测试{i}",
                gender="female" if i % 2 else "male",
                date_of_birth=born + datetime.timedelta(days=i // 1000),
                phone=f"139{i:08d}",
                special_group="elderly",
                intake_date=datetime.date(2013, 11, 1),
                consent_on=datetime.date(2013, 11, 1),
            )
            for i, person in zip(indexes, people, strict=True)
        )


def export_once(client, file_format: str, columns: list[str]) -> tuple[int, int]:
    """One export through the admin, the body read to its end: (rows in the file, bytes)."""
    response = client.post("/admin/projects/enrollment/export/", {"format": file_format, "columns": columns})
    assert response.status_code == 200, response.status_code
    size = 0
    lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return lines - 1 if file_format == "csv" else 0, size


def measure(client, file_format: str, columns: list[str]) -> dict:
    export_once(client, file_format, columns)  # warm: the database's page cache after growing, the code paths
    started = time.perf_counter()
    rows, size = export_once(client, file_format, columns)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    export_once(client, file_format, columns)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak": peak, "size": size, "rows": rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,100000", help="case counts to measure at, comma-separated")
    sizes = [int(n) for n in parser.parse_args().rows.split(",")]

    setup_test_environment(debug=False)  # as in production; DEBUG would also fill the query log
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    from django.contrib.auth import get_user_model

    from projects.exports import EnrollmentResource
    from projects.models import Enrollment

    client = Client()
    client.force_login(get_user_model().objects.get(username="civil"))
    columns = [field.name for field in EnrollmentResource.fields]

    print(f"database: {connection.vendor}")
    print(f"export of the case list (个案) as civil, masked, {len(columns)} columns, the file read to its end")
    print(f"{'rows':>8} {'format':>6} {'seconds':>8} {'rows/s':>8} {'peak MiB':>9} {'file MiB':>9}")
    for total in sizes:
        started = time.perf_counter()
        grow_cases(total)
        rows = Enrollment.objects.count()
        print(f"  (grown to {rows:,} cases in {time.perf_counter() - started:.1f} s)")
        for file_format in ("xlsx", "csv"):
            figures = measure(client, file_format, columns)
            if file_format == "csv":
                assert figures["rows"] == rows, (figures["rows"], rows)
            print(
                f"{rows:8,d} {file_format:>6} {figures['seconds']:8.1f} {rows / figures['seconds']:8,.0f} "
                f"{figures['peak'] / MIB:9.1f} {figures['size'] / MIB:9.1f}"
            )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS over the whole run (seeding and growing included): {maxrss:.0f} MiB")


if __name__ == "__main__":
    main()
