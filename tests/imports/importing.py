"""What the importer tests do again and again: upload a sheet, read the dry run, confirm, count a plan's queries."""

from django.conf import settings
from django.urls import reverse

from projects.imports.registry import importer_for
from projects.models import ImportJob
from projects.tabular.reading import read_table
from tests.helpers import count_queries
from tests.imports.test_projects_import import xlsx


def upload(client, importer: str, rows, *, title=None) -> ImportJob:
    """Upload ``rows`` (the header first) as an XLSX through the admin and return the checked job."""
    response = client.post(
        reverse("admin:projects_importjob_upload", args=[importer]), {"file": xlsx(rows, title=title)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return ImportJob.objects.latest("pk")


def confirm(client, job: ImportJob) -> ImportJob:
    client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
    job.refresh_from_db()
    return job


def counts(new=0, changed=0, unchanged=0, error=0) -> dict:
    return {"new": new, "changed": changed, "unchanged": unchanged, "error": error}


def errors(job: ImportJob) -> dict[tuple[int | None, str | None], str]:
    """The dry run's errors by (row, header)."""
    return {(e["row"], e["header"]): e["message"] for e in job.result["errors"]}


def warnings(job: ImportJob) -> dict[tuple[int | None, str | None], str]:
    return {(w["row"], w["header"]): w["message"] for w in job.result["warnings"]}


def plan_queries(user, importer: str, rows) -> tuple[int, object]:
    """How many queries planning ``rows`` takes (the file is read first, outside the count), and the plan."""
    user = type(user).objects.get(pk=user.pk)  # a fresh user object: no role or organisation read yet
    importer = importer_for(importer, user)
    table = read_table(xlsx(rows), columns=importer.file_columns(), max_bytes=settings.QICAI_IMPORT_MAX_BYTES)
    plan = []
    queries = count_queries(lambda: plan.append(importer.plan(table)))
    return queries, plan[0]
