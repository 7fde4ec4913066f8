#!/usr/bin/env python
"""Benchmark of importing a 10,000-row projects workbook, beside the same rows written by a bare bulk_create.

    .venv/bin/python bench/imports.py [ROWS]      (make bench runs it too)

On a throwaway database (SQLite in a temporary folder, or DATABASE_URL) with the demo district:
reading the XLSX, the dry run (``import_job_start``: store, read, check every row) and the confirmation
(``import_job_confirm``: check every row again against the database, write through the services with
history and audit rows), run in this process as the worker would run them, and a plain
``Project.objects.bulk_create`` of the same rows for comparison.
Targets (issue 11): the whole import ≤ 20 s and ≤ 4 × the bulk_create.
"""

import io
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from openpyxl import Workbook  # noqa: E402


def workbook(rows: int) -> bytes:
    from projects.models import Organization, ServiceCategory

    units = list(Organization.objects.filter(type="agency").values_list("name", flat=True))
    colours = list(ServiceCategory.objects.values_list("colour_name", flat=True))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("项目")
    sheet.append(["2014年度七彩工程项目汇总表"])
    sheet.append(["项目名称", "年度", "实施单位", "服务类别", "申请金额（元）", "开始日期", "结束日期", "目标服务人数"])
    for n in range(rows):
        sheet.append(
            [
                f"测试项目{n:05d}",
                2014,
                units[n % len(units)],
                colours[n % len(colours)],
                10000 + n % 50 * 100,
                "2014-09-01",
                "2015年8月31日",
                30 + n % 100,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(rows: int) -> None:
    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from projects.imports.jobs import import_job_confirm, import_job_start
    from projects.imports.projects import ProjectImporter
    from projects.models import AuditEntry, Organization, Project, Round, ServiceCategory
    from projects.tabular.reading import read_table

    settings.QICAI_IMPORT_INLINE_BYTES = 1 << 40  # in this process, not by the worker: the same code, timed
    civil = get_user_model().objects.get(username="civil")
    data = workbook(rows)
    read = seconds(lambda: read_table(data, columns=ProjectImporter(civil).file_columns(), max_bytes=len(data) + 1))
    jobs = {}
    upload = SimpleUploadedFile("2014年度项目.xlsx", data)
    dry = seconds(lambda: jobs.update(job=import_job_start(importer_key="projects", upload=upload, by=civil)))
    job = jobs["job"]
    assert job.status == "checked", (job.status, job.message, job.result.get("errors", [])[:3])
    real = seconds(lambda: jobs.update(job=import_job_confirm(job=job, by=civil, expected_version=job.version)))
    assert jobs["job"].status == "done", jobs["job"].message
    imported = jobs["job"].result["written"]["new"]

    round_ = Round.objects.get(year=2014)
    unit = Organization.objects.filter(type="agency").first()
    category = ServiceCategory.objects.first()

    def bulk(*, history_and_audit: bool) -> None:
        with transaction.atomic():
            created = Project.objects.bulk_create(
                [
                    Project(
                        code=f"B-{n}",
                        sequence=100_000 + n,
                        title=f"测试项目{n:05d}",
                        round=round_,
                        implementing_unit=unit,
                        category=category,
                        target_group="测试",
                        requested_amount=Decimal(10000 + n % 50 * 100),
                    )
                    for n in range(rows)
                ],
                batch_size=500,
            )
            if history_and_audit:
                Project.history.bulk_history_create(created, default_user=civil, batch_size=500)
                AuditEntry.objects.bulk_create(
                    [AuditEntry(action="project_create", actor=civil, project=p, object_id=str(p.pk)) for p in created],
                    batch_size=1000,
                )
            transaction.set_rollback(True)

    baseline = seconds(lambda: bulk(history_and_audit=False))
    every_row = seconds(lambda: bulk(history_and_audit=True))
    total = dry + real
    size = len(data) / 1024
    print(f"database: {connection.vendor}; {rows:,} project rows in one XLSX ({size:,.0f} KiB); {imported:,} written")
    print(f"read the workbook (part of the dry run)      {read:8.2f} s")
    print(f"dry run: upload, read, check every row       {dry:8.2f} s")
    print(f"confirm: check again, write, audit           {real:8.2f} s")
    print(f"whole import (dry run + confirm)             {total:8.2f} s   target ≤ 20 s")
    print(f"bulk_create of the projects                  {baseline:8.2f} s")
    print(f"bulk_create of projects, history and audit   {every_row:8.2f} s   (every row the import writes)")
    print(f"ratio import ÷ bulk_create of the projects   {total / baseline:8.1f}    target ≤ 4")
    print(f"ratio import ÷ bulk_create of every row      {total / every_row:8.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
