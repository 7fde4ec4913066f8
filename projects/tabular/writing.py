"""Writing exports: every list, money position and ranking the admin exports leaves through here.

XLSX goes through openpyxl's write-only workbook: each row is written to a temporary file as it comes,
so memory stays flat however many rows there are, and the finished workbook is sent from a temporary
file. CSV is streamed row by row. Either way the rows are an iterable (a queryset's ``iterator()``),
never a list in memory.

What Excel gets: amounts as numbers formatted ``#,##0.00`` (so ``SUM`` works), dates as dates, a
Chinese sheet name, a bold frozen header row with a filter, columns sized for their headers (a CJK
character counts double). Text is never a formula: XLSX text cells are typed as strings (and marked
with Excel's hidden quote prefix when they look like one); CSV text that a spreadsheet would run as a
formula gets a leading ``'``.
"""

import csv
import datetime
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Literal
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Kind = Literal["text", "amount", "integer", "decimal", "date", "datetime", "percent"]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

NUMBER_FORMATS: dict[str, str] = {
    "amount": "#,##0.00",
    "integer": "0",
    "decimal": "0.00",
    "percent": "0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
NUMERIC_KINDS = frozenset({"amount", "integer", "decimal", "percent"})
DEFAULT_WIDTHS: dict[str, int] = {
    "text": 12,
    "amount": 14,
    "integer": 10,
    "decimal": 10,
    "percent": 10,
    "date": 12,
    "datetime": 17,
}
MAX_WIDTH = 60

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
CSV_ROWS_PER_CHUNK = 500


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its header, what kind of value it holds, and a width hint (in Latin characters)."""

    header: str
    kind: Kind = "text"
    width: int | None = None


def display_width(text: str) -> int:
    """How wide ``text`` shows in a spreadsheet, in Latin characters: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(column: ExportColumn) -> int:
    return min(MAX_WIDTH, max(display_width(str(column.header)) + 2, column.width or DEFAULT_WIDTHS[column.kind]))


def sheet_title(name: str) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters."""
    return SHEET_NAME_FORBIDDEN.sub("", str(name)).strip("' ")[:SHEET_NAME_MAX] or "Sheet1"


def content_disposition(filename: str, *, fallback_stem: str = "export") -> str:
    """An attachment header that names the file in Chinese (RFC 6266 / 5987) with an ASCII fallback.

    ``2013年度七彩工程项目清单.xlsx`` → ``attachment; filename="export-2013.xlsx";
    filename*=UTF-8''2013%E5%B9%B4…xlsx``. Browsers use ``filename*``; the fallback keeps what
    ASCII the name has, after ``fallback_stem`` (the printed documents say ``document``).
    Every download with a Chinese name (exports, import templates, PDFs) takes its header from here.
    """
    filename = re.sub(r'[\x00-\x1f\x7f"\\/]', "_", filename)
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_part = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")
    fallback = (
        fallback_stem if not ascii_part else ascii_part if ascii_part == stem else f"{fallback_stem}-{ascii_part}"
    )
    safe_extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    if safe_extension:
        fallback = f"{fallback}.{safe_extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def neutralised(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading ``'`` before ``= + - @``, tab or CR."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _text(value) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    return str(value)


def _naive_local(value: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: an aware moment becomes the site's local wall-clock time."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _fits(value, kind: str) -> bool:
    """Whether ``value`` can be written as a ``kind`` cell (a masked birth date "1958年" cannot be a date)."""
    if kind in NUMERIC_KINDS:
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if kind == "date":
        return isinstance(value, datetime.date)
    if kind == "datetime":
        return isinstance(value, datetime.datetime)
    return False


# -- XLSX ------------------------------------------------------------------------------------------


def write_xlsx(target: IO[bytes], *, sheet: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence]) -> int:
    """Write one sheet of ``rows`` under ``columns`` to ``target``; return the number of rows written."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_title(sheet))
    for index, column in enumerate(columns, 1):
        worksheet.column_dimensions[get_column_letter(index)].width = column_width(column)
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(text: str, *, font=None):
        cell = WriteOnlyCell(worksheet)
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever it starts with
        if text.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True  # Excel's own mark for text typed as '=…: stays text when edited
        if font is not None:
            cell.font = font
        return cell

    def value_cell(value, kind: str):
        if value is None or value == "":
            return None
        if _fits(value, kind):
            if kind == "datetime":
                value = _naive_local(value)
            cell = WriteOnlyCell(worksheet, value)
            cell.number_format = NUMBER_FORMATS[kind]
            return cell
        text = ILLEGAL_CHARACTERS_RE.sub("", _text(value))
        # Plain text goes in as a bare value (openpyxl types it as a string, and skips a cell object per
        # value: a third faster); only text that looks like a formula needs a cell of its own.
        return text_cell(text) if text.startswith(FORMULA_PREFIXES) else text

    worksheet.append([text_cell(str(column.header), font=bold) for column in columns])
    kinds = [column.kind for column in columns]
    count = 0
    for row in rows:
        worksheet.append([value_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
        count += 1
    if columns:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)
    return count


def xlsx_response(
    *, filename: str, sheet: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence]
) -> FileResponse:
    """An XLSX download, built in a temporary file (removed when the response is closed)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which removes it)
    try:
        count = write_xlsx(handle, sheet=sheet, columns=columns, rows=rows)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response.row_count = count  # the access log's row count of the download (projects.access_log)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response


# -- CSV -------------------------------------------------------------------------------------------


def _trimmed(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def csv_value(value, kind: str) -> str:
    """A value as CSV text Excel parses back: ``30000.00`` (no thousands separators), ``2013-09-01``, ``30%``."""
    if value is None:
        return ""
    if _fits(value, kind):
        if kind == "amount":
            return f"{Decimal(value):.2f}"
        if kind == "percent":
            return f"{_trimmed(Decimal(value) * 100)}%"
        if kind == "datetime":
            return _naive_local(value).strftime("%Y-%m-%d %H:%M")
        if kind == "date":
            return value.isoformat()
        return str(value)
    return neutralised(_text(value))


def csv_chunks(columns: Sequence[ExportColumn], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file in pieces: a UTF-8 BOM (so Excel reads the Chinese), the header, the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the "excel" dialect: CRLF line ends, quotes where needed
    buffer.write("\ufeff")
    writer.writerow([neutralised(str(column.header)) for column in columns])
    kinds = [column.kind for column in columns]
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(*, filename: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A CSV download streamed as the rows are read."""
    response = StreamingHttpResponse(csv_chunks(columns, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response
