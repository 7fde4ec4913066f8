"""Importing activities with hours: a unit's own running projects, one hours row per person, the export's
totals only compared (a warning, never an error), every problem named by row and column."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Activity, ActivityStaff, ActivityVolunteer, AuditEntry, SocialWorker, Volunteer
from projects.services import activity_record, casework_row_save
from tests.casework_factories import live_project
from tests.factories import CommunityFactory
from tests.imports.importing import confirm, counts, errors, plan_queries, upload, warnings

pytestmark = pytest.mark.django_db
HEADER = ["项目编号", "活动类型", "活动名称", "日期", "活动地点", "参与人数", "活动内容", "社工", "社工服务时数"]
HEADER += ["义工", "义工服务时数"]
# What the activities export writes: the hours are the activity's totals.
EXPORT = [
    "项目编号",
    "活动类型",
    "活动名称",
    "日期",
    "活动地点",
    "参与人数",
    "活动内容",
    "社工服务时数",
    "义工服务时数",
]


@pytest.fixture
def world(cast, unit_org, unit2_org):
    project = live_project(unit_org)
    return {
        "project": project,
        "other": live_project(unit2_org, round=project.round),
        "community": CommunityFactory(name="南门社区"),
        "zhang": SocialWorker.objects.create(name="张敏", employer=unit_org),
        "li": SocialWorker.objects.create(name="李强", employer=unit_org),
        "stranger": SocialWorker.objects.create(name="赵六", employer=unit2_org),
        "wang": Volunteer.objects.create(name="王芳", organization=unit_org, registered_on="2014-01-01"),
    }


def hours_of(activity, model=ActivityStaff) -> dict[str, Decimal]:
    rows = model.objects.filter(activity=activity).select_related()
    return {str(getattr(row, "social_worker", None) or row.volunteer): row.hours for row in rows}


def test_a_unit_imports_activities_with_each_persons_hours(client, cast, world):
    code = world["project"].code
    client.force_login(cast["unit"])
    rows = [
        HEADER,
        [
            code,
            "小组活动",
            "银龄健康讲座",
            "2014年10月18日",
            "南门社区",
            25,
            "慢病用药讲解。",
            "张敏、李强",
            2.5,
            "王芳",
            "3",
        ],
        [code, "社区活动", "重阳敬老", "2014/10/2", "", "40", "", "张敏 李强", "2，1.5", "", ""],
    ]
    job = upload(client, "activities", rows)
    assert job.status == "checked", job.result
    assert job.result["counts"] == counts(new=2) and not job.result["warnings"]
    assert not Activity.objects.exists()
    job = confirm(client, job)
    assert job.status == "done", job.message
    talk = Activity.objects.get(title="银龄健康讲座")
    assert (talk.type, talk.venue, talk.participants) == ("group", world["community"], 25)
    assert hours_of(talk) == {"张敏": Decimal("2.5"), "李强": Decimal("2.5")}
    assert hours_of(talk, ActivityVolunteer) == {"王芳": Decimal("3")}
    assert hours_of(Activity.objects.get(title="重阳敬老")) == {"张敏": Decimal("2"), "李强": Decimal("1.5")}
    entries = AuditEntry.objects.filter(action="activity.record")
    assert entries.count() == 2 and not any("张敏" in str(entry.data) for entry in entries)

    # The same file again changes nothing; a person's new hours and a person dropped are a change.
    assert upload(client, "activities", rows).result["counts"] == counts(unchanged=2)
    rows[1][7:9] = ["张敏", "3"]
    job = upload(client, "activities", rows)
    assert job.result["counts"] == counts(changed=1, unchanged=1)
    assert job.result["rows"][0]["changes"] == [["社工服务时数", "张敏 2.5、李强 2.5", "张敏 3"]]
    assert confirm(client, job).status == "done"
    assert hours_of(talk) == {"张敏": Decimal("3")} and ActivityStaff.objects.count() == 3
    assert AuditEntry.objects.filter(action="activity.update").count() == 1


def test_an_export_imports_back_unchanged_and_its_totals_are_only_compared(client, cast, world):
    project = world["project"]
    activity = activity_record(
        activity=Activity(project=project, type="group", title="银龄健康讲座", date=datetime.date(2014, 10, 18)),
        by=cast["unit"],
    )
    for worker in (world["zhang"], world["li"]):
        casework_row_save(row=ActivityStaff(activity=activity, social_worker=worker, hours=2.5), by=cast["unit"])
    exported = [project.code, "小组活动", "银龄健康讲座", datetime.date(2014, 10, 18), "", 0, "", 5, 0]
    client.force_login(cast["unit"])
    job = upload(client, "activities", [EXPORT, exported])
    assert job.result["counts"] == counts(unchanged=1) and not job.result["warnings"], job.result
    # A total that differs from the record, and hours of a new activity given without names: warnings only.
    exported[7] = "6"
    new = [project.code, "宣传", "禁毒宣传日", "2014-06-26", "", 100, "", 4, "2.5"]
    job = upload(client, "activities", [EXPORT, exported, new])
    assert job.status == "checked" and job.result["counts"] == counts(new=1, unchanged=1)
    assert set(warnings(job)) == {(2, "社工服务时数"), (3, "社工服务时数"), (3, "义工服务时数")}
    assert "6 小时" in warnings(job)[(2, "社工服务时数")] and "5 小时" in warnings(job)[(2, "社工服务时数")]
    assert confirm(client, job).status == "done"
    assert hours_of(activity) == {"张敏": Decimal("2.5"), "李强": Decimal("2.5")}
    assert not ActivityStaff.objects.filter(activity__title="禁毒宣传日").exists()


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(client, cast, world):
    code = world["project"].code
    future = datetime.date.today() + datetime.timedelta(days=3)
    client.force_login(cast["unit"])
    rows = [
        HEADER,
        [code, "小组活动", "健康讲座", "2014-10-18", "南门社区", 25, "", "张敏", 2, "王芳", 3],  # fine on its own
        [world["other"].code, "小组活动", "健康讲座", "2014-10-18", "", 25, "", "", "", "", ""],
        [code, "联欢", "健康讲座2", "2014-10-18", "", 25, "", "", "", "", ""],
        [code, "小组活动", "健康讲座3", "2014-10-18", "北门社区", "很多", "", "", "", "", ""],
        [code, "小组活动", "健康讲座4", "2014-10-18", "", 25, "", "赵六", 2, "", ""],  # unit2's social worker
        [code, "小组活动", "健康讲座5", "2014-10-18", "", 25, "", "张敏", 25, "", ""],
        [code, "小组活动", "健康讲座6", "2014-10-18", "", 25, "", "张敏、李强", "1、2、3", "", ""],
        [code, "小组活动", "健康讲座7", "2014-10-18", "", 25, "", "", "", "王芳", ""],  # names without hours
        [code, "小组活动", "健康讲座8", "2014-10-18", "", 25, "", "张敏、张敏", 2, "", ""],
        [code, "小组活动", "健康讲座9", future, "", 25, "", "", "", "", ""],
        [code, "", "健康讲座10", "2014-10-18", "", 25, "", "", "", "", ""],  # a new activity needs its type
        [code, "小组活动", "健康讲座", "2014-10-18", "", 25, "", "", "", "", ""],  # row 2 again
        [code, "小组活动", "健康讲座11", "2014-10-18", "", 25, "", "李强", "1.25", "", ""],
    ]
    job = upload(client, "activities", rows)
    assert job.status == "refused"
    found = errors(job)
    assert set(found) == {
        (3, "项目编号"),
        (4, "活动类型"),
        (5, "活动地点"),
        (5, "参与人数"),
        (6, "社工"),
        (7, "社工服务时数"),
        (8, "社工服务时数"),
        (9, "义工服务时数"),
        (10, "社工"),
        (11, "日期"),
        (12, "活动类型"),
        (13, "活动名称"),
        (14, "社工服务时数"),
    }, found
    assert "赵六" in found[(6, "社工")] and "第 2 行" in found[(13, "活动名称")]
    assert not Activity.objects.exists() and not ActivityStaff.objects.exists() and not job.stored_name


def test_only_units_import_activities_into_their_own_projects(client, cast, world):
    for role in ("civil", "committee", "association", "evaluator"):
        client.force_login(cast[role])
        assert client.get(reverse("admin:projects_importjob_upload", args=["activities"])).status_code == 403, role
    client.force_login(cast["unit2"])
    row = [world["project"].code, "小组活动", "健康讲座", "2014-10-18", "", 25, "", "", "", "", ""]
    job = upload(client, "activities", [HEADER, row])
    assert job.status == "refused" and (2, "项目编号") in errors(job)
    client.force_login(cast["unit"])
    response = client.get(reverse("admin:projects_importjob_template", args=["activities"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "导入服务活动" in client.get(reverse("admin:projects_activity_changelist")).content.decode()


def test_planning_queries_stay_flat(cast, world):
    code = world["project"].code
    start = datetime.date(2014, 6, 1)
    rows = [
        [
            code,
            "小组活动",
            f"活动{i}",
            start + datetime.timedelta(days=i % 90),
            "南门社区",
            10,
            "",
            "张敏、李强",
            "2",
            "王芳",
            "1.5",
        ]
        for i in range(200)
    ]
    few, _ = plan_queries(cast["unit"], "activities", [HEADER, *rows[:2]])
    many, plan = plan_queries(cast["unit"], "activities", [HEADER, *rows])
    assert plan.counts() == counts(new=200), plan.errors[:3]
    assert many <= few, (few, many)
