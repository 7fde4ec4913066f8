"""Exports of the admin lists on the demo district: who may export which list, that the file holds exactly
what the list shows (scope, filters, search), the Chinese export page and file names, masking, streaming
and query counts that do not grow with the rows."""

import csv
import datetime
import io
import re
from decimal import Decimal as D
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from awards.exports import AWARD_RECORD_HEADERS
from projects.exports import (
    ACTIVITY_HEADERS,
    ENROLLMENT_HEADERS,
    FOLLOW_UP_HEADERS,
    ORGANIZATION_HEADERS,
    PROJECT_HEADERS,
)
from projects.formatting import format_date
from projects.models import (
    AuditEntry,
    CaseStory,
    Enrollment,
    Instalment,
    Organization,
    Project,
    Round,
    RubricTemplate,
    SocialFund,
    SocialWorker,
    Volunteer,
)
from tests.helpers import export, grow_listed_projects, grow_served_projects

pytestmark = pytest.mark.django_db

PROGRAMME = {"admin", "committee", "civil", "association"}
UNITS = {"unit", "unit2"}
# Who gets a 导出 button and a file, list by list (projects/roles.py grants export_<model>); everyone else
# gets no button and a 403 from the export URL. The evaluator exports nothing.
EXPORTERS = {
    "projects.organization": PROGRAMME,
    "projects.round": PROGRAMME,
    "projects.project": PROGRAMME | UNITS,
    "projects.agreement": PROGRAMME | UNITS,
    "projects.socialfund": PROGRAMME | UNITS,
    "projects.instalment": PROGRAMME | UNITS,
    "projects.enrollment": PROGRAMME - {"association"} | UNITS,
    "projects.followup": PROGRAMME - {"association"} | UNITS,
    "projects.activity": PROGRAMME | UNITS,
    "projects.socialworker": PROGRAMME | UNITS,
    "projects.volunteer": PROGRAMME | UNITS,
    "projects.casestory": PROGRAMME | UNITS,
    "projects.evaluation": PROGRAMME,
    "projects.auditentry": PROGRAMME,
    "awards.awardrecord": PROGRAMME,
    "awards.nomination": PROGRAMME,
}
ROLES = ["admin", "committee", "civil", "association", "unit", "unit2", "evaluator"]


@pytest.fixture
def district(db, demo_district):
    return demo_district


def login(client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return user


def url_of(model: str, view: str = "export") -> str:
    return reverse(f"admin:{model.replace('.', '_')}_{view}")


def csv_table(response) -> list[list[str]]:
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def sheet_of(response):
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body)).active


def filename_of(response) -> str:
    return unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])


def exporting_models() -> dict:
    """``{"app.model": model}`` of every admin list with an export."""
    return {
        model._meta.label_lower: model
        for model, model_admin in admin.site._registry.items()
        if getattr(model_admin, "export_resource", None)
    }


def test_every_list_named_by_the_issue_exports():
    assert set(exporting_models()) == set(EXPORTERS)


@pytest.mark.parametrize("username", ROLES)
def test_who_gets_the_button_and_the_file(client, district, username):
    user = login(client, username)
    problems = []
    for model, exporters in EXPORTERS.items():
        allowed = username in exporters
        changelist = client.get(url_of(model, "changelist"))
        if changelist.status_code == 200:
            button = f'href="{url_of(model)}' in changelist.content.decode()
            if button != allowed:
                problems.append(f"{model}: button {button}")
        elif allowed:
            problems.append(f"{model}: list {changelist.status_code}")
        page = client.get(url_of(model))
        if page.status_code != (200 if allowed else 403):
            problems.append(f"{model}: export page {page.status_code}")
        posted = client.post(url_of(model), {"format": "csv", "columns": ["code"]})
        if not allowed and posted.status_code != 403:
            problems.append(f"{model}: export post {posted.status_code}")
    assert not problems, user


def test_the_button_carries_the_lists_filters(client, district):
    login(client, "civil")
    round_ = Round.objects.get(year=2013)
    page = client.get(f"{url_of('projects.project', 'changelist')}?round__id__exact={round_.pk}&status__exact=approved")
    assert f'href="{url_of("projects.project")}?round__id__exact={round_.pk}&amp;status__exact=approved"' in (
        page.content.decode()
    )


@pytest.mark.parametrize("username", ["unit", "unit2"])
def test_a_unit_exports_only_its_own_records(client, district, username):
    """For every list a unit may export, the file holds what ``visible_to`` gives it and nothing of the other unit."""
    user = login(client, username)
    other = "江城区心桥社会工作事务所" if username == "unit" else "江城区阳光社会工作服务中心"
    other_codes = set(Project.objects.filter(implementing_unit__name=other).values_list("code", flat=True))
    assert other_codes
    foreign = re.compile("|".join(re.escape(code) + r"(?!\d)" for code in other_codes) + f"|{other}")
    for model, exporters in EXPORTERS.items():
        if username not in exporters:
            continue
        table = csv_table(export(client, model))
        body = "\n".join(",".join(row) for row in table)
        assert not foreign.search(body), (model, foreign.search(body).group(0))
        visible = exporting_models()[model].objects.visible_to(user)
        assert len(table) - 1 == visible.count(), model


def test_programme_staff_export_the_whole_list(client, district):
    login(client, "civil")
    assert len(csv_table(export(client, "projects.project"))) - 1 == Project.objects.count()
    assert len(csv_table(export(client, "projects.enrollment"))) - 1 == Enrollment.objects.count()
    assert len(csv_table(export(client, "projects.instalment"))) - 1 == Instalment.objects.count()


def test_the_file_holds_what_the_filters_and_the_search_show(client, district):
    login(client, "civil")
    round_ = Round.objects.get(year=2013)
    response = export(client, "projects.project", file_format="xlsx", query=f"round__id__exact={round_.pk}")
    sheet = sheet_of(response)
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted(Project.objects.filter(round=round_).values_list("code", flat=True))
    assert len(codes) == 60 and all(code.startswith("QC-2013-") for code in codes)
    assert filename_of(response) == "2013年度七彩工程项目清单.xlsx"
    assert sheet.title == "2013年度七彩工程项目清单"

    table = csv_table(export(client, "projects.project", query=f"round__id__exact={round_.pk}&status__exact=approved"))
    approved = Project.objects.filter(round=round_, status="approved").values_list("code", flat=True)
    assert sorted(row[0] for row in table[1:]) == sorted(approved) and approved

    searched = csv_table(export(client, "projects.project", query="q=QC-2012-01"))
    assert sorted(row[0] for row in searched[1:]) == [f"QC-2012-{n:03d}" for n in range(10, 20)]

    cases = export(client, "projects.enrollment", query=f"project__round__id__exact={round_.pk}")
    assert filename_of(cases) == "2013年度七彩工程个案清单.csv"
    assert {row[1][:7] for row in csv_table(cases)[1:]} == {"QC-2013"}


def test_the_list_order_is_the_files_order(client, district):
    login(client, "civil")
    table = csv_table(export(client, "projects.project", query="o=-1"))  # by code, descending
    codes = [row[0] for row in table[1:]]
    assert codes == sorted(codes, reverse=True)


def test_an_unfiltered_list_is_named_after_the_day(client, district):
    login(client, "civil")
    today = format_date(timezone.localdate())
    assert filename_of(export(client, "projects.project")) == f"七彩工程项目清单_{today}.csv"
    # A filter by two rounds is no one round's list.
    both = "round__id__in=1,2"
    assert filename_of(export(client, "projects.project", query=both)) == f"七彩工程项目清单_{today}.csv"
    response = export(client, "projects.auditentry", file_format="xlsx")
    assert filename_of(response) == f"七彩工程审计记录清单_{today}.xlsx"
    assert response["Content-Disposition"].startswith('attachment; filename="export-')


def test_an_impossible_filter_goes_back_to_the_list_and_other_methods_are_refused(client, district):
    login(client, "civil")
    url = url_of("projects.project")
    response = client.get(f"{url}?round__id__exact=abc")
    assert response.status_code == 302 and response["Location"].endswith("/admin/projects/project/?e=1")
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert client.post(url, {"format": "pdf", "columns": ["code"]}).status_code == 200  # the form again, no file
    assert client.post(url, {"format": "csv", "columns": []}).content.decode().count("请至少选择一列。") == 1


def test_only_the_ticked_columns_are_exported_in_their_order(client, district):
    login(client, "civil")
    response = client.post(url_of("projects.project"), {"format": "csv", "columns": ["approved_amount", "code"]})
    table = csv_table(response)
    assert table[0] == ["项目编号", "审定金额（元）"]
    assert table[1][0].startswith("QC-")


def test_the_export_page_is_entirely_chinese(client, district):
    login(client, "civil")
    english = re.compile(r"[A-Za-z]{2,}")
    allowed = {"Excel", "CSV", "UTF", "xlsx", "csv"}
    for model in EXPORTERS:
        page = client.get(url_of(model)).content.decode()
        content = page[page.index('<div id="content"') :]
        content = re.sub(r"<script.*?</script>|<[^>]+>", " ", content, flags=re.S)
        words = set(english.findall(content)) - allowed
        assert not words, (model, sorted(words))
        for text in ("Select all", "Export", "Format", "Resource", "Submit", "This exporter", "Code ("):
            assert text not in page, (model, text)
        assert "导出" in page


def test_the_export_page_says_how_many_records_and_offers_every_column(client, district):
    login(client, "civil")
    round_ = Round.objects.get(year=2013)
    page = client.get(f"{url_of('projects.project')}?round__id__exact={round_.pk}").content.decode()
    assert "共 60 条记录" in page and "2013年度七彩工程项目清单" in page
    assert re.findall(r"<input type=\"checkbox\" name=\"columns\"[^>]*checked>\s*(\S+)</label>", page) == list(
        PROJECT_HEADERS
    )
    assert 'value="xlsx" required id="id_format_0" checked' in page  # Excel by default


def test_the_round_trip_headers(client, district):
    """The headers the importers read back are those the exports write (projects/imports reuse the constants)."""
    assert PROJECT_HEADERS == (
        "项目编号",
        "项目名称",
        "年度",
        "实施单位",
        "服务类别",
        "运作模式",
        "服务对象群体",
        "所在街道",
        "所在社区",
        "开始日期",
        "结束日期",
        "申请金额（元）",
        "审定金额（元）",
        "目标服务人数",
        "状态",
    )
    assert ORGANIZATION_HEADERS == (
        "统一社会信用代码",
        "组织名称",
        "组织类型",
        "上级单位",
        "联系人",
        "联系电话",
        "地址",
    )
    assert ENROLLMENT_HEADERS == (
        "个案编号",
        "项目编号",
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "联系电话",
        "居住社区",
        "特殊人群类别",
        "接案日期",
        "风险等级",
        "个案状态",
    )
    assert FOLLOW_UP_HEADERS == ("个案编号", "日期", "方式", "社工", "风险等级", "需求变化", "情况变化", "跟踪记录")
    assert ACTIVITY_HEADERS == (
        "项目编号",
        "活动类型",
        "活动名称",
        "日期",
        "活动地点",
        "参与人数",
        "活动内容",
        "社工服务时数",
        "义工服务时数",
    )
    assert AWARD_RECORD_HEADERS == (
        "年度",
        "奖项",
        "名次",
        "获奖项目编号",
        "获奖单位",
        "获奖个人",
        "表彰词",
        "表彰日期",
        "颁奖单位/颁奖人",
    )
    login(client, "civil")
    for model, headers in [
        ("projects.project", PROJECT_HEADERS),
        ("projects.organization", ORGANIZATION_HEADERS),
        ("projects.enrollment", ENROLLMENT_HEADERS),
        ("projects.followup", FOLLOW_UP_HEADERS),
        ("projects.activity", ACTIVITY_HEADERS),
        ("awards.awardrecord", AWARD_RECORD_HEADERS),
    ]:
        assert tuple(csv_table(export(client, model))[0]) == headers, model


def test_the_workbook_holds_numbers_and_dates_excel_can_sum(client, district):
    login(client, "civil")
    round_ = Round.objects.get(year=2013)
    sheet = sheet_of(export(client, "projects.project", file_format="xlsx", query=f"round__id__exact={round_.pk}"))
    header = [cell.value for cell in sheet[1]]
    approved = header.index("审定金额（元）") + 1
    cells = [sheet.cell(row, approved) for row in range(2, sheet.max_row + 1)]
    assert all(cell.data_type == "n" and cell.number_format == "#,##0.00" for cell in cells)
    assert round(sum(D(str(cell.value)) for cell in cells), 2) == D("1000000.00")  # what =SUM() gives in Excel
    start = sheet.cell(2, header.index("开始日期") + 1)
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    assert sheet.cell(2, header.index("年度") + 1).value == 2013
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b


def test_text_that_looks_like_a_formula_stays_text(client, district):
    project = Project.objects.get(code="QC-2013-001")
    Project.objects.filter(pk=project.pk).update(title='=HYPERLINK("http://x","点击")', target_group="@SUM(1)")
    login(client, "civil")
    query = f"q={project.code}"
    sheet = sheet_of(export(client, "projects.project", file_format="xlsx", query=query))
    assert sheet["B2"].value == '=HYPERLINK("http://x","点击")' and sheet["B2"].data_type == "s"
    assert sheet["G2"].value == "@SUM(1)" and sheet["G2"].data_type == "s"
    row = csv_table(export(client, "projects.project", query=query))[1]
    assert row[1] == '\'=HYPERLINK("http://x","点击")' and row[6] == "'@SUM(1)"


# -- people's numbers -----------------------------------------------------------------------------


def personal_exports() -> int:
    return AuditEntry.objects.filter(action="personal_data.export").count()


def test_programme_staff_export_cases_masked_and_leave_no_access_row(client, district):
    login(client, "civil")
    case = Enrollment.objects.exclude(beneficiary__id_number="").exclude(date_of_birth=None).order_by("code").first()
    before = personal_exports()
    sheet = sheet_of(export(client, "projects.enrollment", file_format="xlsx", query=f"q={case.code}"))
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == case.code)
    values = dict(zip(header, row, strict=True))
    assert values["身份证号"] == case.beneficiary.id_number[:6] + "*" * 12
    assert values["出生日期"] == f"{case.date_of_birth.year}年"
    assert values["联系电话"] in (None, f"{case.phone[:3]}****{case.phone[-4:]}")
    assert personal_exports() == before


def test_a_unit_exports_its_own_cases_in_full_and_each_export_is_logged(client, district):
    user = login(client, "unit")
    case = (
        Enrollment.objects.visible_to(user)
        .exclude(beneficiary__id_number="")
        .exclude(date_of_birth=None)
        .order_by("code")
        .first()
    )
    before = personal_exports()
    sheet = sheet_of(export(client, "projects.enrollment", file_format="xlsx"))
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == case.code)
    birth = row[header.index("出生日期")]
    assert birth.is_date and birth.value.date() == case.date_of_birth
    assert row[header.index("身份证号")].value == case.beneficiary.id_number
    log = AuditEntry.objects.filter(action="personal_data.export").latest("pk")
    assert personal_exports() == before + 1
    assert (log.actor, log.data["records"]) == (user, Enrollment.objects.visible_to(user).count())

    # Without the numbers' columns it is no unmasked export: nothing to log.
    response = client.post(url_of("projects.enrollment"), {"format": "csv", "columns": ["code", "name"]})
    assert csv_table(response)[0] == ["个案编号", "姓名"]
    assert personal_exports() == before + 1


def test_social_workers_phones_follow_the_same_rule(client, district):
    worker = SocialWorker.objects.filter(employer__name="江城区阳光社会工作服务中心").exclude(phone="").first()
    login(client, "association")
    before = personal_exports()
    body = export(client, "projects.socialworker").content.decode("utf-8-sig")
    assert worker.phone not in body and f"{worker.phone[:3]}****{worker.phone[-4:]}" in body
    assert personal_exports() == before
    login(client, "unit")
    assert worker.phone in export(client, "projects.socialworker").content.decode("utf-8-sig")
    volunteer = Volunteer.objects.filter(organization__name="江城区阳光社会工作服务中心").exclude(phone="").first()
    assert volunteer.phone in export(client, "projects.volunteer").content.decode("utf-8-sig")
    assert personal_exports() == before + 2


def test_units_never_learn_their_evaluators_from_an_export(client, district):
    login(client, "civil")
    assert "评估专家" in csv_table(export(client, "projects.evaluation"))[0]
    unit = get_user_model().objects.get(username="unit")
    from projects.exports import EvaluationResource

    assert "evaluators" not in [field.name for field in EvaluationResource(user=unit).get_fields()]


# -- streaming and query counts --------------------------------------------------------------------


def test_downloads_are_streamed(client, district):
    login(client, "civil")
    url = url_of("projects.enrollment")
    columns = ["code", "project", "name", "intake_date"]
    with CaptureQueriesContext(connection) as answering:
        response = client.post(url, {"format": "csv", "columns": columns})
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    # On PostgreSQL iterator() reads through a server-side cursor: DECLARE … CURSOR … FOR SELECT …
    reads_cases = re.compile(r'^(DECLARE .*? FOR )?SELECT "projects_enrollment"\."id"')
    assert not any(reads_cases.match(query["sql"]) for query in answering)
    with CaptureQueriesContext(connection) as streaming:
        rows = csv_table(response)
    assert any(reads_cases.match(query["sql"]) for query in streaming)  # read while the file streams
    assert len(rows) - 1 == Enrollment.objects.count()

    workbook = client.post(url, {"format": "xlsx", "columns": columns})
    assert workbook.streaming and workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert int(workbook["Content-Length"]) > 0
    assert sheet_of(workbook).max_row == Enrollment.objects.count() + 1


def export_queries(client, model) -> int:
    """The queries of an export, the form's GET included, the file read to its end."""
    url = url_of(model)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
        columns = re.findall(r'name="columns" value="(\w+)"', page.content.decode())
        response = client.post(url, {"format": "xlsx", "columns": columns})
        assert response.status_code == 200, model
        b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("username", ["admin", "unit"])
def test_query_counts_stay_flat_as_the_lists_grow(client, district, username):
    user = login(client, username)
    models = [model for model, exporters in EXPORTERS.items() if username in exporters]
    small = {model: export_queries(client, model) for model in models}

    unit = Organization.objects.get(name="江城区阳光社会工作服务中心")
    template = RubricTemplate.objects.filter(kind="final").first()
    round_ = Round.objects.get(year=2013)
    grow_listed_projects(5)
    grow_served_projects(round_, unit, get_user_model().objects.get(username="unit"), 5, start=900, template=template)
    project = Project.objects.filter(implementing_unit=unit, status="in_progress").first()
    donor = Organization.objects.filter(type="enterprise").first()
    for n in range(5):
        SocialFund.objects.create(project=project, donor=donor, amount=D("100"), received_on=datetime.date(2014, 1, 2))
        Volunteer.objects.create(name=f"义工{n}", organization=unit, registered_on="2014-01-01", phone="13900000000")
        SocialWorker.objects.create(name=f"社工{n}", employer=unit, phone="13900000001")
        CaseStory.objects.create(
            project=project, title=f"案例{n}", narrative="……", consent_on=datetime.date(2014, 1, 2)
        )
    large = {model: export_queries(client, model) for model in models}
    assert large == small, user
