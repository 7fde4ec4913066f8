"""Importing organisations: by credit code, checked as the form checks it; re-importing changes nothing."""

import pytest
from django.urls import reverse

from projects.models import ImportJob, Organization
from tests.factories import valid_credit_code
from tests.imports.test_projects_import import xlsx

pytestmark = pytest.mark.django_db
HEADER = ["统一社会信用代码", "组织名称", "组织类型", "联系电话"]


def upload(client, rows):
    client.post(reverse("admin:projects_importjob_upload", args=["organizations"]), {"file": xlsx([HEADER, *rows])})
    return ImportJob.objects.latest("pk")


def test_new_then_unchanged_then_changed(client, cast):
    client.force_login(cast["association"])
    code = valid_credit_code(7)
    job = upload(client, [[code, "晨曦社工中心", "社工机构/社会组织", "+86 139 0000 1111"]])
    assert job.status == "checked", job.result
    client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
    organization = Organization.objects.get(credit_code=code)
    assert organization.phone == "13900001111"
    job = upload(client, [[code, "晨曦社工中心", "社工机构/社会组织", "13900001111"]])
    assert job.result["counts"] == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}
    job = upload(client, [[code, "晨曦社会工作服务中心", "社工机构/社会组织", "13900001111"]])
    assert job.result["counts"]["changed"] == 1
    assert job.result["rows"][0]["changes"] == [["组织名称", "晨曦社工中心", "晨曦社会工作服务中心"]]


def test_a_wrong_credit_code_is_an_error_on_its_cell(client, cast):
    client.force_login(cast["civil"])
    job = upload(client, [["52320105MJ582837XX", "晨曦社工中心", "社工机构/社会组织", ""]])
    assert job.status == "refused"
    assert job.result["errors"][0]["row"] == 2 and job.result["errors"][0]["header"] == "统一社会信用代码"
    client.force_login(cast["unit"])
    assert client.get(reverse("admin:projects_importjob_upload", args=["organizations"])).status_code == 403
