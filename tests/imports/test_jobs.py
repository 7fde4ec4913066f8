"""Import jobs: the background worker, abandoned uploads, templates, double confirmation, permissions."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.imports.jobs import import_files_cleanup
from projects.models import ImportJob, Project, Round
from tests.factories import OrganizationFactory, RoundFactory, ServiceCategoryFactory
from tests.imports.test_projects_import import HEADER, xlsx

pytestmark = pytest.mark.django_db
ROW = ["独居老人关爱", 2014, "阳光社工中心", "橙", "20000", "2014-09-01", "2015-08-31"]


@pytest.fixture
def world(db):
    RoundFactory(year=2014, status=Round.Status.OPEN)
    OrganizationFactory(name="阳光社工中心")
    ServiceCategoryFactory(name="橙色·银龄关爱", colour_name="橙")


def start(client, rows=(ROW,)):
    client.post(reverse("admin:projects_importjob_upload", args=["projects"]), {"file": xlsx([HEADER, *rows])})
    return ImportJob.objects.latest("pk")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_files_are_checked_and_written_by_the_database_worker(client, cast, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.QICAI_IMPORT_INLINE_BYTES = 0  # every file goes to the worker
    client.force_login(cast["civil"])
    job = start(client)
    assert job.status == "checking"
    page = client.get(reverse("admin:projects_importjob_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "正在后台处理" in page
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "checked", job.result
    # The workbook is not parsed twice: what the dry run read replaces the upload until the job ends.
    assert job.stored_name.endswith(".table.json")
    assert default_storage.listdir("imports")[1] == [job.stored_name.removeprefix("imports/")]
    client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
    job.refresh_from_db()
    assert job.status == "importing" and not Project.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and Project.objects.count() == 1
    assert not job.stored_name


def test_a_second_confirmation_writes_nothing_more(client, cast, world):
    client.force_login(cast["civil"])
    job = start(client)
    version = job.version
    client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": version})
    response = client.post(
        reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": version}, follow=True
    )
    assert "已被处理" in response.content.decode()
    assert Project.objects.count() == 1


def test_abandoned_and_stale_uploads_are_removed(client, cast, world):
    client.force_login(cast["civil"])
    job = start(client)
    stored = job.stored_name
    assert default_storage.exists(stored)
    client.post(reverse("admin:projects_importjob_abandon", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "abandoned" and not default_storage.exists(stored)
    left = start(client)  # uploaded, checked, never confirmed
    assert default_storage.exists(left.stored_name)
    assert import_files_cleanup() == 0  # still fresh
    later = timezone.now() + datetime.timedelta(hours=25)
    assert import_files_cleanup(now=later) == 1
    left.refresh_from_db()
    assert left.status == "abandoned" and not left.stored_name


def test_only_the_uploader_confirms_and_sees_the_job(client, cast, world):
    client.force_login(cast["civil"])
    job = start(client)
    other = OrganizationFactory(type="government")
    from tests.factories import UserFactory

    colleague = UserFactory(username="civil2", role="民政/社工办", organization=other)
    client.force_login(colleague)
    assert client.get(reverse("admin:projects_importjob_change", args=[job.pk])).status_code == 404
    assert (
        client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version}).status_code
        == 404
    )
    assert not Project.objects.exists()


def test_the_blank_template_reads_back_without_errors(client, cast, world):
    client.force_login(cast["civil"])
    response = client.get(reverse("admin:projects_importjob_template", args=["projects"]))
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["项目名称", "年度"]
    assert client.get(reverse("admin:projects_importjob_template", args=["nothing"])).status_code == 404
    client.force_login(cast["evaluator"])
    assert client.get(reverse("admin:projects_importjob_template", args=["projects"])).status_code == 403


def test_the_list_offers_import_to_those_who_may(client, cast, world):
    client.force_login(cast["civil"])
    page = client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert reverse("admin:projects_importjob_upload", args=["projects"]) in page
    client.force_login(cast["committee"])
    page = client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert reverse("admin:projects_importjob_upload", args=["projects"]) not in page


def test_an_unexpected_failure_while_checking_refuses_the_job_and_removes_the_file(client, cast, world, monkeypatch):
    def broken(self, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("projects.imports.base.Plan.as_result", broken)
    client.force_login(cast["civil"])
    response = client.post(
        reverse("admin:projects_importjob_upload", args=["projects"]), {"file": xlsx([HEADER, ROW])}, follow=True
    )
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.finished_at and "无法读取" in job.message
    assert not job.stored_name and not default_storage.listdir("imports")[1]
