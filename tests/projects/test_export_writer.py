"""The one writer of every export (projects.tabular.writing): the workbook opens with real numbers and dates,
the CSV opens in Excel, text never runs as a formula, and the file is named in Chinese."""

import csv
import datetime
import io
from decimal import Decimal as D
from urllib.parse import unquote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from projects.tabular.writing import (
    ExportColumn,
    column_width,
    content_disposition,
    csv_response,
    display_width,
    sheet_title,
    write_xlsx,
    xlsx_response,
)

COLUMNS = [
    ExportColumn("项目编号"),
    ExportColumn("项目名称", width=30),
    ExportColumn("审定金额（元）", "amount"),
    ExportColumn("目标服务人数", "integer"),
    ExportColumn("撬动比", "percent"),
    ExportColumn("得分", "decimal"),
    ExportColumn("开始日期", "date"),
    ExportColumn("登记时间", "datetime"),
]
MOMENT = datetime.datetime(2013, 9, 1, 6, 30, tzinfo=datetime.UTC)  # 14:30 in Asia/Shanghai
ROWS = [
    [
        "QC-2013-001",
        '=HYPERLINK("http://x")',
        D("30000.00"),
        120,
        D("0.30"),
        D("87.33"),
        datetime.date(2013, 9, 1),
        MOMENT,
    ],
    ["QC-2013-002", "+cmd|calc", D("1234567.5"), 0, None, None, None, None],
    ["QC-2013-003", "-1+1", D("0.10"), 3, D("1.2"), D("60"), datetime.date(2014, 2, 28), None],
    ["QC-2013-004", "@SUM(A1)", None, None, None, None, "1958年", None],
    ["QC-2013-005", "\t=1", D("5"), 1, None, None, None, None],
    ["QC-2013-006", "正常的项目名称\x01", D("12.34"), 2, None, None, None, None],
]


def workbook_of(rows=ROWS, columns=COLUMNS, sheet="2013年度七彩工程项目清单"):
    buffer = io.BytesIO()
    assert write_xlsx(buffer, sheet=sheet, columns=columns, rows=iter(rows)) == len(rows)
    buffer.seek(0)
    return load_workbook(buffer).active


def test_amounts_integers_percents_and_scores_are_numbers_with_their_formats():
    sheet = workbook_of()
    amounts = [sheet.cell(row, 3) for row in range(2, 8)]
    assert [cell.value for cell in amounts] == [30000, 1234567.5, 0.1, None, 5, 12.34]
    assert {cell.number_format for cell in amounts if cell.value is not None} == {"#,##0.00"}
    assert all(cell.data_type == "n" for cell in amounts)
    # What Excel's SUM adds up: every amount cell is numeric.
    assert sum(cell.value for cell in amounts if cell.value is not None) == pytest.approx(1264584.94)
    assert (sheet["D2"].value, sheet["D2"].number_format) == (120, "0")
    assert (sheet["E2"].value, sheet["E2"].number_format) == (0.3, "0%")
    assert (sheet["E4"].value, sheet["E4"].number_format) == (1.2, "0%")
    assert (sheet["F2"].value, sheet["F2"].number_format) == (87.33, "0.00")


def test_dates_are_dates_and_times_are_local_wall_clock_times():
    sheet = workbook_of()
    assert sheet["G2"].is_date and sheet["G2"].value == datetime.datetime(2013, 9, 1)
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet["H2"].is_date and sheet["H2"].value == datetime.datetime(2013, 9, 1, 14, 30)
    assert sheet["H2"].number_format == "yyyy-mm-dd hh:mm"
    # A value that is not a date (a masked birth year) stays text rather than failing the export.
    assert (sheet["G5"].value, sheet["G5"].data_type) == ("1958年", "s")


def test_the_sheet_has_a_chinese_name_a_bold_frozen_filtered_header_and_sized_columns():
    sheet = workbook_of()
    assert sheet.title == "2013年度七彩工程项目清单"
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref == "A1:H7"
    assert sheet.column_dimensions["A"].width == 12  # a text column's least width
    assert sheet.column_dimensions["B"].width == 30  # the width hint wins
    assert sheet.column_dimensions["C"].width == 16  # 审定金额（元）: seven wide characters and a margin
    assert sheet.column_dimensions["D"].width == 14  # 目标服务人数: six wide characters, wider than a number needs


def test_text_cells_never_run_as_formulas():
    sheet = workbook_of()
    names = [sheet.cell(row, 2) for row in range(2, 8)]
    assert [cell.value for cell in names] == [
        '=HYPERLINK("http://x")',
        "+cmd|calc",
        "-1+1",
        "@SUM(A1)",
        "\t=1",
        "正常的项目名称",  # characters a workbook cannot hold are dropped, not a failed export
    ]
    assert all(cell.data_type == "s" for cell in names)  # text, never a formula ("f")
    assert [cell.quotePrefix for cell in names] == [True, True, True, True, True, False]


def test_sheet_titles_excel_accepts():
    assert sheet_title("项目[2013]: 清单/汇总*?") == "项目2013 清单汇总"
    assert sheet_title("七" * 40) == "七" * 31
    assert sheet_title("[]") == "Sheet1"


def test_display_width_counts_wide_characters_double():
    assert display_width("QC-2013") == 7
    assert display_width("项目编号") == 8
    assert display_width("审定金额（元）") == 14
    assert column_width(ExportColumn("x" * 200)) == 60


def test_csv_has_a_bom_plain_numbers_iso_dates_and_neutralised_text():
    response = csv_response(filename="七彩工程项目清单_2026年11月27日.csv", columns=COLUMNS, rows=iter(ROWS))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == [column.header for column in COLUMNS]
    assert table[1] == [
        "QC-2013-001",
        '\'=HYPERLINK("http://x")',
        "30000.00",
        "120",
        "30%",
        "87.33",
        "2013-09-01",
        "2013-09-01 14:30",
    ]
    assert table[2][1:3] == ["'+cmd|calc", "1234567.50"]
    assert table[3][1:5] == ["'-1+1", "0.10", "3", "120%"]
    assert table[4][1] == "'@SUM(A1)" and table[4][6] == "1958年"
    assert table[5][1] == "'\t=1"
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_is_streamed_as_the_rows_are_read():
    read = []

    def rows():
        for n in range(1, 1201):
            read.append(n)
            yield [f"QC-{n}", "", D(n), n, None, None, None, None]

    response = csv_response(filename="x.csv", columns=COLUMNS, rows=rows())
    assert response.streaming
    chunks = iter(response.streaming_content)
    next(chunks)
    assert len(read) < 1200  # the first piece left before the last row was read
    body = b"".join([b"", *chunks])
    assert len(read) == 1200 and body.endswith(b"QC-1200,,1200.00,1200,,,,\r\n")


@pytest.mark.django_db  # closing a response sends request_finished, which looks at the connection
def test_xlsx_is_sent_from_a_temporary_file():
    response = xlsx_response(filename="2013年度七彩工程项目清单.xlsx", sheet="项目", columns=COLUMNS, rows=iter(ROWS))
    assert response.streaming
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    body = b"".join(response.streaming_content)
    assert body[:2] == b"PK" and int(response["Content-Length"]) == len(body)
    assert load_workbook(io.BytesIO(body)).active["A2"].value == "QC-2013-001"
    response.close()
    assert response.file_to_stream.closed  # an anonymous temporary file: gone once closed


def test_an_empty_export_still_has_its_header():
    sheet = workbook_of(rows=[])
    assert [cell.value for cell in sheet[1]][:2] == ["项目编号", "项目名称"] and sheet.max_row == 1


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("2013年度七彩工程项目清单.xlsx", "export-2013.xlsx"),
        ("七彩工程项目清单_2026年11月27日.csv", "export-2026-11-27.csv"),
        ("七彩工程审计记录清单.xlsx", "export.xlsx"),
        ("report.xlsx", "report.xlsx"),
        ('a"b\\c/d.csv', "export-a-b-c-d.csv"),
    ],
)
def test_content_disposition_names_the_file_in_chinese_with_an_ascii_fallback(filename, fallback):
    header = content_disposition(filename)
    disposition, plain, encoded = header.split("; ")
    assert disposition == "attachment"
    assert plain == f'filename="{fallback}"'
    assert plain.isascii() and encoded.isascii()
    assert encoded.startswith("filename*=UTF-8''")
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == filename.replace('"', "_").replace("\\", "_").replace(
        "/", "_"
    )


def test_content_disposition_percent_encodes_every_byte_outside_the_token_characters():
    encoded = content_disposition("2013年度 项目(清单);.xlsx").split("filename*=UTF-8''")[1]
    assert " " not in encoded and "(" not in encoded and ";" not in encoded
    assert encoded.startswith("2013%E5%B9%B4%E5%BA%A6%20")


def test_a_naive_local_moment_is_written_as_it_is():
    moment = timezone.make_naive(timezone.now()).replace(microsecond=0)
    sheet = workbook_of(rows=[[None] * 7 + [moment]])
    assert sheet["H2"].value == moment
