"""An export imports back with no change: the demo district's follow-ups, activities and award records,
written as the exports write them (XLSX with numbers and dates; CSV with the pages' text)."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from awards.models import AwardRecord
from projects.formatting import format_date
from projects.models import Activity, FollowUp, ImportJob, Project
from tests.imports.importing import counts, upload

pytestmark = pytest.mark.django_db


def csv_upload(client, importer, rows) -> ImportJob:
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow([format_date(v) if hasattr(v, "isoformat") else v for v in row])
    data = SimpleUploadedFile("export.csv", text.getvalue().encode("utf-8-sig"))
    client.post(reverse("admin:projects_importjob_upload", args=[importer]), {"file": data})
    return ImportJob.objects.latest("pk")


def both(client, importer, rows) -> list[dict]:
    return [upload(client, importer, rows).result["counts"], csv_upload(client, importer, rows).result["counts"]]


@pytest.fixture
def people(demo_district):
    users = get_user_model().objects
    return {"unit": users.get(username="unit"), "civil": users.get(username="civil")}


def test_follow_ups_and_activities_of_a_unit(client, people):
    unit = people["unit"]
    projects = Project.objects.casework_by(unit)
    follow_ups = FollowUp.objects.filter(enrollment__project__in=projects, enrollment__status="open")
    rows = [["个案编号", "日期", "方式", "社工", "风险等级", "需求变化", "情况变化", "跟踪记录"]]
    for f in follow_ups.select_related("enrollment", "social_worker"):
        worker = f.social_worker.name if f.social_worker else "—"
        rows.append([f.enrollment.code, f.date, f.get_method_display(), worker, f.get_risk_level_display()])
        rows[-1] += [f.needs_change, f.circumstances, f.note]
    client.force_login(unit)
    assert len(rows) > 50
    assert both(client, "followups", rows) == [counts(unchanged=len(rows) - 1)] * 2

    activities = Activity.objects.filter(project__in=projects).select_related("project", "venue")
    activities = activities.annotate(staff_hours=Sum("staff__hours"))
    rows = [
        ["项目编号", "活动类型", "活动名称", "日期", "活动地点", "参与人数", "活动内容", "社工服务时数", "义工服务时数"]
    ]
    for a in activities.prefetch_related("volunteers"):
        volunteer_hours = sum(v.hours for v in a.volunteers.all())
        rows.append([a.project.code, a.get_type_display(), a.title, a.date, a.venue.name if a.venue else ""])
        rows[-1] += [a.participants, a.description, a.staff_hours or 0, volunteer_hours]
    assert len(rows) > 10
    assert both(client, "activities", rows) == [counts(unchanged=len(rows) - 1)] * 2


def test_award_records(client, people):
    rows = [["年度", "奖项", "名次", "获奖项目", "获奖单位", "获奖个人", "表彰词", "表彰日期", "颁奖单位/颁奖人"]]
    for r in AwardRecord.objects.select_related("round", "award_type", "project", "organization"):
        rows.append([r.round.year, r.award_type.name, r.rank, str(r.project or ""), str(r.organization or "")])
        rows[-1] += [r.person_name, r.citation, r.awarded_on, r.presenter]
    client.force_login(people["civil"])
    assert len(rows) == 11
    assert both(client, "awards", rows) == [counts(unchanged=10)] * 2
