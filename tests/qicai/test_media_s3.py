"""Media on S3-compatible object storage (django-storages' S3Storage against moto's double of S3).

Every upload goes in through the real views and services as the roles do it (a signed scan, an activity
photo, an import, a printed document kept for download), lands in the bucket as a private object, comes
back out through the scoped download views, and stays out of reach of another unit (404).
"""

import datetime
import os
import subprocess
import sys

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from projects.models import Activity, Agreement, ImportJob, Project
from qicai.models import GeneratedDocument
from tests.casework_factories import live_project
from tests.documents.conftest import award, no_layout, round_2014, running  # noqa: F401 (fixtures)
from tests.factories import OrganizationFactory, ServiceCategoryFactory
from tests.helpers import image_bytes
from tests.imports.test_projects_import import HEADER, xlsx

pytestmark = pytest.mark.django_db
BUCKET = "qicai-media-test"
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def s3(settings, monkeypatch):
    """STORAGES["default"] as QICAI_MEDIA_STORAGE=s3 configures it, on a private bucket in moto."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "location": "media",
                    "default_acl": None,
                    "querystring_auth": False,
                    "file_overwrite": False,
                },
            },
        }
        yield client
    # Nothing was written to the local media folder meanwhile.
    assert not os.path.exists(settings.MEDIA_ROOT) or not any(files for _, _, files in os.walk(settings.MEDIA_ROOT))


def objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read() for item in listing}


def private(client, key: str) -> bool:
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return all("AllUsers" not in str(grant["Grantee"]) for grant in grants)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_storage_is_s3(s3):
    from storages.backends.s3 import S3Storage

    default_storage._setup()
    assert isinstance(default_storage._wrapped, S3Storage)
    name = default_storage.save("probe/x.txt", SimpleUploadedFile("x.txt", b"x"))
    assert objects(s3) == {f"media/{name}": b"x"}
    default_storage.delete(name)
    assert objects(s3) == {}


def test_a_signed_scan_goes_to_the_bucket_and_back_in_scope(client, cast, s3, running):  # noqa: F811
    agreement = Agreement.objects.get(project=running)
    client.force_login(cast["association"])
    client.post(
        reverse("admin:projects_agreement_scan_upload", args=[agreement.pk]),
        {"scan": SimpleUploadedFile("合同.pdf", PDF)},
    )
    agreement.refresh_from_db()
    key = f"media/{agreement.scan.name}"
    assert objects(s3) == {key: PDF} and key.startswith("media/agreements/") and "合同" not in key
    assert private(s3, key)
    for role in ("association", "unit", "committee"):
        client.force_login(cast[role])
        response = client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk]))
        assert response.status_code == 200, role
        assert body(response) == PDF
    client.force_login(cast["unit2"])
    assert client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk])).status_code == 404


def test_an_activity_photo_goes_to_the_bucket_and_back_in_scope(client, cast, s3, unit_org):
    project = live_project(unit_org)
    activity = Activity.objects.create(project=project, type="group", title="小组", date=datetime.date(2014, 6, 1))
    png = image_bytes("PNG")
    client.force_login(cast["unit"])
    client.post(
        reverse("admin:projects_activity_photo_upload", args=[activity.pk]),
        {"photo": SimpleUploadedFile("照片.png", png), "caption": "合影"},
    )
    photo = activity.photos.get()
    assert objects(s3) == {f"media/{photo.image.name}": png}
    url = reverse("admin:projects_activity_photo", args=[activity.pk, photo.pk])
    response = client.get(url)
    assert response.status_code == 200 and body(response) == png
    assert response["Content-Type"] == "image/png"
    client.force_login(cast["unit2"])
    assert client.get(url).status_code == 404


def test_an_import_is_read_from_the_bucket_and_removed_when_done(client, cast, s3, unit_org):
    from projects.models import Round
    from tests.factories import RoundFactory

    RoundFactory(year=2014, status=Round.Status.OPEN)
    OrganizationFactory(name="阳光社工中心")
    ServiceCategoryFactory(name="橙色·银龄关爱", colour_name="橙")
    row = ["独居老人关爱", 2014, "阳光社工中心", "橙", "20000", "2014-09-01", "2015-08-31"]
    client.force_login(cast["civil"])
    client.post(reverse("admin:projects_importjob_upload", args=["projects"]), {"file": xlsx([HEADER, row])})
    job = ImportJob.objects.latest("pk")
    assert job.status == "checked", job.result
    assert list(objects(s3)) == [f"media/{job.stored_name}"]
    client.force_login(cast["unit"])  # not the uploader's: as if it did not exist
    assert client.get(reverse("admin:projects_importjob_change", args=[job.pk])).status_code in (403, 404)
    client.force_login(cast["civil"])
    client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
    job.refresh_from_db()
    assert job.status == "done" and Project.objects.filter(title="独居老人关爱").exists()
    assert objects(s3) == {}


def test_a_kept_document_goes_to_the_bucket_and_back_in_scope(client, cast, s3, round_2014, award, no_layout):  # noqa: F811
    client.force_login(cast["civil"])
    client.post(reverse("documents:round_document", args=[round_2014.year, "certificates"]))
    document = GeneratedDocument.objects.get()
    stored = objects(s3)
    assert list(stored) == [f"media/{document.stored_name}"]
    url = reverse("documents:generated_download", args=[document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert body(response) == stored[f"media/{document.stored_name}"]
    client.force_login(cast["unit2"])
    assert client.get(url).status_code == 404


def test_the_environment_selects_s3(tmp_path):
    """QICAI_MEDIA_STORAGE=s3 with a bucket (and an endpoint for MinIO and the like) configures S3Storage."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "x" * 50,
        "QICAI_VAR_DIR": str(tmp_path),
        "QICAI_MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "qicai-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    code = "import qicai.settings as s; d = s.STORAGES['default']; print(d['BACKEND'], sorted(d['OPTIONS'].items()))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.startswith("storages.backends.s3.S3Storage ")
    assert "('bucket_name', 'qicai-media')" in out and "('endpoint_url', 'http://127.0.0.1:9000')" in out
    assert "('default_acl', None)" in out and "('querystring_auth', False)" in out
    del env["AWS_STORAGE_BUCKET_NAME"]
    failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert failed.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in failed.stderr
