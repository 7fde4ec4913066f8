"""Excel in and out, in a real browser: civil affairs imports the office's own 2014 list (a title row, a
merged title, 万元 amounts, Chinese dates, a 合计 row), fixes the two rows the dry run reports, imports,
filters the project list and exports it; the downloaded workbook holds numbers that sum."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from projects.models import Organization, Project, Round
from tests.browser.test_journey import demo, login  # noqa: F401  (demo is a fixture)

HEADER = ["项目名称", "年度", "实施单位", "服务类别", "申请金额(万元)", "开始日期", "结束日期", "目标服务人数"]


def office_workbook(units: list[str], *, fixed: bool) -> bytes:
    """The list as an office keeps it: a merged title, a header, five projects, a blank row, a 合计 row."""
    rows = [
        ["南门社区空巢老人互助项目", 2014, units[0], "青", "3", "2014年9月1日", "2015年8月31日", 60],
        ["江城街道青少年成长营", 2014, units[1], "黄色", "2.5", "2014/9/15", "2015/9/14", 80],
        # Two rows the dry run reports: an amount in words, and a unit that is not in the directory.
        ["新市民子女课堂", 2014, units[2], "蓝", "2万" if fixed else "两万元", "2014.10.1", "2015.9.30", 45],
        [
            "康复者就业支持",
            2014,
            units[3] if fixed else "江城区不存在服务社",
            "红",
            "1.5",
            "2014-10-08",
            "2015-10-07",
            30,
        ],
        ["助残出行陪伴", 2014, units[4], "紫色·助残扶困", "2", "2014年11月1日", "2015年10月31日", 25],
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = "2014年申报汇总"
    sheet.append(["2014年度七彩工程项目申报汇总表"])
    sheet.merge_cells("A1:H1")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row if len(row) == len(HEADER) else [*row, 30])
    sheet.append([])
    sheet.append(["合计", None, None, None, 11 if fixed else 9])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_civil_imports_the_offices_2014_list_and_exports_it(browser, live_server, demo, shots, tmp_path):  # noqa: F811
    units = list(Organization.objects.filter(type="agency").order_by("name").values_list("name", flat=True))[:5]
    before = Project.objects.filter(round__year=2014).count()
    page = login(browser, live_server, "civil")
    page.goto(f"{live_server.url}/admin/projects/project/")
    page.click("a.import-link:text-is('导入项目')")
    expect(page.locator("h1")).to_contain_text("导入")

    # The first upload: the dry run names the two rows and their columns; nothing is written.
    first = tmp_path / "2014年度项目汇总.xlsx"
    first.write_bytes(office_workbook(units, fixed=False))
    page.set_input_files("input[type=file]", str(first))
    page.click("input[type=submit][value='上传并检查']")
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("申请金额(万元)")
    expect(errors).to_contain_text("实施单位")
    expect(errors).to_contain_text("江城区不存在服务社")
    assert [row.inner_text().split("\t")[0] for row in errors.locator("tbody tr").all()] == ["5", "6"]
    expect(page.locator("input[value='确认导入']")).to_have_count(0)
    shots(page, "x01-civil-import-errors")
    assert Project.objects.filter(round__year=2014).count() == before

    # The rows fixed in Excel: five new projects, then written on confirmation.
    page.goto(f"{live_server.url}/admin/projects/project/")
    page.click("a.import-link:text-is('导入项目')")
    second = tmp_path / "2014年度项目汇总（改）.xlsx"
    second.write_bytes(office_workbook(units, fixed=True))
    page.set_input_files("input[type=file]", str(second))
    page.click("input[type=submit][value='上传并检查']")
    expect(page.locator("ul.import-counts")).to_contain_text("新增：5")
    expect(page.locator("table.import-errors")).to_have_count(0)
    shots(page, "x02-civil-import-checked")
    page.click("input[value='确认导入']")
    expect(page.locator(".messagelist")).to_contain_text("导入完成")
    shots(page, "x03-civil-import-done")
    imported = Project.objects.get(title="南门社区空巢老人互助项目")
    assert imported.requested_amount == 30000 and imported.start_date == datetime.date(2014, 9, 1)
    assert Project.objects.filter(round__year=2014).count() == before + 5

    # The list filtered to 2014, exported as a workbook.
    round_2014 = Round.objects.get(year=2014)
    page.goto(f"{live_server.url}/admin/projects/project/")
    page.click(f"#changelist-filter a[href*='round__id__exact={round_2014.pk}']")
    expect(page.locator("#result_list")).to_contain_text("助残出行陪伴")
    page.click("a.export_link")
    expect(page.locator(".export-summary")).to_contain_text(f"共 {before + 5} 条记录")
    shots(page, "x04-civil-export-page")
    with page.expect_download() as download_info:
        page.click("input[type=submit][value='导出']")
    download = download_info.value
    assert download.suggested_filename == "2014年度七彩工程项目清单.xlsx"
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    page.context.close()

    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "2014年度七彩工程项目清单"
    header = [cell.value for cell in sheet[1]]
    amounts = [row[header.index("申请金额（元）")] for row in sheet.iter_rows(min_row=2)]
    starts = [row[header.index("开始日期")] for row in sheet.iter_rows(min_row=2)]
    assert len(amounts) == before + 5
    assert all(cell.data_type == "n" and cell.number_format == "#,##0.00" for cell in amounts)
    assert all(isinstance(cell.value, datetime.datetime) for cell in starts if cell.value is not None)
    expected = sum(Project.objects.filter(round=round_2014).values_list("requested_amount", flat=True))
    assert sum(cell.value for cell in amounts) == pytest.approx(float(expected))
