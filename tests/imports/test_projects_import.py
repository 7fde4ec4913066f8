"""Importing a round's project list: the dry run names every problem by row and column; one transaction."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from projects.models import AuditEntry, ImportJob, Project, Round
from tests.factories import OrganizationFactory, RoundFactory, ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def xlsx(rows, title=None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目"
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("2014年项目.xlsx", buffer.getvalue())


@pytest.fixture
def world(db):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    unit = OrganizationFactory(name="阳光社工中心")
    category = ServiceCategoryFactory(name="橙色·银龄关爱", colour_name="橙")
    return {"round": round_, "unit": unit, "category": category}


HEADER = ["项目名称", "年度", "实施单位", "服务类别", "申请金额（元）", "开始日期", "结束日期"]


def test_civil_imports_a_list_with_a_title_row(client, cast, world):
    client.force_login(cast["civil"])
    upload = xlsx(
        [
            HEADER,
            ["独居老人关爱", 2014, "阳光社工中心", "橙", "2万", "2014年9月1日", "2015/8/31"],
            ["困境儿童陪伴", "2014", "阳光社工中心", "橙色·银龄关爱", "18,000.00", "2014-09-01", "2015.8.31"],
            ["合计", None, None, None, 38000],
        ],
        title="2014年度七彩工程项目汇总表",
    )
    response = client.post(reverse("admin:projects_importjob_upload", args=["projects"]), {"file": upload})
    assert response.status_code == 302, response.content.decode()[-3000:]
    job = ImportJob.objects.get()
    assert job.status == "checked", (job.message, job.result)
    assert job.result["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    assert not Project.objects.exists()
    page = client.get(reverse("admin:projects_importjob_change", args=[job.pk])).content.decode()
    assert "确认导入" in page
    response = client.post(reverse("admin:projects_importjob_confirm", args=[job.pk]), {"version": job.version})
    job.refresh_from_db()
    assert job.status == "done", job.message
    projects = list(Project.objects.order_by("code"))
    assert [p.code for p in projects] == ["QC-2014-001", "QC-2014-002"]
    assert projects[0].requested_amount == 20000 and projects[0].start_date.isoformat() == "2014-09-01"
    assert AuditEntry.objects.filter(action="project.create").count() == 2
    assert AuditEntry.objects.filter(action="import.run").count() == 1
    assert not job.stored_name


def test_errors_name_the_row_and_the_column_and_nothing_is_written(client, cast, world):
    client.force_login(cast["civil"])
    upload = xlsx(
        [
            HEADER,
            ["独居老人关爱", 2014, "阳光社工中心", "橙", "三万元", "2014-09-01", "2015-08-31"],
            ["困境儿童陪伴", 2014, "不存在的单位", "橙", "18000", "2014-09-01", "2015-08-31"],
            ["青少年成长", 2014, "阳光社工中心", "橙", "18000", "9999-01-01", "2015-08-31"],
        ]
    )
    client.post(reverse("admin:projects_importjob_upload", args=["projects"]), {"file": upload})
    job = ImportJob.objects.get()
    assert job.status == "refused"
    errors = {(e["row"], e["header"]) for e in job.result["errors"]}
    assert (2, "申请金额（元）") in errors and (3, "实施单位") in errors and (4, "开始日期") in errors, job.result
    assert not Project.objects.exists() and not job.stored_name


def test_a_unit_imports_only_its_own_projects(client, cast, world, unit_org):
    client.force_login(cast["unit"])
    upload = xlsx([HEADER, ["独居老人关爱", 2014, "阳光社工中心", "橙", "20000", "2014-09-01", "2015-08-31"]])
    client.post(reverse("admin:projects_importjob_upload", args=["projects"]), {"file": upload})
    job = ImportJob.objects.get()
    assert job.status == "refused" and "只能导入本单位的项目" in str(job.result["errors"])
    client.force_login(cast["evaluator"])
    assert client.get(reverse("admin:projects_importjob_upload", args=["projects"])).status_code == 403
