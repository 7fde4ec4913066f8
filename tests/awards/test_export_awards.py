"""Award records, nominations and a round's award list (表彰名单) as workbooks."""

import io
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from awards.exports import AWARD_RECORD_HEADERS
from awards.models import AwardRecord, Nomination
from projects.models import Round
from tests.helpers import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db, demo_district):
    return demo_district


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def workbook(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body)).active


def filename_of(response) -> str:
    return unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])


def test_award_records_of_a_round_export_as_the_importer_reads_them(client, district):
    round_ = Round.objects.get(year=2012)
    login(client, "committee")
    response = export(client, "awards.awardrecord", file_format="xlsx", query=f"round__id__exact={round_.pk}")
    assert filename_of(response) == "2012年度七彩工程表彰记录清单.xlsx"
    sheet = workbook(response)
    assert tuple(cell.value for cell in sheet[1]) == AWARD_RECORD_HEADERS
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == AwardRecord.objects.filter(round=round_).count() == 10
    first = AwardRecord.objects.filter(round=round_).order_by("rank").first()
    row = next(row for row in rows if row[2].value == 1)
    assert [row[0].value, row[1].value, row[3].value, row[4].value, row[5].value] == [
        2012,
        first.award_type.name,
        first.project.code,
        None,  # a project's award: no unit, no person (exactly one recipient, as the importer expects)
        None,
    ]
    assert row[7].is_date and row[7].value.date() == first.awarded_on
    assert row[8].value == first.presenter


def test_nominations_export(client, district):
    login(client, "association")
    sheet = workbook(export(client, "awards.nomination", file_format="xlsx"))
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["年度", "奖项", "来源", "排名"]
    assert sheet.max_row - 1 == Nomination.objects.count()
    scores = [row[header.index("评估得分")] for row in sheet.iter_rows(min_row=2)]
    score = next(cell for cell in scores if cell.value is not None)  # an association's nomination has none
    assert score.data_type == "n" and score.number_format == "0.00"


def test_a_rounds_award_list_from_its_page(client, district):
    round_ = Round.objects.get(year=2012)
    url = reverse("admin:awards_awardrecord_award_list", args=[round_.pk])
    login(client, "civil")
    page = client.get(reverse("admin:projects_round_change", args=[round_.pk])).content.decode()
    assert f'href="{url}"' in page and "导出表彰名单" in page
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    assert filename_of(response) == "2012年度七彩工程表彰名单.xlsx"
    sheet = workbook(response)
    assert [cell.value for cell in sheet[1]] == [
        "奖项",
        "名次",
        "获奖对象",
        "项目编号",
        "实施单位",
        "表彰词",
        "表彰日期",
        "颁奖单位/颁奖人",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == list(range(1, 11))
    records = AwardRecord.objects.filter(round=round_).select_related("project__implementing_unit")
    best = records.get(rank=1)
    assert rows[0][3] == best.project.code and rows[0][4] == best.project.implementing_unit.name
    assert best.project.code in rows[0][2]
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(("username", "status"), [("committee", 200), ("association", 200), ("unit", 403)])
def test_the_award_list_is_for_those_who_may_export_award_records(client, district, username, status):
    round_ = Round.objects.get(year=2012)
    login(client, username)
    url = reverse("admin:awards_awardrecord_award_list", args=[round_.pk])
    assert client.get(url).status_code == status
    page = client.get(reverse("admin:projects_round_change", args=[round_.pk])).content.decode()
    assert (f'href="{url}"' in page) == (status == 200)


def test_an_unknown_rounds_award_list_is_not_found(client, district):
    login(client, "civil")
    assert client.get(reverse("admin:awards_awardrecord_award_list", args=["99999"])).status_code == 404
    assert client.get(reverse("admin:awards_awardrecord_award_list", args=["9" * 30])).status_code == 404
