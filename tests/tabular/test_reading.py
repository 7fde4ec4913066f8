import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.tabular.headers import Column
from projects.tabular.reading import Problem, TableError, read_table, total_mismatches
from projects.tabular.values import (
    CellError,
    parse_amount,
    parse_date,
    parse_id_number,
    parse_int,
    parse_phone,
    parse_text,
)
from tests.tabular.corpus import make

COLUMNS = [
    Column("code", "项目编号", ("编号",), required=True),
    Column("name", "项目名称", required=True),
    Column("unit", "实施单位", ("承接单位",)),
    Column("requested_amount", "申请金额（元）", ("申请金额(元)", "申请金额", "申请资金"), summed=True),
    Column("approved_amount", "审定金额（元）", ("审定金额(元)", "审定金额", "审定资金"), summed=True),
    Column("start_date", "开始日期", ("起始日期",)),
    Column("leader_id", "负责人身份证号", ("身份证号", "身份证号码")),
    Column("phone", "联系电话", ("电话",)),
    Column("served", "服务人数", ("受益人数",)),
]
MAX_BYTES = 20 * 1024 * 1024
MANIFEST = json.loads((make.FILES / make.MANIFEST).read_text(encoding="utf-8"))
PARSERS = {"date": parse_date, "id": parse_id_number, "phone": parse_phone, "int": parse_int, "text": parse_text}


def read(data: bytes, name="upload.xlsx", columns=COLUMNS, max_bytes=MAX_BYTES):
    return read_table(SimpleUploadedFile(name, data), columns=columns, max_bytes=max_bytes)


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(TableError) as error:
        read(data, **kwargs)
    assert error.value.message == str(error.value)
    return error.value.message


def xlsx(rows, merges=(), **kwargs) -> bytes:
    return make.xlsx(make.sheet_of(rows, merges=merges, **kwargs))


def triples(problems: list[Problem]) -> list[tuple]:
    return [(problem.row, problem.header, problem.message) for problem in problems]


def assert_problems(found: list[Problem], expected: list[list]):
    assert len(found) == len(expected), triples(found)
    for problem, (row, header, fragment) in zip(found, expected, strict=True):
        assert (problem.row, problem.header) == (row, header)
        assert fragment in problem.message


# -- the corpus -----------------------------------------------------------------------------------------


def test_the_committed_corpus_is_what_the_script_makes(tmp_path):
    make.write(tmp_path)
    committed = sorted(path.name for path in make.FILES.iterdir())
    assert sorted(path.name for path in tmp_path.iterdir()) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (make.FILES / name).read_bytes(), f"{name}: run corpus/make.py"


def test_the_corpus_covers_every_outcome():
    formats = {expected.get("format") for expected in MANIFEST.values()}
    assert formats == {None, "xlsx", "csv-utf8", "csv-utf8-bom", "csv-gb18030"}
    assert len(MANIFEST) == len(list(make.FILES.iterdir())) - 1


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_corpus_file(name):
    expected = MANIFEST[name]
    data = (make.FILES / name).read_bytes()
    max_bytes = expected.get("max_bytes", MAX_BYTES)
    if "error" in expected:
        assert expected["error"] in refusal(data, name=name, max_bytes=max_bytes)
        return
    table = read(data, name=name, max_bytes=max_bytes)
    assert table.format == expected["format"]
    assert table.sheet == expected["sheet"]
    assert table.header_row == expected["header_row"]
    assert len(table.rows) == expected["rows"]
    if "row_numbers" in expected:
        assert [row.number for row in table.rows] == expected["row_numbers"]
    assert (table.total and table.total.number) == expected["total"]
    if "headers" in expected:
        assert table.headers == expected["headers"]
    if "units" in expected:
        assert table.units == expected["units"]
    assert_problems(table.problems, expected["problems"])
    assert_problems(total_mismatches(table, COLUMNS), expected["mismatches"])
    for check in expected["cells"]:
        assert_cell(table, check)


def assert_cell(table, check):
    row = next(row for row in table.rows if row.number == check["row"])
    value = row.value(check["key"])
    if check["parse"] == "amount":
        parse = lambda v: parse_amount(v, unit=table.units.get(check["key"], "元"))  # noqa: E731
    else:
        parse = PARSERS[check["parse"]]
    if "error" in check:
        with pytest.raises(CellError) as error:
            parse(value)
        assert check["error"] in error.value.message, (check, value)
    else:
        parsed = parse(value)
        shown = str(parsed) if check["parse"] in ("amount", "date") else parsed
        assert shown == check["value"], (check, value)


# -- what the corpus cannot show alone ------------------------------------------------------------------


def test_the_size_cap_is_checked_before_reading():
    class Huge(io.BytesIO):
        size = 21 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    with pytest.raises(TableError) as error:
        read_table(Huge(b""), columns=COLUMNS, max_bytes=MAX_BYTES)
    assert error.value.message == "文件超过 20 MB 的上限：请拆分成几个文件后再上传。"


def test_a_file_whose_size_is_unknown_is_still_capped():
    data = (make.FILES / "utf8.csv").read_bytes()
    with pytest.raises(TableError, match="上限"):
        read_table(io.BytesIO(data), columns=COLUMNS, max_bytes=100)
    assert len(read_table(io.BytesIO(data), columns=COLUMNS, max_bytes=len(data)).rows) == 3


@pytest.mark.parametrize(("limit", "shown"), [(1536 * 1024, "1.5 MB"), (10 * 1024, "10 KB"), (100, "100 字节")])
def test_the_cap_is_shown_as_people_read_it(limit, shown):
    data = (make.FILES / "utf8.csv").read_bytes() * 3000
    assert f"文件超过 {shown} 的上限" in refusal(data, max_bytes=limit)


def test_bytes_are_an_upload_too():
    table = read_table((make.FILES / "gbk.csv").read_bytes(), columns=COLUMNS, max_bytes=MAX_BYTES)
    assert table.format == "csv-gb18030" and table.rows[0].value("unit") == "阳光社工服务中心"


def test_the_upload_is_read_from_its_start():
    upload = SimpleUploadedFile("a.xlsx", (make.FILES / "app_like.xlsx").read_bytes())
    upload.read(100)
    assert len(read_table(upload, columns=COLUMNS, max_bytes=MAX_BYTES).rows) == 3


def test_a_zip_bomb_is_refused_before_openpyxl_unpacks_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    assert "解压后超过" in refusal(buffer.getvalue(), max_bytes=100_000)


def test_a_merged_range_over_the_whole_sheet_is_refused_before_openpyxl_expands_it():
    rows = [["项目编号", "项目名称", "审定金额"], ["A", "甲", 100]]
    small = zipfile.ZipFile(io.BytesIO(xlsx(rows, merges=["A5:B6"])))
    # openpyxl itself cannot write the huge range (it would expand it too): widen the small one in the XML.
    parts = {info.filename: small.read(info) for info in small.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b'ref="A5:B6"' in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A5:B6"', b'ref="A5:XFD1048576"')
    data = make.zip_of(parts)
    assert "合并单元格的范围过大" in refusal(data)


def test_many_ordinary_merges_are_read():
    rows = [["2013年度七彩工程项目汇总表"], ["项目编号", "项目名称", None, "审定金额"]]
    rows += [[f"A{number}", "甲", None, 100] for number in range(300)]
    merges = ["A1:D1"] + [f"B{number}:C{number}" for number in range(2, 302)]
    assert len(read(xlsx(rows, merges=merges)).rows) == 300


@pytest.mark.parametrize("name", ["app_like.xlsx", "merged_two_row_headers.xlsx", "formulas.xlsx"])
def test_a_workbook_cut_anywhere_is_refused_never_a_traceback(name):
    data = (make.FILES / name).read_bytes()
    for cut in range(1, len(data), max(1, len(data) // 97)):
        with pytest.raises(TableError):
            read(data[:cut])


def test_a_workbook_with_a_damaged_part_is_refused():
    original = zipfile.ZipFile(io.BytesIO((make.FILES / "app_like.xlsx").read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in original.infolist():
            data = original.read(info)
            archive.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)
    assert "Excel 文件已损坏或不完整" in refusal(buffer.getvalue())


def test_a_compound_file_with_a_damaged_directory_falls_back_to_the_stream_names():
    data = bytearray((make.FILES / "password_protected.xlsx").read_bytes())
    data[48:52] = b"\xff\xff\xff\x7f"  # the first directory sector, far past the end
    assert "文件设有密码" in refusal(bytes(data))


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("项目编号,项目名称\r\nA,甲\r\n", ","), ("项目编号\t项目名称\nA\t甲\n", "\t"), ("项目编号;项目名称\nA;甲\n", ";")],
)
def test_csv_delimiters(text, delimiter):
    table = read(text.encode(), name="a.csv")
    assert [row.value("name") for row in table.rows] == ["甲"]


def test_a_csv_with_an_unclosed_quote_that_csv_cannot_parse_is_refused():
    text = "项目编号,项目名称\r\nA," + '"' + "x" * 200_000 + "\r\n"
    assert "格式有误" in refusal(text.encode(), name="a.csv")


def test_csv_cells_are_coordinates_excel_would_show():
    table = read("标题\r\n项目编号,项目名称,,审定金额\r\nA,甲,,１００\r\n".encode())
    row = table.rows[0]
    assert (row.number, row.cells["code"].coordinate, row.cells["approved_amount"].coordinate) == (3, "A3", "D3")
    assert row.cells["approved_amount"].value == "１００"  # text stays as written, only stripped
    assert table.sheet == "" and table.units == {}


def test_xlsx_values_stay_raw_and_text_is_stripped():
    rows = [
        ["项目编号", "项目名称", "审定金额", "开始日期"],
        [" A ", "\u3000甲\u3000", 30000.5, datetime.datetime(2013, 9, 1)],
    ]
    row = read(xlsx(rows)).rows[0]
    assert row.value("code") == "A" and row.value("name") == "甲"
    assert row.value("approved_amount") == 30000.5
    assert row.value("start_date") == datetime.datetime(2013, 9, 1)
    assert row.value("phone") is None  # a column the file lacks
    assert row.cells["approved_amount"].coordinate == "C2"


def test_a_header_cell_merged_across_two_columns_counts_once():
    rows = [["项目编号", "项目名称", None, "审定金额"], ["A", "甲", None, 100]]
    table = read(xlsx(rows, merges=["B1:C1", "B2:C2"]))
    assert table.headers == {"code": "项目编号", "name": "项目名称", "approved_amount": "审定金额"}
    assert table.rows[0].value("name") == "甲"


def test_a_formula_merged_over_rows_is_named_once():
    rows = [["项目编号", "项目名称", "审定金额"], ["A", "甲", "=1+1"], ["B", "乙", None]]
    table = read(xlsx(rows, merges=["C2:C3"]))
    assert triples(table.problems) == [(2, "审定金额", "C2 中是公式，系统不计算公式：请把它粘贴为数值后再上传。")]
    assert table.rows[1].cells["approved_amount"].formula


def test_hidden_sheets_are_not_read():
    workbook = make.sheet_of([["项目编号", "项目名称"], ["隐藏", "表"]], title="旧数据")
    workbook.active.sheet_state = "hidden"
    visible = workbook.create_sheet("项目")
    visible.append(["项目编号", "项目名称"])
    visible.append(["A", "甲"])
    table = read(make.xlsx(workbook))
    assert (table.sheet, table.rows[0].value("code")) == ("项目", "A")


def test_a_workbook_without_a_header_says_which_columns_it_looked_for():
    message = refusal(xlsx([["姓名", "年龄"], ["张三", 30]]))
    assert message == "前 15 行中找不到表头（应有“项目编号”“项目名称”“实施单位”等列）：请检查是否选对了文件。"


def test_a_header_below_row_15_is_not_found():
    rows = [[f"说明第{n}行"] for n in range(15)] + [["项目编号", "项目名称"], ["A", "甲"]]
    assert "找不到表头" in refusal(xlsx(rows))


def test_a_single_required_column_is_enough_for_a_header():
    columns = [Column("id_number", "身份证号", required=True), Column("note", "备注")]
    table = read(xlsx([["说明"], ["身份证号", "其他"], [make.ID_X, "x"]]), columns=columns)
    assert (table.header_row, table.headers) == (2, {"id_number": "身份证号"})


def test_required_columns_missing_are_all_listed():
    columns = [*COLUMNS, Column("round", "年度", required=True)]
    assert (
        refusal(xlsx([["实施单位", "审定金额"], ["阳光", 1]]), columns=columns)
        == "缺少必填列：项目编号、项目名称、年度。"
    )


def test_a_total_row_is_not_a_data_row_and_its_formula_is_no_problem():
    rows = [["项目编号", "项目名称", "审定金额"], ["A", "甲", 100], ["B", "乙", 200], ["总 计", None, "=SUM(C2:C3)"]]
    table = read(xlsx(rows))
    assert (len(table.rows), table.total.number, table.problems) == (2, 4, [])
    assert total_mismatches(table, COLUMNS) == []  # a formula total is not evaluated, so not compared


def test_total_mismatches_skip_cells_that_do_not_parse():
    rows = [["项目编号", "项目名称", "审定金额"], ["A", "甲", 100], ["B", "乙", "三万"], ["合计", None, "100"]]
    table = read(xlsx(rows))
    assert total_mismatches(table, COLUMNS) == []


def test_total_mismatches_in_wan():
    rows = [["项目编号", "项目名称", "审定金额（万元）"], ["A", "甲", 1.5], ["B", "乙", 2], ["合计", None, 4]]
    [problem] = total_mismatches(read(xlsx(rows)), COLUMNS)
    assert problem.message == "合计行写的是 40,000.00 元，各行相加为 35,000.00 元。"
    assert (problem.row, problem.header) == (4, "审定金额（万元）")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0\x00\x10JFIF",  # a JPEG
        b"{\\rtf1\\ansi project}",
        b"\x01\x02\x03\x04binary\x05\x06",
        "项目编号,项目名称\r\nA,甲\0\r\n".encode(),  # a NUL byte: not text Excel writes
    ],
)
def test_binary_files_are_not_spreadsheets(data):
    assert refusal(data) == "不是 Excel 或 CSV 文件：请上传 .xlsx 或 .csv 文件。"


def test_a_binary_workbook_is_asked_to_be_saved_as_xlsx():
    assert ".xlsb" in refusal(make.zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}))
