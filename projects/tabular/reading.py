"""Read an uploaded spreadsheet (XLSX, or CSV in UTF-8 or GB18030) into a header map and clean rows.

The format is told by the content, never by the file's name: an XLSX renamed ``.csv`` reads as a
workbook, a CSV renamed ``.xlsx`` as text. A file that cannot be read is refused as a whole with one
Chinese sentence (``TableError``); what is wrong in single cells is left to the importer, except
formulas, which are never evaluated and come back as ``Problem``\\ s naming the cell.
"""

import csv
import io
import logging
import re
import warnings
import xml.parsers.expat
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from projects.formatting import format_cny
from projects.tabular.headers import Column, match_header, normalise_header, split_unit
from projects.tabular.values import CellError, parse_amount, parse_text

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 15
TOTAL_PREFIXES = ("合计", "总计")
# A workbook's parts are XML, which compresses well, but not this well: beyond it, a zip bomb.
MAX_UNPACK_RATIO = 25
# openpyxl makes an object for every cell a merged range covers: one range over A1:XFD1048576 would be
# seventeen billion. Offices merge titles and group headers, a few hundred cells; this is generous.
MAX_MERGED_CELLS = 200_000
_MERGE_REF = re.compile(
    rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref=[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?"
)
CSV_DELIMITERS = (",", "\t", ";")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"{\\rtf")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")
_SPACES = re.compile(r"[\s\u200b\ufeff]+")


class TableError(Exception):
    """The whole file is refused; ``message`` is one Chinese sentence saying why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Cell:
    value: object  # text stripped of surrounding spaces; numbers, dates and formulas as the file holds them
    coordinate: str  # "D7": the column letter and the row number Excel shows
    formula: bool = False


@dataclass
class Row:
    number: int
    cells: dict[str, Cell] = field(default_factory=dict)

    def value(self, key: str) -> object:
        cell = self.cells.get(key)
        return None if cell is None else cell.value


@dataclass
class Problem:
    row: int | None
    header: str | None  # as written in the file
    message: str


@dataclass
class Table:
    sheet: str
    header_row: int
    headers: dict[str, str]
    units: dict[str, str]
    rows: list[Row]
    total: Row | None
    problems: list[Problem]
    format: str


@dataclass
class _GridCell:
    value: object
    coordinate: str
    formula: bool = False
    origin: str = ""  # the cell that holds the value: the top-left cell of a merged range, else the cell itself

    def __post_init__(self):
        self.origin = self.origin or self.coordinate

    def text(self) -> str:
        return "" if self.formula else parse_text(self.value)


# Row number → column number (1-based) → cell; only cells that hold something.
_Grid = dict[int, dict[int, _GridCell]]


@dataclass
class _HeaderCell:
    column: Column
    unit: str | None
    written: str
    origin: tuple[str, str]


def read_table(upload, *, columns: Sequence[Column], max_bytes: int) -> Table:
    """Read ``upload`` (an UploadedFile, a binary file object, or bytes) into a ``Table`` for ``columns``.

    Raises ``TableError`` for a file that is refused as a whole: too large (checked before parsing),
    empty, not a spreadsheet, a legacy or password-protected workbook, undecodable text, no header
    row among the first 15, a required column missing, two columns for one key, or no data rows.
    """
    data = _read_capped(upload, max_bytes)
    if not data:
        raise TableError(gettext("文件是空的。"))
    if data.startswith(ZIP_SIGNATURES):
        return _table_from_grids(_xlsx_grids(data, max_bytes), columns, "xlsx")
    if data.startswith(OLE2_SIGNATURE):
        raise TableError(_ole2_refusal(data))
    text, format_name = _decoded(data)
    return _table_from_grids([("", _csv_grid_for(text, columns))], columns, format_name)


def total_mismatches(table: Table, columns: Sequence[Column]) -> list[Problem]:
    """A problem for each summed column whose total row states an amount the rows do not add up to.

    Cells that do not parse (and formula cells) are left out of the sum: the importer reports them.
    """
    problems = []
    if table.total is None:
        return problems
    for column in columns:
        cell = table.total.cells.get(column.key)
        if not column.summed or cell is None or cell.formula:
            continue
        unit = table.units.get(column.key, "元")
        try:
            stated = parse_amount(cell.value, unit=unit)
        except CellError:
            continue
        if stated is None:
            continue
        added = sum(_amounts(table.rows, column.key, unit), Decimal("0.00"))
        if stated != added:
            problems.append(
                Problem(
                    row=table.total.number,
                    header=table.headers[column.key],
                    message=gettext("合计行写的是 %(stated)s 元，各行相加为 %(added)s 元。")
                    % {"stated": format_cny(stated), "added": format_cny(added)},
                )
            )
    return problems


def _amounts(rows: Iterable[Row], key: str, unit: str) -> Iterable[Decimal]:
    for row in rows:
        cell = row.cells.get(key)
        if cell is None or cell.formula:
            continue
        try:
            amount = parse_amount(cell.value, unit=unit)
        except CellError:
            continue
        if amount is not None:
            yield amount


# -- bytes in ------------------------------------------------------------------------------------


def _read_capped(upload, max_bytes: int) -> bytes:
    message = gettext("文件超过 %(limit)s 的上限：请拆分成几个文件后再上传。")
    too_large = TableError(message % {"limit": _size(max_bytes)})
    if isinstance(upload, bytes | bytearray | memoryview):
        if len(upload) > max_bytes:
            raise too_large
        return bytes(upload)
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)  # a file object without .size, or one whose .size is wrong
    if len(data) > max_bytes:
        raise too_large
    return data


def _size(limit: int) -> str:
    """``20 MB``, ``1.5 MB``, ``512 KB``, ``100 字节``: a limit as people read it."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= scale:
            return f"{limit / scale:.1f}".removesuffix(".0") + " " + unit
    return gettext("%(count)d 字节") % {"count": limit}


def _ole2_refusal(data: bytes) -> str:
    """Why an OLE2 compound file is refused: a legacy .xls, an encrypted workbook, or another Office file."""
    names = _ole2_stream_names(data)
    if names is None:  # a damaged directory: fall back to the stream names as they appear in the bytes
        names = {name for name in ("EncryptionInfo", "Workbook", "Book") if name.encode("utf-16-le") in data}
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        return gettext("文件设有密码，无法读取：请在 Excel 中去除密码后再上传。")
    if "Workbook" in names or "Book" in names:
        return gettext("这是旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再上传。")
    return _not_a_spreadsheet()


def _ole2_stream_names(data: bytes) -> set[str] | None:
    """The names in an OLE2 compound file's directory ([MS-CFB]); None if the structure does not hold."""
    try:
        sector_size = 1 << int.from_bytes(data[30:32], "little")
        if sector_size not in (512, 4096):
            return None
        fat_sector_count = int.from_bytes(data[44:48], "little")
        first_directory_sector = int.from_bytes(data[48:52], "little")
        difat_sector = int.from_bytes(data[68:72], "little")
        fat_sectors = [int.from_bytes(data[76 + 4 * i : 80 + 4 * i], "little") for i in range(109)]

        def sector(number: int) -> bytes:
            start = (number + 1) * sector_size
            if start + sector_size > len(data):
                raise ValueError("sector outside the file")
            return data[start : start + sector_size]

        per_sector = sector_size // 4
        for _ in range(fat_sector_count):  # sectors of the DIFAT chain, beyond the header's 109 entries
            if difat_sector >= 0xFFFFFFFA:
                break
            block = sector(difat_sector)
            fat_sectors += [int.from_bytes(block[4 * i : 4 * i + 4], "little") for i in range(per_sector - 1)]
            difat_sector = int.from_bytes(block[-4:], "little")
        fat = b"".join(sector(number) for number in fat_sectors[:fat_sector_count])
        names, number, seen = set(), first_directory_sector, set()
        while number < 0xFFFFFFFA and number not in seen:
            seen.add(number)
            block = sector(number)
            for offset in range(0, sector_size, 128):
                length = int.from_bytes(block[offset + 64 : offset + 66], "little")
                if 2 <= length <= 64:
                    names.add(block[offset : offset + length - 2].decode("utf-16-le", "replace"))
            number = int.from_bytes(fat[4 * number : 4 * number + 4], "little")
        return names
    except ValueError:
        return None


def _not_a_spreadsheet() -> str:
    return gettext("不是 Excel 或 CSV 文件：请上传 .xlsx 或 .csv 文件。")


def _decoded(data: bytes) -> tuple[str, str]:
    """The text of a CSV and its format name; TableError for anything that is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(gettext("这是 UTF-16 编码的文本文件：请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传。"))
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:65536]:
        raise TableError(_not_a_spreadsheet())
    for encoding, format_name in (("utf-8-sig", "csv-utf8-bom"), ("utf-8", "csv-utf8"), ("gb18030", "csv-gb18030")):
        if format_name == "csv-utf8-bom" and not data.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise TableError(gettext("无法识别文件编码：请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传。"))
    if _CONTROL_CHARACTERS.search(text[:65536]):
        raise TableError(_not_a_spreadsheet())
    if not text.strip():
        raise TableError(gettext("文件是空的。"))
    if text.lstrip().startswith("<"):
        raise TableError(
            gettext("这是网页（HTML 或 XML）文件，只是扩展名像表格：请在 Excel 中打开后另存为 .xlsx 再上传。")
        )
    return text, format_name


# -- XLSX -----------------------------------------------------------------------------------------


def _xlsx_grids(data: bytes, max_bytes: int) -> Iterable[tuple[str, _Grid]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        if b"[Content_Types].xml" in data or b"xl/" in data:
            raise TableError(_damaged()) from None
        raise TableError(_not_a_spreadsheet()) from None
    if "xl/workbook.bin" in names:
        raise TableError(gettext("这是二进制 Excel 工作簿（.xlsb）：请在 Excel 中另存为 .xlsx 后再上传。"))
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
            raise TableError(gettext("这是 OpenDocument 文件（如 .ods）：请另存为 .xlsx 后再上传。"))
        raise TableError(gettext("这是压缩包或其他 Office 文件，不是 Excel 工作簿：请上传 .xlsx 或 .csv 文件。"))
    unpacked_limit = MAX_UNPACK_RATIO * max_bytes
    if sum(info.file_size for info in archive.infolist()) > unpacked_limit:
        raise TableError(
            gettext("文件解压后超过 %(limit)s，不像正常的 Excel 文件：请拆分成几个文件后再上传。")
            % {"limit": _size(unpacked_limit)}
        )
    _refuse_document_types(archive, names)
    _refuse_huge_merges(archive, names)
    import openpyxl  # here, not at the top: CSV-only callers do not pay for importing it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (data validation …)
            # read_only=False: merged cells are only known in the full mode; data_only=False: formulas are seen.
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception:  # openpyxl raises KeyError, ValueError, XML errors … for a damaged part
        logger.info("Refused a damaged workbook", exc_info=True)
        raise TableError(_damaged()) from None
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            yield sheet.title, _sheet_grid(sheet)


def _refuse_document_types(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse a workbook with a DTD in any XML part: Office never writes one, and a DTD is how entity
    expansion (billion laughs, a kilobyte growing to gigabytes) and external entities get into XML.

    openpyxl parses with the standard library (defusedxml is not installed), so this is checked here: each
    part's prolog is read with expat up to its first element, which stops long before any expansion.
    """

    class Prolog(Exception):
        pass

    for name in sorted(names):
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        parser = xml.parsers.expat.ParserCreate()
        found = []

        def doctype(*_args, found=found):
            found.append(True)
            raise Prolog

        def element(*_args):
            raise Prolog

        parser.StartDoctypeDeclHandler = doctype
        parser.StartElementHandler = element
        try:
            with archive.open(name) as part:
                while chunk := part.read(64 * 1024):
                    parser.Parse(chunk, False)
        except Prolog:
            pass
        except Exception:  # a damaged part: openpyxl's load says so in its own words
            continue
        if found:
            raise TableError(
                gettext("Excel 文件含有不应出现的 XML 文档类型声明，可能是特意构造的文件：请另存为 .xlsx 后再上传。")
            )


def _refuse_huge_merges(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse a workbook whose merged ranges cover more cells than any office table, before openpyxl
    expands them (it creates one object per covered cell while loading)."""
    covered = 0
    for name in sorted(names):
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        try:
            part = archive.read(name)
        except Exception:  # a damaged part: openpyxl's load says so in its own words
            continue
        for first_column, first_row, last_column, last_row in _MERGE_REF.findall(part):
            if not last_column:
                continue
            columns = abs(_column_number(last_column) - _column_number(first_column)) + 1
            rows = abs(int(last_row) - int(first_row)) + 1
            covered += columns * rows
            if covered > MAX_MERGED_CELLS:
                raise TableError(
                    gettext("工作表中合并单元格的范围过大（例如整行或整列合并）：请取消这些合并后再上传。")
                )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _damaged() -> str:
    return gettext("Excel 文件已损坏或不完整：请在 Excel 中打开并重新保存后再上传。")


def _sheet_grid(sheet) -> _Grid:
    merged = {}
    for cell_range in sheet.merged_cells.ranges:
        origin = sheet.cell(cell_range.min_row, cell_range.min_col)
        for row, column in cell_range.cells:
            merged[row, column] = origin
    grid: _Grid = {}
    # The cells the file holds, not iter_rows(): that creates every cell up to max_row × max_column,
    # and one stray cell at XFD1048576 would make it billions.
    for row, column in sorted(set(sheet._cells) | set(merged)):
        source = merged.get((row, column)) or sheet._cells[row, column]
        formula = source.data_type == "f"
        value = getattr(source.value, "text", source.value) if formula else source.value
        if isinstance(value, str) and not formula:
            value = parse_text(value) or None
        if value is None:
            continue
        coordinate = f"{_column_letter(column)}{row}"
        grid.setdefault(row, {})[column] = _GridCell(value, coordinate, formula, source.coordinate)
    return grid


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# -- CSV --------------------------------------------------------------------------------------------


def _csv_grid_for(text: str, columns: Sequence[Column]) -> _Grid:
    """The grid under the first delimiter (comma, tab, semicolon) that shows a header; else the comma's."""
    for delimiter in CSV_DELIMITERS:
        if _find_header(_csv_grid(text, delimiter, limit=HEADER_SEARCH_ROWS + 1), columns) is not None:
            return _csv_grid(text, delimiter)
    return _csv_grid(text, ",")


def _csv_grid(text: str, delimiter: str, limit: int | None = None) -> _Grid:
    """Cells by row number as Excel shows the file: one row per record, even when a quoted cell holds a line break."""
    grid: _Grid = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if limit is not None and number > limit:
                break
            cells = {}
            for column, raw in enumerate(record, start=1):
                value = parse_text(raw)
                if value:
                    cells[column] = _GridCell(value, f"{_column_letter(column)}{number}")
            if cells:
                grid[number] = cells
    except csv.Error:
        raise TableError(
            gettext("CSV 文件第 %(row)d 行附近格式有误（如引号不成对）：请在 Excel 中打开并重新保存后再上传。")
            % {"row": number + 1}
        ) from None
    return grid


# -- header and rows ----------------------------------------------------------------------------------


def _table_from_grids(grids: Iterable[tuple[str, _Grid]], columns: Sequence[Column], format_name: str) -> Table:
    anything = False
    for sheet, grid in grids:
        anything = anything or bool(grid)
        found = _find_header(grid, columns)
        if found is not None:
            header_row, header = found
            return _table(sheet, grid, header_row, _unique(header), columns, format_name)
    if not anything:
        raise TableError(gettext("文件是空的。"))
    expected = [column.label for column in sorted(columns, key=lambda column: not column.required)][:3]
    raise TableError(
        gettext("前 %(rows)d 行中找不到表头（应有“%(labels)s”等列）：请检查是否选对了文件。")
        % {"rows": HEADER_SEARCH_ROWS, "labels": "”“".join(expected)}
    )


def _find_header(grid: _Grid, columns: Sequence[Column]) -> tuple[int, dict[int, _HeaderCell]] | None:
    """The (last) header row and its columns: the first of the first 15 rows that names enough columns.

    A row counts with the row above it as a possible group header (``金额（元）`` merged over ``申请`` and
    ``审定``); when the row below names more columns that way, the header is two rows deep and ends there.
    """
    required = {column.key for column in columns if column.required}
    for number in range(1, HEADER_SEARCH_ROWS + 1):
        header = _header_cells(grid.get(number, {}), grid.get(number - 1, {}), columns)
        keys = {cell.column.key for cell in header.values()}
        if len(keys) >= min(2, len(columns)) or (required and required <= keys):
            below = _header_cells(grid.get(number + 1, {}), grid.get(number, {}), columns)
            if len({cell.column.key for cell in below.values()}) > len(keys):
                return number + 1, below
            return number, header
    return None


def _header_cells(row: dict[int, _GridCell], above: dict[int, _GridCell], columns) -> dict[int, _HeaderCell]:
    found = {}
    for number in sorted(set(row) | set(above)):
        sub, group = row.get(number), above.get(number)
        sub_text, group_text = (sub.text() if sub else ""), (group.text() if group else "")
        if sub and group and sub.origin == group.origin:  # one cell merged down over both rows
            group_text = ""
        origin = (sub.origin if sub else "", group.origin if group and group_text else "")
        for candidate, written in _header_candidates(sub_text, group_text):
            matched = match_header(candidate, columns)
            if matched:
                found[number] = _HeaderCell(matched[0], matched[1], written, origin)
                break
    return found


def _header_candidates(sub: str, group: str) -> list[tuple[str, str]]:
    """Texts to try for a column whose header may sit under a group header, and how each is shown."""
    if not group:
        return [(sub, _one_line(sub))] if sub else []
    if not sub:
        return [(group, _one_line(group))]
    sub_base, sub_unit = split_unit(normalise_header(sub))
    group_base, group_unit = split_unit(normalise_header(group))
    unit = group_unit or sub_unit
    suffix = f"({unit})" if unit else ""
    written = f"{_one_line(group)}/{_one_line(sub)}"
    combined = [sub + group, group + sub, sub_base + group_base + suffix, group_base + sub_base + suffix]
    return [(text, written) for text in combined] + [(sub, _one_line(sub))]


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n]+", "", text)


def _unique(header: dict[int, _HeaderCell]) -> dict[int, _HeaderCell]:
    """One column per key; a header cell merged across columns counts once (its first column)."""
    kept: dict[str, tuple[int, _HeaderCell]] = {}
    for number, cell in sorted(header.items()):
        key = cell.column.key
        if key in kept:
            if kept[key][1].origin == cell.origin:
                continue
            raise TableError(
                gettext("“%(first)s”和“%(second)s”两列都是“%(label)s”：请删除或改名其中一列。")
                % {"first": kept[key][1].written, "second": cell.written, "label": cell.column.label}
            )
        kept[key] = number, cell
    return dict(kept.values())


def _table(sheet, grid: _Grid, header_row: int, header: dict[int, _HeaderCell], columns, format_name) -> Table:
    keys = {cell.column.key for cell in header.values()}
    missing = [column.label for column in columns if column.required and column.key not in keys]
    if missing:
        raise TableError(gettext("缺少必填列：%(labels)s。") % {"labels": "、".join(missing)})
    table = Table(
        sheet=sheet,
        header_row=header_row,
        headers={cell.column.key: cell.written for cell in header.values()},
        units={cell.column.key: cell.unit for cell in header.values() if cell.unit},
        rows=[],
        total=None,
        problems=[],
        format=format_name,
    )
    formulas_reported: set[str] = set()
    for number in sorted(number for number in grid if number > header_row):
        cells = grid[number]
        is_total = _first_text(cells).startswith(TOTAL_PREFIXES)
        if table.total is None and is_total:
            table.total = _row(number, cells, header)
        elif table.total is None:
            table.rows.append(_row(number, cells, header))
            table.problems += _formula_problems(number, cells, header, formulas_reported)
        elif not is_total:  # a second total line (the amount in words …) may follow the first
            message = gettext("合计行（第%(total)d行）之后还有内容：请删除这些内容，或把合计行移到最后。")
            table.problems.append(Problem(row=number, header=None, message=message % {"total": table.total.number}))
    if not table.rows and not table.problems:
        raise TableError(gettext("文件中只有表头，没有数据行。"))
    return table


def _first_text(cells: dict[int, _GridCell]) -> str:
    """The first non-empty cell's text without any spaces: ``合　计`` reads as ``合计``."""
    return next((_SPACES.sub("", cell.text()) for _, cell in sorted(cells.items()) if cell.text()), "")


def _row(number: int, cells: dict[int, _GridCell], header: dict[int, _HeaderCell]) -> Row:
    return Row(
        number,
        {
            header[column].column.key: Cell(cell.value, cell.coordinate, cell.formula)
            for column, cell in sorted(cells.items())
            if column in header
        },
    )


def _formula_problems(number, cells, header, reported: set[str]) -> list[Problem]:
    """A problem per formula in a column the importer reads; a formula merged over rows is named once."""
    problems = []
    for column, cell in sorted(cells.items()):
        if cell.formula and column in header and cell.origin not in reported:
            reported.add(cell.origin)
            message = gettext("%(cell)s 中是公式，系统不计算公式：请把它粘贴为数值后再上传。") % {"cell": cell.origin}
            problems.append(Problem(row=number, header=header[column].written, message=message))
    return problems
