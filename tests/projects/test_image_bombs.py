"""Images whose headers claim absurd dimensions (decompression bombs) are refused in Chinese, never a 500."""

import datetime
import io
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from projects.models import Activity, ActivityPhoto, Agreement, Project, Round
from projects.services import WorkflowError, activity_photo_add, agreement_attach_scan, project_sign
from projects.uploads import MAX_IMAGE_PIXELS
from tests.casework_factories import live_project
from tests.factories import RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
REFUSAL = "图片尺寸过大"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG (1×1 pixel of data) whose IHDR claims ``width``×``height``, with its CRC recomputed."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header (SOF0) claims ``width``×``height``."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_the_crafted_png_is_a_decompression_bomb_to_pillow():
    with pytest.raises(Image.DecompressionBombError), Image.open(io.BytesIO(png_claiming(60000, 60000))):
        pass
    assert len(png_claiming(60000, 60000)) < 100


def stored(media_root) -> list[str]:
    return [name for _, _, names in os.walk(media_root) for name in names]


BOMBS = [
    ("bomb.png", png_claiming(60000, 60000)),  # Pillow's DecompressionBombError
    ("warn.png", png_claiming(10000, 10000)),  # 100 megapixels: only a warning from Pillow
    ("big.png", png_claiming(8000, 8000)),  # 64 megapixels: below Pillow's warning, above ours
    ("bomb.jpg", jpeg_claiming(65000, 65000)),
]


@pytest.fixture
def activity(unit_org):
    project = live_project(unit_org)
    return Activity.objects.create(project=project, type="group", title="小组", date=datetime.date(2014, 6, 1))


# Pillow's warning is raised as an error here, as under `python -W error`: refused all the same.
@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("name", "content"), BOMBS, ids=[name for name, _ in BOMBS])
def test_activity_photo_service_refuses_bombs(cast, activity, media_root, name, content):
    with pytest.raises(WorkflowError, match=REFUSAL) as refused:
        activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile(name, content))
    assert f"{MAX_IMAGE_PIXELS // 10_000} 万像素" in refused.value.message
    assert not ActivityPhoto.objects.exists() and stored(media_root) == []


def test_activity_photo_upload_view_refuses_a_bomb(client, cast, activity, media_root):
    client.force_login(cast["unit"])
    url = reverse("admin:projects_activity_photo_upload", args=[activity.pk])
    response = client.post(url, {"photo": SimpleUploadedFile("bomb.png", png_claiming(60000, 60000))}, follow=True)
    assert response.status_code == 200
    assert "照片未保存：" + REFUSAL in response.content.decode()
    assert not ActivityPhoto.objects.exists() and stored(media_root) == []


def test_a_photo_at_the_limit_is_accepted(cast, activity):
    # A real camera's 50 megapixels stay welcome (the header is all that is read to judge the size).
    photo = activity_photo_add(
        activity=activity, by=cast["unit"], upload=SimpleUploadedFile("ok.png", png_claiming(8160, 6120))
    )
    assert photo.content_type == "image/png"


@pytest.fixture
def signed_agreement(cast, unit_org):
    round_ = RoundFactory(
        year=2014,
        status=Round.Status.OPEN,
        period_start=datetime.date(2014, 3, 1),
        period_end=datetime.date(2015, 2, 28),
    )
    project = project_in_state(Project.Status.APPROVED, round=round_, implementing_unit=unit_org)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    return Agreement.objects.get(project=project)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # as in production: only logged
@pytest.mark.parametrize(("name", "content"), BOMBS, ids=[name for name, _ in BOMBS])
def test_agreement_scan_service_refuses_bombs(cast, signed_agreement, media_root, name, content):
    with pytest.raises(WorkflowError, match=REFUSAL):
        agreement_attach_scan(
            agreement=signed_agreement, by=cast["association"], upload=SimpleUploadedFile(name, content)
        )
    signed_agreement.refresh_from_db()
    assert not signed_agreement.scan and stored(media_root) == []


def test_agreement_scan_upload_view_refuses_a_bomb(client, cast, signed_agreement, media_root):
    client.force_login(cast["association"])
    url = reverse("admin:projects_agreement_scan_upload", args=[signed_agreement.pk])
    response = client.post(url, {"scan": SimpleUploadedFile("scan.png", png_claiming(60000, 60000))}, follow=True)
    assert response.status_code == 200
    assert "扫描件未保存：" + REFUSAL in response.content.decode()
    signed_agreement.refresh_from_db()
    assert not signed_agreement.scan and stored(media_root) == []
