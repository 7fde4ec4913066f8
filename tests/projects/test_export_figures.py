"""A round's figures as workbooks: its money position (round list and round page) and the evaluation ranking."""

import io
from decimal import Decimal as D
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from projects.figures import round_money
from projects.models import Round
from projects.services import round_ranking
from tests.helpers import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db, demo_district):
    return demo_district


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def sheet_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def filename_of(response) -> str:
    return unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])


def rows_by_header(sheet) -> list[dict]:
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


MONEY_HEADERS = [
    "年度",
    "名称",
    "状态",
    "区级财政预算（元）",
    "已审定（元）",
    "已终止项目已拨付（元）",
    "政府资金（元）",
    "剩余预算（元）",
    "已签约（元）",
    "已拨付（元）",
    "待拨付（元）",
    "配套社会资金（元）",
    "撬动比（社会资金÷政府资金）",
]


def assert_money_row(row, round_):
    money = round_money(round_)
    expected = {
        "区级财政预算（元）": money.budget,
        "已审定（元）": money.approved,
        "已终止项目已拨付（元）": money.terminated_paid,
        "政府资金（元）": money.government,
        "剩余预算（元）": money.remaining,
        "已签约（元）": money.contracted,
        "已拨付（元）": money.disbursed,
        "待拨付（元）": money.outstanding,
        "配套社会资金（元）": money.social,
    }
    for header, amount in expected.items():
        cell = row[header]
        assert cell.data_type == "n" and cell.number_format == "#,##0.00", header
        assert D(str(cell.value)).quantize(D("0.01")) == amount, header
    leverage = row["撬动比（社会资金÷政府资金）"]
    assert (leverage.value, leverage.number_format) == (0.3, "0%")  # shown as 30%
    assert (row["年度"].value, row["状态"].value) == (round_.year, round_.get_status_display())


def test_the_round_list_exports_every_rounds_money_position(client, district):
    login(client, "civil")
    response = export(client, "projects.round", file_format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == MONEY_HEADERS
    rows = {row["年度"].value: row for row in rows_by_header(sheet)}
    assert set(rows) == {2012, 2013, 2014}
    assert_money_row(rows[2013], Round.objects.get(year=2013))
    assert rows[2013]["已审定（元）"].value == 1000000
    assert rows[2014]["撬动比（社会资金÷政府资金）"].value is None  # no government money yet: no ratio


def test_a_rounds_page_exports_its_money_position(client, district):
    round_ = Round.objects.get(year=2013)
    url = reverse("admin:projects_round_money_export", args=[round_.pk])
    login(client, "civil")
    page = client.get(reverse("admin:projects_round_change", args=[round_.pk])).content.decode()
    assert f'href="{url}"' in page and "导出资金状况" in page
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    assert filename_of(response) == "2013年度七彩工程资金状况.xlsx"
    sheet = sheet_of(response)
    assert sheet.title == "2013年度七彩工程资金状况" and sheet.max_row == 2
    assert_money_row(rows_by_header(sheet)[0], round_)
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(("username", "status"), [("committee", 200), ("association", 200), ("unit", 403)])
def test_the_money_position_is_exported_by_those_who_may_export_rounds(client, district, username, status):
    round_ = Round.objects.get(year=2013)
    login(client, username)
    url = reverse("admin:projects_round_money_export", args=[round_.pk])
    assert client.get(url).status_code == status
    page = client.get(reverse("admin:projects_round_change", args=[round_.pk])).content.decode()
    assert (f'href="{url}"' in page) == (status == 200)


def test_the_evaluator_and_an_unknown_round_get_no_money_position(client, district):
    login(client, "evaluator")
    assert (
        client.get(reverse("admin:projects_round_money_export", args=[Round.objects.get(year=2013).pk])).status_code
        == 403
    )
    login(client, "civil")
    assert client.get(reverse("admin:projects_round_money_export", args=[99999])).status_code == 404


def test_the_ranking_exports_with_its_grades(client, district):
    round_ = Round.objects.get(year=2012)
    url = reverse("admin:projects_round_ranking_export", args=[round_.pk])
    login(client, "civil")
    page = client.get(reverse("admin:projects_round_ranking", args=[round_.pk])).content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert filename_of(response) == "2012年度七彩工程结项评估排名.xlsx"
    sheet = sheet_of(response)
    assert [cell.value for cell in sheet[1]] == ["名次", "项目编号", "项目名称", "实施单位", "服务类别", "得分", "等级"]
    evaluations, distribution = round_ranking(round_)
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[1].value for row in rows] == [e.project.code for e in evaluations] and len(rows) == 50
    assert [row[0].value for row in rows[:3]] == [1, 2, 3]
    assert all(row[5].data_type == "n" and row[5].number_format == "0.00" for row in rows)
    assert D(str(rows[0][5].value)) == evaluations[0].score
    grades = [row[6].value for row in rows]
    assert {label: grades.count(label) for label in distribution} == distribution


@pytest.mark.parametrize(("username", "status"), [("association", 200), ("committee", 200), ("unit", 403)])
def test_the_ranking_is_for_programme_staff(client, district, username, status):
    login(client, username)
    url = reverse("admin:projects_round_ranking_export", args=[Round.objects.get(year=2012).pk])
    assert client.get(url).status_code == status
    assert client.post(url).status_code == 405
