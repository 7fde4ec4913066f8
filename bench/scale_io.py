#!/usr/bin/env python
"""Import, export and printed documents at city scale (issue 16), on the database ``bench/scale.py`` filled.

    DATABASE_URL=postgres://… .venv/bin/python bench/scale_io.py [--import-rows 10000] [--skip-report]

Needs the city of ``seed_scale`` in DATABASE_URL (run ``bench/scale.py`` first; it keeps the cluster's data
with ``--reuse``). Measures, as civil affairs, in this process as the worker would run it:

- the export of the whole case list (个案, ~150,000 rows, masked, every column) as CSV and XLSX through the
  admin, the file read to its end: seconds, rows per second, peak Python memory (tracemalloc, a third run);
- the directory's export of every project (~10,000) as XLSX;
- the import of a ``--import-rows`` projects workbook into the 2014 round: dry run and confirmation (issue 11's
  path), inside a transaction rolled back at the end, so the city is left as it was;
- the printed 2013 annual report of the city's round (~1,000 projects), its pages and seconds, and one
  project's dossier PDF through its view.

Baselines in the same run: the same case rows read by a bare ``values_list`` (what the export adds to reading),
and the issue's demo-size figures printed in the README (issues 9, 11, 12, 14).
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-scale-io-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import export
import imports
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment

MIB = 1024 * 1024


class Rollback(Exception):
    pass


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def case_export(client, columns: list[str], rows: int) -> None:
    from projects.models import Enrollment

    fields = (
        "code",
        "name",
        "gender",
        "date_of_birth",
        "beneficiary__id_number",
        "phone",
        "project__code",
        "intake_date",
    )
    bare, _ = timed(lambda: sum(1 for _ in Enrollment.objects.values_list(*fields).iterator(chunk_size=2000)))
    print(f"  baseline: the rows read by a bare values_list, {bare:.1f} s ({rows / bare:,.0f} rows/s)")
    for file_format in ("csv", "xlsx"):
        export.export_once(client, file_format, columns)  # warm
        seconds, (lines, size) = timed(lambda file_format=file_format: export.export_once(client, file_format, columns))
        tracemalloc.start()
        export.export_once(client, file_format, columns)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if file_format == "csv":
            assert lines == rows, (lines, rows)
        print(
            f"  {file_format:4} {rows:9,d} rows {seconds:6.1f} s {rows / seconds:8,.0f} rows/s "
            f"peak {peak / MIB:5.1f} MiB, file {size / MIB:6.1f} MiB, {seconds / bare:4.1f}× the bare read"
        )


def project_export(client) -> None:
    from projects.models import Project

    count = Project.objects.count()

    def read():
        response = client.get("/projects/export/?format=xlsx")
        chunks = response.streaming_content if response.streaming else [response.content]
        return sum(len(chunk) for chunk in chunks)

    read()  # warm
    seconds, size = timed(read)
    print(
        f"  directory export, every project: {count:,} rows XLSX {seconds:.1f} s ({count / seconds:,.0f} rows/s), "
        f"{size / MIB:.1f} MiB"
    )


def project_import(civil, rows: int) -> None:
    from django.conf import settings

    from projects.imports.jobs import import_job_confirm, import_job_start

    settings.QICAI_IMPORT_INLINE_BYTES = 1 << 40  # in this process, as the worker runs it
    data = imports.workbook(rows)
    try:
        with transaction.atomic():
            upload = SimpleUploadedFile("2014年度项目.xlsx", data)
            dry, job = timed(lambda: import_job_start(importer_key="projects", upload=upload, by=civil))
            assert job.status == "checked", (job.status, job.message)
            real, job = timed(lambda: import_job_confirm(job=job, by=civil, expected_version=job.version))
            assert job.status == "done", job.message
            written = job.result["written"]["new"]
            raise Rollback
    except Rollback:
        pass
    print(
        f"  import of {rows:,} projects into the city's 2014 round: dry run {dry:.1f} s, confirmation {real:.1f} s, "
        f"{written:,} written ({rows / (dry + real):,.0f} rows/s over both; rolled back)"
    )


def documents(client, skip_report: bool) -> None:
    from projects.models import Project, Round
    from qicai import pdf
    from qicai.documents.report import ANNUAL_REPORT

    project = Project.objects.filter(round__year=2013, status="in_progress").order_by("sequence").first()
    client.get(f"/documents/projects/{project.code}.pdf")
    seconds, response = timed(lambda: client.get(f"/documents/projects/{project.code}.pdf"))
    print(f"  a project's dossier PDF ({project.code}) through its view: {seconds:.2f} s, HTTP {response.status_code}")
    if skip_report:
        return
    round_ = Round.objects.get(year=2013)
    projects = round_.projects.count()
    seconds, (pages, size) = timed(
        lambda: (lambda document: (len(document.pages), len(pdf.write_pdf(document))))(
            ANNUAL_REPORT.render(round_, "", lambda pages: None)
        )
    )
    print(
        f"  the 2013 annual report of the city ({projects:,} projects): {pages} pages, {seconds:.1f} s, "
        f"{size / MIB:.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-rows", type=int, default=10000)
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()

    from projects.exports import EnrollmentResource
    from projects.models import Enrollment, Project

    setup_test_environment(debug=False)
    if not Project.objects.filter(code__startswith="QC-2005-").exists():
        sys.exit("No city in this database: fill it first with bench/scale.py (seed_scale).")
    civil = get_user_model().objects.get(username="civil")
    client = Client()
    client.force_login(civil)
    rows = Enrollment.objects.count()
    print(
        f"database: {connection.vendor}; projects {Project.objects.count():,}, cases {rows:,}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print("export of the case list (个案) as civil, masked, every column, the file read to its end")
    case_export(client, [field.name for field in EnrollmentResource.fields], rows)
    project_export(client)
    print("import (issue 11's path, in this process as the worker runs it)")
    project_import(civil, args.import_rows)
    print("printed documents")
    documents(client, args.skip_report)


if __name__ == "__main__":
    main()
