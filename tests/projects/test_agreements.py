"""Agreements: drafting rules, numbering, read-only once signed, framework signing and termination,
and signed scans judged by content, size-limited, stored under random names, downloaded in scope."""

import datetime
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Agreement, Organization, Project, Round
from projects.services import (
    WorkflowError,
    agreement_attach_scan,
    agreement_create,
    agreement_sign_framework,
    agreement_terminate,
    project_sign,
)
from tests.factories import OrganizationFactory, RoundFactory, project_in_state
from tests.helpers import image_bytes

pytestmark = pytest.mark.django_db
S = Project.Status
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def round_2014(db):
    return RoundFactory(
        year=2014,
        status=Round.Status.OPEN,
        period_start=datetime.date(2014, 3, 1),
        period_end=datetime.date(2015, 2, 28),
    )


@pytest.fixture
def signed_agreement(cast, round_2014, unit_org):
    project = project_in_state(S.APPROVED, round=round_2014, implementing_unit=unit_org)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    return Agreement.objects.get(project=project)


def stored_files(settings):
    folder = os.path.join(settings.MEDIA_ROOT, "agreements")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("扫描件.pdf", PDF, ".pdf", "application/pdf"),
        ("scan.png", PDF, ".pdf", "application/pdf"),  # a PDF renamed to .png is a PDF
        ("scan.pdf", image_bytes("PNG"), ".png", "image/png"),  # a PNG renamed to .pdf is a PNG
        ("scan.jpeg", image_bytes("JPEG"), ".jpg", "image/jpeg"),
    ],
)
def test_scans_are_judged_by_content(cast, signed_agreement, settings, name, content, extension, content_type):
    agreement_attach_scan(agreement=signed_agreement, by=cast["association"], upload=SimpleUploadedFile(name, content))
    signed_agreement.refresh_from_db()
    stored = os.path.basename(signed_agreement.scan.name)
    assert stored.endswith(extension) and name not in stored and len(stored) == 32 + len(extension)
    assert signed_agreement.scan_content_type == content_type
    assert signed_agreement.scan_name == name
    assert signed_agreement.scan.read() == content
    # In the private uploads folder (never under STATIC_ROOT: tests/qicai/test_settings.py), served by no URL.
    assert os.path.dirname(signed_agreement.scan.path) == os.path.join(settings.MEDIA_ROOT, "agreements")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", EXE, "只接受 PDF、JPEG 或 PNG"),
        ("empty.pdf", b"", "文件为空"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG 图片已损坏"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "PDF 文件不完整"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "只接受 PDF、JPEG 或 PNG"),
    ],
)
def test_bad_scans_are_refused_and_nothing_is_stored(cast, signed_agreement, settings, name, content, message):
    with pytest.raises(WorkflowError, match=message):
        agreement_attach_scan(
            agreement=signed_agreement, by=cast["association"], upload=SimpleUploadedFile(name, content)
        )
    signed_agreement.refresh_from_db()
    assert not signed_agreement.scan
    assert stored_files(settings) == []


def test_oversized_scan_is_refused(cast, signed_agreement, settings):
    settings.QICAI_SCAN_MAX_BYTES = 1024 * 1024
    big = PDF[:-6] + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(WorkflowError, match="超过 1 MB 的上限"):
        agreement_attach_scan(agreement=signed_agreement, by=cast["civil"], upload=SimpleUploadedFile("big.pdf", big))
    assert stored_files(settings) == []


def test_units_and_committee_cannot_upload(cast, signed_agreement):
    for role in ["unit", "committee", "evaluator"]:
        with pytest.raises(WorkflowError):
            agreement_attach_scan(agreement=signed_agreement, by=cast[role], upload=SimpleUploadedFile("a.pdf", PDF))


def test_upload_and_download_through_the_admin(client, cast, signed_agreement, settings):
    client.force_login(cast["association"])
    upload_url = reverse("admin:projects_agreement_scan_upload", args=[signed_agreement.pk])
    response = client.post(upload_url, {"scan": SimpleUploadedFile("合同.exe.pdf", EXE)}, follow=True)
    assert "扫描件未保存" in response.content.decode() and "只接受 PDF、JPEG 或 PNG" in response.content.decode()
    assert stored_files(settings) == []
    client.post(upload_url, {"scan": SimpleUploadedFile("合同.pdf", PDF)})
    assert client.get(upload_url).status_code == 405

    for role in ["association", "unit", "committee"]:
        client.force_login(cast[role])
        response = client.get(reverse("admin:projects_agreement_scan", args=[signed_agreement.pk]))
        assert response.status_code == 200, role
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    # The outsider unit has agreements, not this one (404); the evaluator has no agreements at all (403).
    # Either way the answer is the one for a record that does not exist.
    for role, status in [("unit2", 404), ("evaluator", 403)]:
        client.force_login(cast[role])
        assert client.get(reverse("admin:projects_agreement_scan", args=[signed_agreement.pk])).status_code == status
        assert (
            client.get(reverse("admin:projects_agreement_scan", args=[signed_agreement.pk + 999])).status_code == status
        )


def test_project_agreement_only_for_an_approved_project(cast, round_2014):
    project = project_in_state(S.RECOMMENDED, round=round_2014)
    agreement = Agreement(kind=Agreement.Kind.PROJECT, project=project, party_a=OrganizationFactory())
    with pytest.raises(WorkflowError, match="只有已审定的项目才能拟定项目协议"):
        agreement_create(agreement=agreement, by=cast["association"])
    Project.objects.filter(pk=project.pk).update(status=S.APPROVED, approved_amount=Decimal("18000"))
    project.refresh_from_db()
    agreement = agreement_create(
        agreement=Agreement(kind=Agreement.Kind.PROJECT, project=project, party_a=OrganizationFactory()),
        by=cast["association"],
    )
    assert agreement.number == f"QCXY-2014-{project.sequence:03d}"
    assert (agreement.amount, agreement.party_b, agreement.status) == (
        Decimal("18000.00"),
        project.implementing_unit,
        Agreement.Status.DRAFT,
    )
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED  # the drafted agreement is the one signed


def test_agreement_term_stays_within_the_round(cast, round_2014):
    project = project_in_state(S.APPROVED, round=round_2014)
    with pytest.raises(WorkflowError, match="不能晚于本批次服务周期的结束日期"):
        project_sign(
            project=project,
            by=cast["civil"],
            signed_date=datetime.date(2014, 3, 5),
            term_start=datetime.date(2014, 3, 5),
            term_end=datetime.date(2015, 6, 30),
        )
    project.refresh_from_db()
    assert project.status == S.APPROVED and not Agreement.objects.exists()


def test_framework_agreement_signing_and_termination(cast, round_2014):
    government = OrganizationFactory(type=Organization.Type.GOVERNMENT)
    association = OrganizationFactory(type=Organization.Type.ASSOCIATION)
    agreement = agreement_create(
        agreement=Agreement(
            kind=Agreement.Kind.FRAMEWORK,
            round=round_2014,
            party_a=government,
            party_b=association,
            amount=Decimal("1000000"),
        ),
        by=cast["civil"],
    )
    assert agreement.number == "QCKJ-2014"
    with pytest.raises(WorkflowError, match="只有已签订的协议可以终止"):
        agreement_terminate(agreement=agreement, by=cast["civil"], reason="x")
    agreement_sign_framework(agreement=agreement, by=cast["association"], signed_date=datetime.date(2014, 3, 1))
    assert agreement.status == Agreement.Status.SIGNED
    with pytest.raises(WorkflowError, match="必须填写原因"):
        agreement_terminate(agreement=agreement, by=cast["civil"], reason=" ")
    agreement_terminate(agreement=agreement, by=cast["civil"], reason="区政府调整购买服务方式")
    assert agreement.status == Agreement.Status.TERMINATED and "调整购买服务方式" in agreement.note
    with pytest.raises(WorkflowError):
        agreement_sign_framework(agreement=agreement, by=cast["unit"], signed_date=datetime.date(2014, 3, 1))


def test_signed_agreement_cannot_be_edited_in_the_admin(client, cast, signed_agreement):
    client.force_login(cast["association"])
    url = reverse("admin:projects_agreement_change", args=[signed_agreement.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page and "上传" in page
    assert client.post(url, {"amount": "1"}).status_code == 403
    signed_agreement.refresh_from_db()
    assert signed_agreement.amount != Decimal("1")


def test_framework_sign_and_terminate_pages(client, cast, round_2014):
    agreement = agreement_create(
        agreement=Agreement(
            kind=Agreement.Kind.FRAMEWORK,
            round=round_2014,
            party_a=OrganizationFactory(type="government"),
            party_b=OrganizationFactory(type="association"),
        ),
        by=cast["civil"],
    )
    client.force_login(cast["association"])
    assert (
        "签订框架协议" in client.get(reverse("admin:projects_agreement_change", args=[agreement.pk])).content.decode()
    )
    sign_url = reverse("admin:projects_agreement_sign", args=[agreement.pk])
    assert client.get(sign_url).status_code == 200
    client.post(sign_url, {"signed_date": "2014-03-01"})
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    terminate_url = reverse("admin:projects_agreement_terminate", args=[agreement.pk])
    response = client.post(terminate_url, {"reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    client.post(terminate_url, {"reason": "框架调整"})
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.TERMINATED
    client.force_login(cast["unit"])
    assert client.get(sign_url).status_code == 404  # a unit does not see framework agreements


def test_admin_add_numbers_the_agreement(client, cast, round_2014):
    project = project_in_state(S.APPROVED, round=round_2014)
    client.force_login(cast["association"])
    response = client.post(
        reverse("admin:projects_agreement_add"),
        {
            "kind": "project",
            "project": project.pk,
            "party_a": OrganizationFactory(type="association").pk,
            "party_b": OrganizationFactory().pk,
            "round": round_2014.pk,
            "amount": "1",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.number == f"QCXY-2014-{project.sequence:03d}"
    assert agreement.amount == project.approved_amount and agreement.party_b == project.implementing_unit
    draft_project = project_in_state(S.SUBMITTED, round=round_2014)
    response = client.post(
        reverse("admin:projects_agreement_add"),
        {
            "kind": "project",
            "project": draft_project.pk,
            "party_a": agreement.party_a.pk,
            "party_b": agreement.party_b.pk,
            "round": round_2014.pk,
            "amount": "1",
        },
    )
    assert response.status_code == 200 and "只有已审定的项目才能拟定项目协议" in response.content.decode()
