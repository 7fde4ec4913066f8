"""The import parser and the imports, hostile: arbitrary bytes, zips that are no workbook, workbooks whose cells
hold anything, CSV in GB18030 or UTF-8 with a BOM, formulas, zip and XML bombs. Every file is read as a whole or
refused with one Chinese sentence; an import writes every row or nothing."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from projects.imports.jobs import import_job_start
from projects.imports.registry import IMPORTERS, importer_for
from projects.models import AuditEntry
from projects.states import ImportStatus
from projects.tabular.headers import Column
from projects.tabular.reading import TableError, read_table
from tests.fuzz.hostile import NASTY_TEXT, zip_bytes

# Some importers read their columns from the database (the scorecards' rubric items).
pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LIMIT = 20 * 1024 * 1024


def columns_of(key: str):
    return importer_for(key, None).file_columns()


def headers_of(key: str) -> list[str]:
    return [column.label for column in columns_of(key) if isinstance(column, Column)]


def read(data: bytes, key: str = "projects", max_bytes: int = LIMIT):
    try:
        return read_table(data, columns=columns_of(key), max_bytes=max_bytes)
    except TableError as refusal:
        assert CHINESE.search(refusal.message), refusal.message
        return None


# -- the reader ----------------------------------------------------------------------------------------------

PREFIXES = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>", b"%PDF-"]


@given(st.sampled_from(PREFIXES), st.binary(max_size=3000), st.sampled_from(sorted(IMPORTERS)))
def test_arbitrary_bytes_are_read_or_refused_in_chinese(prefix, content, key):
    read(prefix + content, key)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "xl/workbook.xml",
                "[Content_Types].xml",
                "xl/worksheets/sheet1.xml",
                "mimetype",
                "xl/workbook.bin",
                "word/document.xml",
            ]
        ),
        st.binary(max_size=500),
        min_size=1,
    )
)
def test_zips_that_are_no_workbook_are_refused_in_chinese(members):
    read(zip_bytes(members))


cell_values = st.one_of(
    st.none(),
    st.sampled_from(NASTY_TEXT).map(lambda t: t.replace("\x00", "")),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.sampled_from(["=1+1", '=HYPERLINK("http://x")', "=SUM(A1:A9)", "=CMD|' /C calc'!A0", "=1/0"]),
)


def workbook(header: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@given(st.sampled_from(sorted(IMPORTERS)), st.data())
def test_workbooks_with_arbitrary_cells_are_read_or_refused_in_chinese(key, data):
    header = headers_of(key)
    rows = data.draw(st.lists(st.lists(cell_values, min_size=len(header), max_size=len(header)), max_size=4))
    read(workbook(header, rows), key)


@given(
    st.sampled_from(sorted(IMPORTERS)),
    st.lists(st.lists(st.sampled_from(NASTY_TEXT), min_size=1, max_size=8), max_size=4),
    st.sampled_from(["utf-8-sig", "utf-8", "gb18030"]),
    st.sampled_from([",", "\t", ";"]),
)
def test_csv_in_every_encoding_with_hostile_cells_is_read_or_refused(key, rows, encoding, delimiter):
    lines = [delimiter.join(headers_of(key))] + [delimiter.join(row) for row in rows]
    read("\r\n".join(lines).encode(encoding, errors="replace"), key)


def sheet_xml(body: bytes, doctype: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?>' + doctype + b'<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>"
    )


def with_sheet(sheet: bytes) -> bytes:
    """A real workbook (openpyxl's) whose first sheet's XML is replaced by ``sheet``."""
    source = zipfile.ZipFile(io.BytesIO(workbook(headers_of("projects"), [])))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet
    return zip_bytes(members)


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def test_a_billion_laughs_workbook_is_refused_before_any_expansion():
    data = with_sheet(sheet_xml(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', LAUGHS))
    with pytest.raises(TableError, match="文档类型声明"):
        read_table(data, columns=columns_of("projects"), max_bytes=LIMIT)


def test_an_external_entity_workbook_is_refused():
    xxe = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = with_sheet(sheet_xml(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>', xxe))
    with pytest.raises(TableError, match="文档类型声明"):
        read_table(data, columns=columns_of("projects"), max_bytes=LIMIT)


def test_a_zip_bomb_workbook_is_refused_by_its_unpacked_size():
    # 32 MB of one repeated row compresses to ~30 KB: 1000:1, far beyond any workbook.
    bomb = with_sheet(sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>' * 800_000))
    assert len(bomb) < 200_000
    with pytest.raises(TableError, match="解压后超过"):
        read_table(bomb, columns=columns_of("projects"), max_bytes=1024 * 1024)


def test_a_zip_that_lies_about_its_unpacked_size_is_refused_as_damaged():
    sheet = sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>' * 100_000)
    data = bytearray(with_sheet(sheet))
    # The central directory's record of the sheet: claim 100 bytes unpacked instead of megabytes.
    name = b"xl/worksheets/sheet1.xml"
    entry = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    assert read(bytes(data)) is None


@pytest.mark.parametrize("bomb", ["zip", "laughs"])
def test_a_bomb_uploaded_for_import_is_refused_in_chinese_and_its_file_removed(cast, settings, media_root, bomb):
    settings.QICAI_IMPORT_MAX_BYTES = 1024 * 1024
    if bomb == "zip":
        content = with_sheet(sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>' * 800_000))
    else:
        content = with_sheet(sheet_xml(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', LAUGHS))
    audit = AuditEntry.objects.count()
    job = import_job_start(importer_key="projects", upload=SimpleUploadedFile("申报.xlsx", content), by=cast["civil"])
    assert job.status == ImportStatus.REFUSED and CHINESE.search(job.message)
    assert job.stored_name == "" and AuditEntry.objects.count() == audit
