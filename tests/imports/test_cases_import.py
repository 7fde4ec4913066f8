"""Importing cases: a unit into its own running projects only, learning nothing about people served elsewhere."""

import pytest
from django.urls import reverse

from projects.models import AuditEntry, Enrollment, ImportJob
from tests.casework_factories import enroll, live_project, make_id
from tests.imports.test_projects_import import xlsx

pytestmark = pytest.mark.django_db
HEADER = ["项目编号", "姓名", "身份证号", "联系电话", "特殊人群类别", "接案日期", "同意日期"]


def upload(client, rows):
    client.post(reverse("admin:projects_importjob_upload", args=["cases"]), {"file": xlsx([HEADER, *rows])})
    return ImportJob.objects.latest("pk")


def test_a_unit_imports_cases_into_its_running_project(client, cast, unit_org, unit2_org):
    project = live_project(unit_org)
    enroll(live_project(unit2_org, round=project.round), cast["unit2"], name="别处的人", id_number=make_id())
    client.force_login(cast["unit"])
    rows = [
        [project.code, "王秀英", make_id().lower(), "138 1234 5678", "独居老人", "2014-05-10", "2014-05-10"],
        [project.code, "李桂兰", "", "", "独居老人", "2014年5月12日", "2014年5月12日"],
    ]
    job = upload(client, rows)
    assert job.status == "checked", job.result
    # The person already served by unit2 is not mentioned: the dry run is the same as for a new person.
    assert "别处" not in str(job.result) and job.result["counts"]["new"] == 2
    client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
    job.refresh_from_db()
    assert job.status == "done", job.message
    mine = Enrollment.objects.filter(project=project).order_by("code")
    assert [c.name for c in mine] == ["王秀英", "李桂兰"] and mine[0].phone == "13812345678"
    assert mine[0].gender == "male" and mine[0].consent_recorded_by == cast["unit"]
    assert AuditEntry.objects.filter(action="case.open").count() == 3
    # Importing the same rows again: the first is already in the project (own data), the second is new again.
    job = upload(client, rows[:1])
    assert job.status == "refused" and "已在本项目建档" in str(job.result["errors"])


def test_other_units_projects_and_masked_values(client, cast, unit_org, unit2_org):
    project = live_project(unit_org)
    other = live_project(unit2_org, round=project.round)
    client.force_login(cast["unit"])
    job = upload(client, [[other.code, "王秀英", "", "", "独居老人", "2014-05-10", "2014-05-10"]])
    assert job.status == "refused" and "不是您可以记录个案的项目" in str(job.result["errors"])
    case = enroll(project, cast["unit"], name="王秀英", id_number=make_id(), phone="13812345678")
    client.post(
        reverse("admin:projects_importjob_upload", args=["cases"]),
        {
            "file": xlsx(
                [
                    ["个案编号", "姓名", "身份证号", "出生日期", "联系电话"],
                    [case.code, "王秀英", "320105************", "1958年", "138****5678"],
                ]
            )
        },
    )
    job = ImportJob.objects.latest("pk")
    assert job.result["counts"] == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}, job.result
