"""Export → import for every resource: a list downloaded from its page imports back with zero changes.

The files are the real downloads (the export page, every column ticked), as XLSX and as CSV, uploaded
unchanged by the role that exported them, on the demo district.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards.models import AwardRecord
from projects.models import Activity, Enrollment, FollowUp, ImportJob, Organization, Project, Round, Scorecard
from tests.helpers import export
from tests.imports.importing import counts

pytestmark = pytest.mark.django_db
FORMATS = ["xlsx", "csv"]


def user(name):
    return get_user_model().objects.get(username=name)


def round_trip(client, model: str, importer: str, file_format: str, query: str = "") -> ImportJob:
    download = export(client, model, file_format=file_format, query=query)
    upload = SimpleUploadedFile(f"export.{file_format}", download.content)
    response = client.post(reverse("admin:projects_importjob_upload", args=[importer]), {"file": upload})
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = ImportJob.objects.latest("pk")
    assert job.status == "checked", (job.message, job.result.get("errors", [])[:5])
    return job


@pytest.mark.parametrize("file_format", FORMATS)
def test_projects_of_a_round(client, demo_district, file_format):
    client.force_login(user("civil"))
    round_2013 = Round.objects.get(year=2013)
    job = round_trip(client, "projects.project", "projects", file_format, f"round__id__exact={round_2013.pk}")
    assert job.result["counts"] == counts(unchanged=60)


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_units_own_projects(client, demo_district, file_format):
    unit = user("unit")
    client.force_login(unit)
    job = round_trip(client, "projects.project", "projects", file_format)
    assert job.result["counts"] == counts(unchanged=Project.objects.visible_to(unit).count())


@pytest.mark.parametrize("file_format", FORMATS)
def test_organisations(client, demo_district, file_format):
    client.force_login(user("civil"))
    job = round_trip(client, "projects.organization", "organizations", file_format)
    assert job.result["counts"] == counts(unchanged=Organization.objects.count())


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_units_cases_follow_ups_and_activities(client, demo_district, file_format):
    unit = user("unit")
    client.force_login(unit)
    cases = Enrollment.objects.visible_to(unit)  # closed cases and past projects' too: they import unchanged
    assert cases.exclude(project__in=Project.objects.casework_by(unit)).exists()
    job = round_trip(client, "projects.enrollment", "cases", file_format)
    assert job.result["counts"] == counts(unchanged=cases.count())
    job = round_trip(client, "projects.followup", "followups", file_format)
    assert job.result["counts"] == counts(unchanged=FollowUp.objects.filter(enrollment__in=cases).count())
    job = round_trip(client, "projects.activity", "activities", file_format)
    activities = Activity.objects.filter(project__in=Project.objects.visible_to(unit))
    assert job.result["counts"] == counts(unchanged=activities.count())


@pytest.mark.parametrize("file_format", FORMATS)
def test_award_records_of_a_past_round(client, demo_district, file_format):
    client.force_login(user("civil"))
    round_2012 = Round.objects.get(year=2012)
    job = round_trip(client, "awards.awardrecord", "awards", file_format, f"round__id__exact={round_2012.pk}")
    assert job.result["counts"] == counts(unchanged=AwardRecord.objects.filter(round=round_2012).count())


def download_scorecards(client, file_format: str, query: str = ""):
    """The 导出评分表 download of the evaluation list, every column ticked."""
    url = reverse("admin:projects_evaluation_scorecards_export") + (f"?{query}" if query else "")
    page = client.get(url)
    assert page.status_code == 200
    columns = re.findall(r'name="columns" value="([^"]+)"', page.content.decode())
    response = client.post(url, {"format": file_format, "columns": columns})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("file_format", FORMATS)
def test_scorecards(client, demo_district, file_format):
    client.force_login(user("civil"))
    data = download_scorecards(client, file_format)
    upload = SimpleUploadedFile(f"scores.{file_format}", data)
    client.post(reverse("admin:projects_importjob_upload", args=["scores"]), {"file": upload})
    job = ImportJob.objects.latest("pk")
    assert job.status == "checked", (job.message, job.result.get("errors", [])[:5])
    assert job.result["counts"] == counts(unchanged=Scorecard.objects.count())
