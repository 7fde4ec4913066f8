"""Importing award records: past rounds' lists only, with the rules of a confirmation (quota, once per
recipient, a project of that round); a confirmed nomination's record is never changed by an import."""

import datetime

import pytest
from django.urls import reverse

from awards.models import AwardRecord, AwardType, Nomination
from awards.services import award_record_import, nomination_confirm
from projects.models import AuditEntry, Round
from projects.services import WorkflowError
from tests.factories import AwardTypeFactory, OrganizationFactory, ProjectFactory, RoundFactory
from tests.imports.importing import confirm, counts, errors, plan_queries, upload

pytestmark = pytest.mark.django_db
HEADER = ["年度", "奖项", "名次", "获奖项目编号", "获奖单位", "获奖个人", "表彰词", "表彰日期", "颁奖单位/颁奖人"]
DAY = datetime.date(2013, 9, 16)


@pytest.fixture
def world(cast):
    past = RoundFactory(year=2012, status=Round.Status.CLOSED)
    current = RoundFactory(year=2013, status=Round.Status.IN_PROGRESS)
    excellent = AwardTypeFactory()  # 优秀项目, seeded by the migrations
    excellent.quota = 4
    excellent.save()
    worker = AwardType.objects.get(name="优秀社工")  # seeded too: a person's award without a quota
    agency = AwardType.objects.create(name="优秀机构", code="excellent-agency", recipient_kind="organization", quota=1)
    projects = [ProjectFactory(round=past) for _ in range(5)]
    nomination = Nomination.objects.create(round=past, award_type=excellent, project=projects[4], source="ranking")
    confirmed = nomination_confirm(
        nomination=nomination, by=cast["committee"], citation="成效显著。", awarded_on=DAY, presenter="区社工委", rank=4
    )
    return {
        "past": past,
        "current": current,
        "excellent": excellent,
        "worker": worker,
        "agency": agency,
        "projects": projects,
        "later": ProjectFactory(round=current),
        "sunshine": OrganizationFactory(name="阳光社会工作服务中心"),
        "confirmed": confirmed,
    }


def award(project="", year=2012, name="优秀项目", rank="", organization="", person="", citation="", day="2013-09-16"):
    return [year, name, rank, getattr(project, "code", project), organization, person, citation, day, "区社工委"]


def test_civil_affairs_imports_a_past_rounds_award_list(client, cast, world):
    first, second, third = world["projects"][:3]
    client.force_login(cast["civil"])
    rows = [
        HEADER,
        award(first, rank=1, citation="服务扎实。"),
        award(f"{second.code} {second.title}", rank=2, day="2013年9月16日"),  # as a list shows a project
        award(third, rank=3),
        award(name="优秀社工", person="张敏", citation="扎根社区十年。"),
        award(name="优秀机构", organization="阳光社会工作服务中心"),
        award(world["confirmed"].project, rank=4, citation="成效显著。"),  # the confirmed nomination's record
    ]
    job = upload(client, "awards", rows, title="2012年度七彩工程表彰名单")
    assert job.status == "checked", job.result
    assert job.result["counts"] == counts(new=5, unchanged=1)
    assert AwardRecord.objects.count() == 1
    job = confirm(client, job)
    assert job.status == "done", job.message
    assert list(
        AwardRecord.objects.filter(award_type=world["excellent"]).order_by("rank").values_list("project", "rank")
    ) == [(first.pk, 1), (second.pk, 2), (third.pk, 3), (world["confirmed"].project_id, 4)]
    person = AwardRecord.objects.get(award_type=world["worker"])
    assert (person.person_name, person.citation, person.awarded_on) == ("张敏", "扎根社区十年。", DAY)
    assert AwardRecord.objects.get(award_type=world["agency"]).organization == world["sunshine"]
    entries = AuditEntry.objects.filter(action="award.import")
    assert entries.count() == 5 and set(entries.values_list("actor", flat=True)) == {cast["civil"].pk}
    assert not any("扎根" in str(entry.data) for entry in entries)

    # The same list again changes nothing; a corrected citation of an imported record is a change.
    assert upload(client, "awards", rows).result["counts"] == counts(unchanged=6)
    rows[1][6] = "服务扎实，成效显著。"
    job = upload(client, "awards", rows)
    assert job.result["counts"] == counts(changed=1, unchanged=5)
    assert job.result["rows"][0]["changes"] == [["表彰词", "服务扎实。", "服务扎实，成效显著。"]]
    assert confirm(client, job).status == "done"
    assert AwardRecord.objects.get(project=first).citation == "服务扎实，成效显著。"
    # A record from a confirmed nomination is the committee's: an import never changes it.
    rows[6][6] = "另一段表彰词。"
    job = upload(client, "awards", rows)
    assert job.status == "refused" and "确认提名" in errors(job)[(7, "表彰词")]


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(client, cast, world):
    first, second, third, fourth = world["projects"][:4]
    client.force_login(cast["civil"])
    rows = [
        HEADER,
        award(first, rank=1),  # fine on its own
        award(world["later"], year=2013),  # the current round
        award(second, name="最佳项目"),
        award(second, person="张敏"),  # two recipients
        award(world["later"]),  # a 2013 project in the 2012 list
        award(name="优秀社工", project=third),  # a person's award given to a project
        award(name="优秀机构", organization="不存在的机构"),
        award(third, rank=4),  # the confirmed record holds 4th place
        award(second, rank=1),  # row 2's place
        award(first),  # row 2's recipient again
        award(fourth, rank=0),
        award(name="优秀社工", person="李强", day="2030-01-01"),
        award(year=2011, person="王芳", name="优秀社工"),
    ]
    job = upload(client, "awards", rows)
    assert job.status == "refused"
    found = errors(job)
    assert set(found) == {
        (3, "年度"),
        (4, "奖项"),
        (5, "获奖个人"),
        (6, "获奖项目编号"),
        (7, "获奖项目编号"),
        (8, "获奖单位"),
        (9, "名次"),
        (10, "名次"),
        (11, None),
        (12, "名次"),
        (13, "表彰日期"),
        (14, "年度"),
    }, found
    assert "确认提名" in found[(3, "年度")] and "2013 年度的项目" in found[(6, "获奖项目编号")]
    assert AwardRecord.objects.count() == 1 and not AuditEntry.objects.filter(action="award.import").exists()


def test_the_quota_counts_records_on_file_and_rows_before(client, cast, world):
    client.force_login(cast["civil"])
    projects = world["projects"]
    job = upload(client, "awards", [HEADER, *(award(project) for project in projects[:4])])
    assert job.status == "refused" and set(errors(job)) == {(5, "奖项")}
    assert "名额为 4 个" in errors(job)[(5, "奖项")]
    agency = award(name="优秀机构", organization="阳光社会工作服务中心")
    job = upload(client, "awards", [HEADER, agency, agency])
    assert job.status == "refused" and set(errors(job)) == {(3, None)}  # repeated, not over the quota
    assert "第 2 行" in errors(job)[(3, None)]


def test_only_civil_affairs_imports_award_records(client, cast, world):
    for role in ("unit", "committee", "association", "evaluator"):
        client.force_login(cast[role])
        assert client.get(reverse("admin:projects_importjob_upload", args=["awards"])).status_code == 403, role
    client.force_login(cast["civil"])
    response = client.get(reverse("admin:projects_importjob_template", args=["awards"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "导入表彰记录" in client.get(reverse("admin:awards_awardrecord_changelist")).content.decode()


def test_award_record_import_applies_the_rules_itself(cast, world):
    def record(**values):
        return AwardRecord(**{"round": world["past"], "award_type": world["excellent"], "awarded_on": DAY, **values})

    for role in ("committee", "association", "unit"):
        with pytest.raises(WorkflowError):
            award_record_import(record=record(project=world["projects"][0]), by=cast[role])
    with pytest.raises(WorkflowError, match="确认提名"):
        award_record_import(record=record(round=world["current"], project=world["later"]), by=cast["civil"])
    with pytest.raises(WorkflowError, match="不是 2012 年度的项目"):
        award_record_import(record=record(project=world["later"]), by=cast["civil"])
    with pytest.raises(WorkflowError, match="已获得此奖项"):
        award_record_import(record=record(project=world["confirmed"].project), by=cast["civil"])
    saved = award_record_import(record=record(project=world["projects"][0], rank=1), by=cast["civil"])
    entry = AuditEntry.objects.get(action="award.import")
    assert (entry.actor, entry.project, entry.data["year"], entry.data["created"]) == (
        cast["civil"],
        saved.project,
        2012,
        True,
    )
    for project in world["projects"][1:3]:
        award_record_import(record=record(project=project), by=cast["civil"])
    with pytest.raises(WorkflowError, match="名额为 4 个"):
        award_record_import(record=record(project=world["projects"][3]), by=cast["civil"])
    saved.citation = "更正后的表彰词。"
    award_record_import(record=saved, by=cast["civil"])
    with pytest.raises(WorkflowError, match="确认提名"):
        award_record_import(record=world["confirmed"], by=cast["civil"])


def test_planning_queries_stay_flat(cast, world):
    rows = [award(name="优秀社工", person=f"社工{i}") for i in range(200)]
    few, _ = plan_queries(cast["civil"], "awards", [HEADER, *rows[:2]])
    many, plan = plan_queries(cast["civil"], "awards", [HEADER, *rows])
    assert plan.counts() == counts(new=200), plan.errors[:3]
    assert many <= few, (few, many)
