"""Who may import what, and what an outsider unit learns from another unit's files: nothing.

Every importer's upload page and template answer as the role table says (the import permission of the
record, plus the importer's own rule: a unit imports only into its own records). The outsider unit
``unit2`` uploads ``unit``'s own exports: every row is refused with the sentence a made-up code gets,
and nothing is written.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.imports.registry import IMPORTERS
from projects.models import ImportJob
from tests.helpers import export
from tests.imports.test_corpus import fingerprint

pytestmark = pytest.mark.django_db
ROLES = ["committee", "civil", "association", "unit", "unit2", "evaluator"]
# The role table's grants (README), by importer.
MAY_IMPORT = {
    "organizations": {"civil", "association"},
    "projects": {"civil", "unit", "unit2"},
    "cases": {"unit", "unit2"},
    "followups": {"unit", "unit2"},
    "activities": {"unit", "unit2"},
    "scores": {"civil"},
    "awards": {"civil"},
}


def user(name):
    return get_user_model().objects.get(username=name)


def test_every_importer_answers_as_the_role_table_says(client, demo_district):
    assert set(IMPORTERS) == set(MAY_IMPORT)
    for role in ROLES:
        client.force_login(user(role))
        for key, allowed in MAY_IMPORT.items():
            expected = 200 if role in allowed else 403
            upload = client.get(reverse("admin:projects_importjob_upload", args=[key]))
            template = client.get(reverse("admin:projects_importjob_template", args=[key]))
            assert (upload.status_code, template.status_code) == (expected, expected), (role, key)
            refused = client.post(
                reverse("admin:projects_importjob_upload", args=[key]),
                {"file": SimpleUploadedFile("a.csv", "项目编号,项目名称\nQC-2014-001,x\n".encode())},
            )
            assert role in allowed or refused.status_code == 403, (role, key)
    assert not ImportJob.objects.exclude(user__username__in=["civil", "association", "unit", "unit2"]).exists()


def own_export(client, model: str) -> bytes:
    client.force_login(user("unit"))
    return export(client, model, file_format="csv").content


@pytest.mark.parametrize(
    ("model", "importer", "not_found"),
    [
        ("projects.project", "projects", "没有找到项目 {code}，或您无权修改它。"),
        ("projects.enrollment", "cases", "没有找到您可以修改的个案 {code}。"),
        ("projects.followup", "followups", "没有找到您可以记录跟踪的个案 {code}"),
        ("projects.activity", "activities", "项目 {code} 不是您可以登记活动的项目"),
    ],
)
def test_the_outsider_unit_learns_nothing_from_another_units_file(client, demo_district, model, importer, not_found):
    data = own_export(client, model)
    codes = re.findall(r"QC-\d{4}-\d{3}(?:/\d{3})?", data.decode("utf-8-sig"))
    assert codes, "the unit's export holds its records"
    client.force_login(user("unit2"))
    before = fingerprint()
    client.post(
        reverse("admin:projects_importjob_upload", args=[importer]),
        {"file": SimpleUploadedFile("unit.csv", data)},
    )
    job = ImportJob.objects.latest("pk")
    counts = job.result["counts"]
    assert job.status == "refused" and counts["error"] > 0
    assert counts["new"] == counts["changed"] == counts["unchanged"] == 0, counts
    messages = {e["message"] for e in job.result["errors"]}
    # Each message is the one a code that does not exist gets: the same words, only the code differs.
    shapes = {re.sub(r"QC-\d{4}-\d{3}(?:/\d{3})?", "{code}", message) for message in messages}
    assert all(shape.startswith(not_found) for shape in shapes), shapes
    assert not any(error["header"] in (None, "") for error in job.result["errors"])
    assert fingerprint() == before
