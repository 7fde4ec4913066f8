"""Uploads: judged by content (never SVG or HTML, whatever the name), stored under generated names, served so that
no browser runs them: an allow-listed type, ``nosniff``, a sandboxing CSP, an attachment unless an image."""

import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from projects.models import ActivityPhoto, AuditEntry
from projects.services import WorkflowError, activity_photo_add, agreement_attach_scan
from projects.uploads import SERVED_TYPES, display_name, sniff_image, sniff_scan
from tests.fuzz.hostile import HOSTILE_FILES, any_text, png_bytes
from tests.projects.test_image_bombs import stored

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFUSED = [(name, content) for name, content in HOSTILE_FILES if not content.startswith(b"\x89PNG")]
GENERATED = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


@given(st.binary(max_size=4096), any_text)
def test_sniffing_arbitrary_bytes_accepts_an_allowed_type_or_refuses_in_chinese(content, name):
    for sniff in (sniff_scan, lambda upload: sniff_image(upload, limit=10 * 1024 * 1024)):
        try:
            extension, content_type = sniff(SimpleUploadedFile("x", content))
        except WorkflowError as refusal:
            assert re.search(r"[\u4e00-\u9fff]", refusal.message)
        else:
            assert content_type in SERVED_TYPES and extension in (".pdf", ".png", ".jpg")


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[f"{i}-{n}" for i, (n, _) in enumerate(REFUSED)])
def test_svg_html_and_disguised_files_are_refused_by_content(
    cast, signed_agreement, activity, media_root, name, content
):
    audit = AuditEntry.objects.count()
    with pytest.raises(WorkflowError):
        agreement_attach_scan(
            agreement=signed_agreement, by=cast["association"], upload=SimpleUploadedFile(name, content)
        )
    with pytest.raises(WorkflowError):
        activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile(name, content))
    signed_agreement.refresh_from_db()
    assert not signed_agreement.scan and not ActivityPhoto.objects.exists()
    assert stored(media_root) == [] and AuditEntry.objects.count() == audit


HOSTILE_NAMES = [
    "../../../etc/passwd.pdf",
    "C:\\Users\\me\\Desktop\\协议.pdf",
    "invoice\u202efdp.exe",
    "a\x00b.pdf",
    "line\r\nbreak.pdf",
    "x" * 500 + ".pdf",
    '"quoted"; filename=evil.html',
    "<script>.pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_scan_is_stored_under_a_generated_name_and_served_as_a_safe_attachment(client, cast, signed_agreement, name):
    agreement = agreement_attach_scan(
        agreement=signed_agreement, by=cast["association"], upload=SimpleUploadedFile(name, PDF)
    )
    assert GENERATED.match(os.path.basename(agreement.scan.name))
    assert agreement.scan_name == display_name(name)
    assert not re.search(r"[/\\\x00-\x1f\u202e<>\"]", agreement.scan_name) and len(agreement.scan_name) <= 120
    client.force_login(cast["association"])
    response = client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{agreement.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_a_photo_is_shown_inline_only_as_an_allow_listed_image(client, cast, activity):
    photo = activity_photo_add(activity=activity, by=cast["unit"], upload=SimpleUploadedFile("<b>.svg", png_bytes()))
    assert GENERATED.match(os.path.basename(photo.image.name))
    client.force_login(cast["unit"])
    url = reverse("admin:projects_activity_photo", args=[activity.pk, photo.pk])
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    # A row whose type was tampered with (or written by older code) is never served as a page.
    ActivityPhoto.objects.filter(pk=photo.pk).update(content_type="text/html")
    response = client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


@given(any_text)
def test_a_shown_file_name_has_no_folders_controls_or_direction_overrides(name):
    shown = display_name(name)
    assert len(shown) <= 120
    assert not re.search(r"[/\\\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]", shown)
    assert shown == display_name(shown)


def test_a_pdf_scan_is_never_inflated_on_the_server(client, cast, signed_agreement):
    """A PDF whose stream inflates to 20 MB (a decompression bomb for a viewer) is only checked for its magic and
    its end marker, never parsed here; it is served only as an attachment, so no viewer opens it in the site."""
    import zlib

    stream = zlib.compress(b"\0" * 20 * 1024 * 1024, 9)
    bomb = b"%PDF-1.4\n1 0 obj<</Length " + str(len(stream)).encode() + b"/Filter/FlateDecode>>stream\n" + stream
    bomb += b"\nendstream endobj\ntrailer<<>>\n%%EOF\n"
    assert len(bomb) < 200_000
    agreement = agreement_attach_scan(
        agreement=signed_agreement, by=cast["association"], upload=SimpleUploadedFile("scan.pdf", bomb)
    )
    client.force_login(cast["association"])
    response = client.get(reverse("admin:projects_agreement_scan", args=[agreement.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
