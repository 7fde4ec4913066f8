"""Every file of the reading corpus, uploaded as a project list: a refused file changes nothing.

The corpus (tests/tabular/corpus, made by its script) holds files as offices keep them and files
that are not what they claim. Through the whole import (upload, dry run, and a confirmation attempt
where the dry run allowed one) the database is compared before and after: the number of rows of
every table and a checksum of their contents. Only the job's own record may appear.
"""

import hashlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import ImportJob, Round
from tests.factories import OrganizationFactory, ProjectFactory, RoundFactory, ServiceCategoryFactory
from tests.tabular.corpus import make
from tests.tabular.test_reading import MANIFEST

pytestmark = pytest.mark.django_db
# Records of the attempt itself and bookkeeping that is not the district's data.
NOT_COMPARED = {"projects.importjob", "sessions.session", "axes.accesslog", "axes.accessattempt"}
NOT_COMPARED_APPS = {"django_tasks_db", "admin"}
# Refused for the reading corpus's test columns; a project list (which requires 年度) may be refused first
# for a column of its own.
ABOUT_COLUMNS = {"headers_only.xlsx", "headers_only.csv", "missing_required.xlsx", "duplicate_columns.xlsx"}


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table the import could touch."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NOT_COMPARED or model._meta.app_label in NOT_COMPARED_APPS:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        found[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return found


@pytest.fixture
def district(db):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    OrganizationFactory(name="阳光社工中心")
    ServiceCategoryFactory(name="橙色·银龄关爱", colour_name="橙")
    ProjectFactory.create_batch(2, round=round_)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_a_refused_corpus_file_leaves_the_database_unchanged(client, cast, district, settings, name):
    expected = MANIFEST[name]
    if name == "over_the_cap.csv":
        settings.QICAI_IMPORT_MAX_BYTES = 200  # the cap the corpus made this file for
    client.force_login(cast["civil"])
    before = fingerprint()
    upload = SimpleUploadedFile(name, (make.FILES / name).read_bytes())
    response = client.post(reverse("admin:projects_importjob_upload", args=["projects"]), {"file": upload})
    page = response.content.decode()
    job = ImportJob.objects.order_by("pk").last()
    if job is None:  # refused before it was kept: the form says why
        assert response.status_code == 200 and "超过" in page, page[-2000:]
    else:
        assert job.status == "refused", (name, job.status, job.result)
        if "error" in expected and name not in ABOUT_COLUMNS:  # the file as a whole: one sentence, shown
            assert expected["error"] in job.message
            shown = client.get(reverse("admin:projects_importjob_change", args=[job.pk])).content.decode()
            assert expected["error"] in shown
        else:  # readable, but not a valid project list: a missing column, or each problem by row and column
            assert job.message, job.result
            assert all(error["row"] or error["header"] for error in job.result.get("errors", []))
        confirm = client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
        assert confirm.status_code in (200, 302)
        job.refresh_from_db()
        assert job.status == "refused" and not job.stored_name
    assert fingerprint() == before
