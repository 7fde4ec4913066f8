"""A printed document's download is an export in the access log: who took which document, once per download."""

import pytest
from django.urls import reverse

from projects.audit import AuditAction
from projects.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_agreement_pdf_download_writes_one_export_row(client, cast, agreement):
    client.force_login(cast["unit"])
    url = reverse("documents:agreement", args=[agreement.pk])
    assert client.get(url).status_code == 200
    [entry] = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    assert entry.actor == cast["unit"] and entry.object_repr.endswith(".pdf") and entry.data["path"] == url
    # Another unit's agreement: a 404 as for one that does not exist, and no download logged.
    client.force_login(cast["unit2"])
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1
