"""Importing follow-ups: a unit's notes on its own open cases, the same note again is unchanged, every
problem named by row and column, and nothing written when any row fails."""

import datetime

import pytest
from django.urls import reverse

from projects.models import AuditEntry, FollowUp, SocialWorker
from projects.services import enrollment_close, follow_up_save
from tests.casework_factories import enroll, live_project, make_id
from tests.imports.importing import confirm, counts, errors, plan_queries, upload

pytestmark = pytest.mark.django_db
HEADER = ["个案编号", "日期", "方式", "社工", "风险等级", "需求变化", "情况变化", "跟踪记录"]


@pytest.fixture
def world(cast, unit_org, unit2_org):
    project = live_project(unit_org)
    other_project = live_project(unit2_org, round=project.round)
    return {
        "case": enroll(project, cast["unit"], name="王秀英", id_number=make_id()),
        "second": enroll(project, cast["unit"], name="李桂兰"),
        "other": enroll(other_project, cast["unit2"], name="别处的人"),
        "worker": SocialWorker.objects.create(name="张敏", employer=unit_org),
        "stranger": SocialWorker.objects.create(name="李强", employer=unit2_org),
    }


def note(case, date, text, **values):
    return [case.code, date, values.get("method", "入户探访"), values.get("worker", "张敏"), "低", "", "", text]


def test_a_unit_imports_follow_ups_of_its_own_cases(client, cast, world):
    client.force_login(cast["unit"])
    case, second = world["case"], world["second"]
    rows = [
        HEADER,
        [case.code, "2014年6月1日", "入户探访", "张敏", "中", "需要助餐", "独居", "入户探访，了解近况。"],
        [case.code, datetime.date(2014, 6, 8), "电话", "", "低", "", "", "电话回访。"],
        [second.code, "2014/6/2", "", "张敏", "", "", "", "'-情绪好转，继续跟进。"],
    ]
    job = upload(client, "followups", rows)
    assert job.status == "checked", job.result
    assert job.result["counts"] == counts(new=3)
    assert not FollowUp.objects.exists()
    job = confirm(client, job)
    assert job.status == "done", job.message
    first = FollowUp.objects.get(enrollment=case, date=datetime.date(2014, 6, 1))
    assert (first.method, first.risk_level, first.social_worker, first.recorded_by) == (
        "visit",
        "medium",
        world["worker"],
        cast["unit"],
    )
    assert FollowUp.objects.get(enrollment=case, date=datetime.date(2014, 6, 8)).social_worker is None
    # The apostrophe an export puts before text starting with "-" is not part of the note.
    assert FollowUp.objects.get(enrollment=second).note == "-情绪好转，继续跟进。"
    entries = AuditEntry.objects.filter(action="follow_up.add")
    assert entries.count() == 3 and entries.filter(actor=cast["unit"]).count() == 3
    assert not any("探访" in str(entry.data) or "王秀英" in entry.object_repr for entry in entries)

    # The same file again (as an export gives it back) changes nothing; a corrected risk level is a change.
    assert upload(client, "followups", rows).result["counts"] == counts(unchanged=3)
    rows[1][4] = "高"
    job = upload(client, "followups", rows)
    assert job.result["counts"] == counts(changed=1, unchanged=2)
    assert job.result["rows"][0]["changes"] == [["风险等级", "中", "高"]]
    confirm(client, job)
    assert FollowUp.objects.get(enrollment=case, date=datetime.date(2014, 6, 1)).risk_level == "high"
    assert FollowUp.objects.count() == 3 and AuditEntry.objects.filter(action="follow_up.add").count() == 3


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(client, cast, world):
    client.force_login(cast["unit"])
    case = world["case"]
    closed = enroll(case.project, cast["unit"], name="赵大爷")
    enrollment_close(enrollment=closed, by=cast["unit"], closed_on=datetime.date(2014, 6, 1), summary="服务完成。")
    rows = [
        HEADER,
        note(case, "2014-06-01", "入户探访。"),  # fine on its own
        note(world["other"], "2014-06-01", "入户探访。"),  # another unit's case
        ["QC-2014-999/001", "2014-06-01", "入户探访", "张敏", "低", "", "", "入户探访。"],  # no such case
        note(closed, "2014-06-02", "入户探访。"),  # a closed case
        note(case, "2014-06-03", "入户探访。", worker="李强"),  # unit2's social worker
        note(case, "2014-06-04", "入户探访。", method="上门"),
        note(case, "2014-05-01", "接案前的记录。"),  # before the intake (10 May)
        note(case, "2014-06-05", "请拨打 13812345678 联系。"),  # a mobile number in the text
        note(case, "2014-06-06", ""),
        note(case, "2014-06-01", "入户探访。"),  # row 2 again
    ]
    job = upload(client, "followups", rows)
    assert job.status == "refused"
    found = errors(job)
    assert set(found) == {
        (3, "个案编号"),
        (4, "个案编号"),
        (5, "个案编号"),
        (6, "社工"),
        (7, "方式"),
        (8, "日期"),
        (9, "跟踪记录"),
        (10, "跟踪记录"),
        (11, "跟踪记录"),
    }, found
    # Another unit's case and a closed one are answered exactly as a case that does not exist.
    assert found[(3, "个案编号")].replace(world["other"].code, "X") == found[(4, "个案编号")].replace(
        "QC-2014-999/001", "X"
    )
    assert "接案日期" in found[(8, "日期")] and "第 2 行" in found[(11, "跟踪记录")]
    assert not FollowUp.objects.exists() and not job.stored_name


def test_identical_follow_ups_on_record_import_back_unchanged(client, cast, world):
    case = world["case"]
    for _ in range(2):  # two phone calls on one day, written alike
        follow_up_save(
            follow_up=FollowUp(enrollment=case, date=datetime.date(2014, 6, 1), method="phone", note="电话回访。"),
            by=cast["unit"],
        )
    client.force_login(cast["unit"])
    row = [case.code, "2014年6月1日", "电话", "", "低", "", "", "电话回访。"]
    assert upload(client, "followups", [HEADER, row, row]).result["counts"] == counts(unchanged=2)
    job = upload(client, "followups", [HEADER, row, row, row])
    assert job.status == "refused" and "第 2 行" in errors(job)[(4, "跟踪记录")]


def test_only_units_import_follow_ups(client, cast, world):
    for role in ("civil", "committee", "association", "evaluator"):
        client.force_login(cast[role])
        assert client.get(reverse("admin:projects_importjob_upload", args=["followups"])).status_code == 403, role
    client.force_login(cast["unit2"])
    job = upload(client, "followups", [HEADER, note(world["case"], "2014-06-01", "入户探访。")])
    assert job.status == "refused" and (2, "个案编号") in errors(job)
    client.force_login(cast["unit"])
    response = client.get(reverse("admin:projects_importjob_template", args=["followups"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "导入跟踪记录" in client.get(reverse("admin:projects_followup_changelist")).content.decode()


def test_planning_queries_stay_flat(cast, world):
    case, second = world["case"], world["second"]
    SocialWorker.objects.create(name="王芳", employer=case.project.implementing_unit)
    rows = [
        note(
            (case, second)[i % 2],
            datetime.date(2014, 6, 1) + datetime.timedelta(days=i % 90),
            f"第{i}次探访。",
            worker=("张敏", "王芳")[i % 2],
        )
        for i in range(200)
    ]
    few, _ = plan_queries(cast["unit"], "followups", [HEADER, *rows[:2]])
    many, plan = plan_queries(cast["unit"], "followups", [HEADER, *rows])
    assert plan.counts() == counts(new=200), plan.errors[:3]
    assert many <= few, (few, many)
