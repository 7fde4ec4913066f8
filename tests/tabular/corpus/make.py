"""Write the corpus of spreadsheet files offices really send, and what reading each must give.

Run ``python tests/tabular/corpus/make.py`` after changing it: it rewrites ``files/`` and
``files/expected.json``. The tests build the corpus again in a temporary folder and compare it
byte for byte with the committed files, so the script and the files cannot drift apart.

Output is deterministic: workbooks carry fixed created/modified times, zip entries a fixed
timestamp, and zip members are stored (not deflated) so the bytes do not depend on the zlib build.
Only the standard library and openpyxl are used, so the script runs without Django.

The manifest maps each file name to its expected outcome, either refused as a whole::

    {"error": "fragment of the TableError message", "max_bytes": 200 (optional)}

or read::

    {"format": "xlsx", "sheet": "…", "header_row": 3, "rows": 4, "row_numbers": […], "total": 8,
     "headers": {key: header as written}, "units": {key: unit}, "problems": [[row, header, fragment]],
     "mismatches": [[row, header, fragment]], "cells": [{"row", "key", "parse", "value" | "error"}]}

``cells`` says what a ``parse_*`` function makes of a cell (``parse`` names it: amount, date, id,
phone, int, text); amounts are parsed in the unit the header states.
"""

import datetime
import hashlib
import io
import json
import math
import struct
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
MANIFEST = "expected.json"
FIXED_TIME = datetime.datetime(2013, 9, 1, 8, 0, 0)

HEADER = [
    "项目编号",
    "项目名称",
    "实施单位",
    "申请金额（元）",
    "审定金额（元）",
    "开始日期",
    "负责人身份证号",
    "联系电话",
    "服务人数",
]
KEYS = ["code", "name", "unit", "requested_amount", "approved_amount", "start_date", "leader_id", "phone", "served"]
HEADERS = dict(zip(KEYS, HEADER, strict=True))
TITLE = "2013年度七彩工程项目汇总表"


def id_number(first17: str) -> str:
    """A valid 居民身份证号 (GB 11643-1999 check character), for rows that must pass validation."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


ID_1 = id_number("32010519800101123")
ID_2 = id_number("32010619750615204")
ID_3 = id_number("32010219681203301")
ID_X = "11010519491231002X"

PROJECTS = [
    [
        "QC2013-001",
        "社区长者关爱服务",
        "阳光社工服务中心",
        50000,
        45000,
        datetime.datetime(2013, 9, 1),
        ID_1,
        "13912345678",
        120,
    ],
    [
        "QC2013-002",
        "困境儿童成长陪伴",
        "心桥社会工作服务社",
        80000,
        60000,
        datetime.datetime(2013, 10, 8),
        ID_2,
        "025-84561234",
        60,
    ],
    [
        "QC2013-003",
        "外来务工人员融入",
        "同心社工事务所",
        30000.5,
        30000,
        datetime.datetime(2013, 11, 15),
        ID_3,
        "13800138000",
        200,
    ],
]
APPROVED_SUM = 135000
REQUESTED_SUM = 160000.5


# -- writing files deterministically --------------------------------------------------------------


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries carry a fixed timestamp instead of the current time (or a file's mtime)."""

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet to a temporary file and adds it with write().
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes(), compress_type, compresslevel)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def xlsx(workbook: Workbook) -> bytes:
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter rather than workbook.save(): save() stamps the modified time with now().
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return buffer.getvalue()


def sheet_of(rows, *, title="项目清单", merges=(), start_row=1):
    """A workbook whose first sheet holds ``rows`` from ``start_row`` on; None leaves a cell empty."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            if value is not None:
                cell = sheet.cell(start_row + offset, column, value)
                if isinstance(value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd"
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    return workbook


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def csv_text(rows) -> str:
    """Rows as Excel writes a CSV: comma-separated, CRLF line ends, quotes only where needed."""
    lines = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else str(value)
            if any(character in text for character in ',"\r\n'):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def as_csv_values(row):
    """A project row as Excel writes it into a CSV: dates as shown (2013/9/1), numbers as digits."""
    return [f"{v.year}/{v.month}/{v.day}" if isinstance(v, datetime.datetime) else v for v in row]


# -- OLE2 compound files (MS-CFB) -----------------------------------------------------------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI_SECTOR, MINI_CUTOFF = 512, 64, 4096


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors) holding ``streams`` in its root storage.

    Structurally complete as [MS-CFB] describes it: FAT, directory with a red-black sibling tree,
    mini FAT and mini stream for streams under 4096 bytes. It is the container legacy Excel files and
    password-protected OOXML workbooks come in; what the streams hold is only a stand-in (see below).
    """
    names = sorted(streams, key=lambda name: (len(name), name.upper()))  # the CFB sibling order
    mini_stream, mini_fat, big = b"", [], []
    placement = {}  # stream name → its first (mini) sector
    for name in names:
        data = streams[name]
        if len(data) < MINI_CUTOFF:
            start, count = len(mini_stream) // MINI_SECTOR, math.ceil(len(data) / MINI_SECTOR)
            mini_stream += data.ljust(count * MINI_SECTOR, b"\0")
            mini_fat += [start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            placement[name] = start
        else:
            big.append(name)
    directory_sectors = math.ceil((1 + len(names)) * 128 / SECTOR)
    mini_fat_sectors = math.ceil(len(mini_fat) * 4 / SECTOR)
    mini_stream_sectors = math.ceil(len(mini_stream) / SECTOR)
    big_sectors = {name: math.ceil(len(streams[name]) / SECTOR) for name in big}
    others = directory_sectors + mini_fat_sectors + mini_stream_sectors + sum(big_sectors.values())
    fat_sectors = math.ceil(others / (SECTOR // 4 - 1))
    fat = [FATSECT] * fat_sectors
    chains = {}

    def chain(count: int) -> int:
        start = len(fat)
        fat.extend([start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN])
        return start

    chains["directory"] = chain(directory_sectors)
    chains["mini_fat"] = chain(mini_fat_sectors) if mini_fat_sectors else ENDOFCHAIN
    chains["mini_stream"] = chain(mini_stream_sectors) if mini_stream_sectors else ENDOFCHAIN
    for name in big:
        placement[name] = chain(big_sectors[name])
    fat += [FREESECT] * (fat_sectors * SECTOR // 4 - len(fat))

    left, right, depth = {}, {}, {}

    def tree(low: int, high: int, level: int) -> int:
        if low > high:
            return NOSTREAM
        middle = (low + high) // 2
        depth[middle] = level
        left[middle], right[middle] = tree(low, middle - 1, level + 1), tree(middle + 1, high, level + 1)
        return middle + 1  # directory entry ids: 0 is the root entry

    top = tree(0, len(names) - 1, 0)
    deepest = max(depth.values(), default=0)
    entries = [_directory_entry("Root Entry", 5, 1, NOSTREAM, NOSTREAM, top, chains["mini_stream"], len(mini_stream))]
    for index, name in enumerate(names):
        start = placement[name]
        red = depth[index] == deepest and deepest > 0  # equal black height on every path
        entries.append(
            _directory_entry(name, 2, 0 if red else 1, left[index], right[index], NOSTREAM, start, len(streams[name]))
        )
    directory = b"".join(entries).ljust(directory_sectors * SECTOR, b"\0")

    header = b"".join(
        [
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            bytes(16),
            struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6),
            bytes(6),
            struct.pack(
                "<IIIIIIIII",
                0,  # directory sectors: always 0 in version 3
                fat_sectors,
                chains["directory"],
                0,  # transaction signature
                MINI_CUTOFF,
                chains["mini_fat"],
                mini_fat_sectors,
                ENDOFCHAIN,  # no DIFAT sectors: the header's 109 entries are enough
                0,
            ),
        ]
    )
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(mini_fat_sectors * SECTOR, b"\xff"),
        mini_stream.ljust(mini_stream_sectors * SECTOR, b"\0"),
        *(streams[name].ljust(big_sectors[name] * SECTOR, b"\0") for name in big),
    ]
    return header + b"".join(body)


def _directory_entry(name, kind, color, left, right, child, start, size) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, color, left, right, child)
        + bytes(16 + 4 + 8 + 8)  # class id, state bits, creation and modification times
        + struct.pack("<IQ", start if size or kind == 5 else ENDOFCHAIN, size)
    )


def pseudo_random(seed: str, length: int) -> bytes:
    blocks, counter = [], 0
    while sum(map(len, blocks)) < length:
        blocks.append(hashlib.sha256(f"{seed}/{counter}".encode()).digest())
        counter += 1
    return b"".join(blocks)[:length]


def legacy_xls() -> bytes:
    """An Excel 97-2003 container: a ``Workbook`` stream opening with a BIFF8 BOF record and closing with EOF.

    A stand-in: no sheets, fonts or cells, so Excel would not open it; it is what the reader looks at
    (an OLE2 file with a Workbook stream). Real .xls files pad that stream to 4096 bytes and more, as here.
    """
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    eof = struct.pack("<HH", 0x000A, 0)
    return compound_file({"Workbook": (bof + eof).ljust(4096, b"\0")})


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with a password to open: an OLE2 file, not a zip.

    The ``EncryptionInfo`` stream holds a genuine agile-encryption header (version 4.4) and descriptor
    XML, but ``EncryptedPackage`` holds pseudo-random bytes, not a workbook encrypted under a key:
    producing a real one needs AES, which neither the standard library nor the project's requirements
    provide. Excel also writes a ``DataSpaces`` storage, left out here. The reader only needs the
    stream names, so the stand-in exercises the same path a real protected workbook takes.
    """
    salt = "".join(f"{b:02x}" for b in pseudo_random("salt", 8))
    descriptor = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        f'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="{salt}"/>'
        '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        '<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
        "</keyEncryptor></keyEncryptors></encryption>"
    ).encode()
    info = struct.pack("<HHI", 4, 4, 0x40) + descriptor
    package = struct.pack("<Q", 6000) + pseudo_random("package", 6144)
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def word_97_document() -> bytes:
    """A Word 97-2003 container: an OLE2 file whose main stream is ``WordDocument`` (FIB magic only)."""
    return compound_file({"WordDocument": struct.pack("<H", 0xA5EC).ljust(4096, b"\0")})


def png() -> bytes:
    """A 1×1 white PNG; its zlib stream uses a stored block so no compressor is involved."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zipfile.crc32(kind + data))

    raw = b"\x00\xff\xff\xff"
    adler = struct.pack(">I", _adler32(raw))
    stored = b"\x78\x01" + b"\x01" + struct.pack("<HH", len(raw), len(raw) ^ 0xFFFF) + raw + adler
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", stored)
        + chunk(b"IEND", b"")
    )


def _adler32(data: bytes) -> int:
    a, b = 1, 0
    for byte in data:
        a = (a + byte) % 65521
        b = (b + a) % 65521
    return (b << 16) | a


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


# -- the corpus ----------------------------------------------------------------------------------------------


def read(format, *, header_row, rows, sheet="", total=None, problems=(), mismatches=(), cells=(), **more) -> dict:
    return {
        "format": format,
        "sheet": sheet,
        "header_row": header_row,
        "rows": rows,
        "total": total,
        "problems": [list(problem) for problem in problems],
        "mismatches": [list(problem) for problem in mismatches],
        "cells": list(cells),
        **more,
    }


def refused(fragment: str, **more) -> dict:
    return {"error": fragment, **more}


def ok(row, key, parse, value) -> dict:
    return {"row": row, "key": key, "parse": parse, "value": value}


def bad(row, key, parse, fragment) -> dict:
    return {"row": row, "key": key, "parse": parse, "error": fragment}


def app_like():
    """What the app's own export writes: one header row with the template's labels, typed cells."""
    data = xlsx(sheet_of([HEADER, *PROJECTS]))
    expected = read(
        "xlsx",
        sheet="项目清单",
        header_row=1,
        rows=3,
        headers=HEADERS,
        units={"requested_amount": "元", "approved_amount": "元"},
        cells=[
            ok(2, "code", "text", "QC2013-001"),
            ok(2, "approved_amount", "amount", "45000.00"),
            ok(4, "requested_amount", "amount", "30000.50"),
            ok(3, "start_date", "date", "2013-10-08"),
            ok(2, "leader_id", "id", ID_1),
            ok(3, "phone", "phone", "025-84561234"),
            ok(4, "served", "int", 200),
        ],
    )
    return data, expected


def title_and_date_line():
    """A title row and a date line above the header; header variants; a 合计 row that adds up."""
    header = [
        "项目编号",
        "项目名称",
        "承接单位",
        "申请金额(元)",
        "审定金额",
        "起始日期",
        "身份证号",
        "电话",
        "受益人数",
    ]
    rows = [[TITLE], ["填报日期：2013年12月31日"], header, *PROJECTS, ["合计", None, None, REQUESTED_SUM, APPROVED_SUM]]
    data = xlsx(sheet_of(rows, merges=["A1:I1", "A2:I2"]))
    expected = read(
        "xlsx",
        sheet="项目清单",
        header_row=3,
        rows=3,
        row_numbers=[4, 5, 6],
        total=7,
        headers=dict(zip(KEYS, header, strict=True)),
        units={"requested_amount": "元"},
        cells=[ok(4, "unit", "text", "阳光社工服务中心"), ok(6, "approved_amount", "amount", "30000.00")],
    )
    return data, expected


def merged_two_row_headers():
    """金额（元） merged over 申请 and 审定; other headers merged down over both rows; a unit merged over two rows."""
    rows = [
        [TITLE],
        ["项目编号", "项目名称", "实施单位", "金额（元）", None, "开始日期"],
        [None, None, None, "申请", "审定", None],
        ["QC2013-001", "社区长者关爱服务", "阳光社工服务中心", 50000, 45000, datetime.datetime(2013, 9, 1)],
        ["QC2013-004", "社区长者助餐服务", None, 20000, 18000, datetime.datetime(2013, 9, 15)],
        ["QC2013-002", "困境儿童成长陪伴", "心桥社会工作服务社", 80000, 60000, datetime.datetime(2013, 10, 8)],
    ]
    merges = ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "C4:C5"]
    data = xlsx(sheet_of(rows, merges=merges))
    expected = read(
        "xlsx",
        sheet="项目清单",
        header_row=3,
        rows=3,
        headers={
            "code": "项目编号",
            "name": "项目名称",
            "unit": "实施单位",
            "requested_amount": "金额（元）/申请",
            "approved_amount": "金额（元）/审定",
            "start_date": "开始日期",
        },
        units={"requested_amount": "元", "approved_amount": "元"},
        cells=[
            ok(5, "unit", "text", "阳光社工服务中心"),  # the merged cell's value counts for every row it covers
            ok(5, "requested_amount", "amount", "20000.00"),
            ok(6, "approved_amount", "amount", "60000.00"),
        ],
    )
    return data, expected


def blank_rows_in_the_middle():
    spaces = ["  ", "\u3000", None, " \u3000 "]
    rows = [HEADER, PROJECTS[0], [None] * 9, PROJECTS[1], spaces, PROJECTS[2], [], []]
    data = xlsx(sheet_of(rows))
    return data, read("xlsx", sheet="项目清单", header_row=1, rows=3, row_numbers=[2, 4, 6])


def total_matching():
    """合　计 spelt with a full-width space, a blank row before it, and the amount in words after it."""
    rows = [
        HEADER,
        *PROJECTS,
        [],
        ["合\u3000计", None, None, "160,000.50", APPROVED_SUM],
        ["合计（大写）：壹拾叁万伍仟元整"],
    ]
    data = xlsx(sheet_of(rows))
    return data, read("xlsx", sheet="项目清单", header_row=1, rows=3, total=6)


def total_not_matching():
    rows = [HEADER, *PROJECTS, ["总计", None, None, REQUESTED_SUM, 140000]]
    data = xlsx(sheet_of(rows))
    mismatch = "合计行写的是 140,000.00 元，各行相加为 135,000.00 元。"
    return data, read(
        "xlsx", sheet="项目清单", header_row=1, rows=3, total=5, mismatches=[[5, "审定金额（元）", mismatch]]
    )


def data_after_total():
    rows = [HEADER, *PROJECTS[:2], ["合计", None, None, 130000, 105000], PROJECTS[2]]
    data = xlsx(sheet_of(rows))
    return data, read(
        "xlsx", sheet="项目清单", header_row=1, rows=2, total=4, problems=[[5, None, "合计行（第4行）之后还有内容"]]
    )


def full_width():
    """Full-width spaces around text and inside headers, full-width digits in amounts and dates."""
    header = ["项目　编号", " 项目名称\u3000", "实施单位", "审定金额（元）", "开始日期", "负责人身份证号"]
    rows = [
        header,
        [
            "\u3000QC2013-001 ",
            "\u3000社区长者关爱服务\u3000",
            "阳光社工服务中心\xa0",
            "３００００",
            "２０１３年９月１日",
            "１１０１０５１９４９１２３１００２ｘ",
        ],
        ["QC2013-002", "困境儿童成长陪伴", "心桥社会工作服务社", "１．５万", "２０１３－１０－０８", ID_2],
    ]
    data = xlsx(sheet_of(rows))
    return data, read(
        "xlsx",
        sheet="项目清单",
        header_row=1,
        rows=2,
        headers={
            "code": "项目　编号",
            "name": "项目名称",
            "unit": "实施单位",
            "approved_amount": "审定金额（元）",
            "start_date": "开始日期",
            "leader_id": "负责人身份证号",
        },
        cells=[
            ok(2, "code", "text", "QC2013-001"),
            ok(2, "name", "text", "社区长者关爱服务"),
            ok(2, "unit", "text", "阳光社工服务中心"),
            ok(2, "approved_amount", "amount", "30000.00"),
            ok(2, "start_date", "date", "2013-09-01"),
            ok(2, "leader_id", "id", ID_X),
            ok(3, "approved_amount", "amount", "15000.00"),
            ok(3, "start_date", "date", "2013-10-08"),
        ],
    )


def wan_yuan_column():
    """审定金额 stated in 万元: every value is multiplied, the 合计 row too."""
    header = ["项目编号", "项目名称", "审定金额（万元）", "申请金额"]
    rows = [
        header,
        ["QC2013-001", "社区长者关爱服务", 4.5, 50000],
        ["QC2013-002", "困境儿童成长陪伴", "6", 80000],
        ["QC2013-003", "外来务工人员融入", 3.05, "3万"],
        ["合计", None, 13.55, 160000],
    ]
    data = xlsx(sheet_of(rows))
    return data, read(
        "xlsx",
        sheet="项目清单",
        header_row=1,
        rows=3,
        total=5,
        units={"approved_amount": "万元"},
        headers={
            "code": "项目编号",
            "name": "项目名称",
            "approved_amount": "审定金额（万元）",
            "requested_amount": "申请金额",
        },
        cells=[
            ok(2, "approved_amount", "amount", "45000.00"),
            ok(3, "approved_amount", "amount", "60000.00"),
            ok(4, "approved_amount", "amount", "30500.00"),
            ok(4, "requested_amount", "amount", "30000.00"),
        ],
    )


ACCEPTED_AMOUNTS = [
    "1,000,000",
    "¥30000",
    "￥30,000.50",
    "３００００",
    "3万",
    "1.5万元",
    "30000元",
    30000,
    30000.5,
    " 45000 ",
]
ACCEPTED_AMOUNT_VALUES = [
    "1000000.00",
    "30000.00",
    "30000.50",
    "30000.00",
    "30000.00",
    "15000.00",
    "30000.00",
    "30000.00",
    "30000.50",
    "45000.00",
]
ACCEPTED_DATES = [
    "2013-09-01",
    "2013/9/1",
    "2013.9.1",
    "2013年9月1日",
    41518,
    datetime.datetime(2013, 9, 1),
    "20130901",
    "2013-9-1",
    "２０１３年９月１日",
    "2013/09/01",
]
REFUSED_AMOUNTS = [
    ("三万元", "中文数字"),
    ("1.234", "小数位数太多"),
    ("-100", "负数"),
    ("100美元", "“美元”无法识别"),
    ("待定", "不是金额"),
    (1.234, "小数位数太多"),
]
REFUSED_DATES = [
    ("9/1/2013", "不是可识别的日期"),
    ("13-9-1", "不是可识别的日期"),
    ("2013-13-01", "不存在"),
    ("2013年9月1", "少了“日”字"),
    (60, "并不存在"),
    (2013, "只写了年份"),
]


def values_accepted():
    """Every accepted form of an amount and a date, one per row."""
    rows = [["项目编号", "项目名称", "审定金额（元）", "开始日期"]]
    cells = []
    for index, (amount, date) in enumerate(zip(ACCEPTED_AMOUNTS, ACCEPTED_DATES, strict=True)):
        rows.append([f"QC2013-{index + 1:03d}", "项目", amount, date])
        cells += [
            ok(index + 2, "approved_amount", "amount", ACCEPTED_AMOUNT_VALUES[index]),
            ok(index + 2, "start_date", "date", "2013-09-01"),
        ]
    return xlsx(sheet_of(rows)), read("xlsx", sheet="项目清单", header_row=1, rows=len(rows) - 1, cells=cells)


def values_refused():
    """Every refused form of an amount and a date: the file reads, each cell is refused with its reason."""
    rows = [["项目编号", "项目名称", "审定金额（元）", "开始日期"]]
    cells = []
    for index, ((amount, amount_reason), (date, date_reason)) in enumerate(
        zip(REFUSED_AMOUNTS, REFUSED_DATES, strict=True)
    ):
        rows.append([f"QC2013-{index + 1:03d}", "项目", amount, date])
        cells += [
            bad(index + 2, "approved_amount", "amount", amount_reason),
            bad(index + 2, "start_date", "date", date_reason),
        ]
    return xlsx(sheet_of(rows)), read("xlsx", sheet="项目清单", header_row=1, rows=len(rows) - 1, cells=cells)


def values_csv():
    """The same forms as a CSV holds them: everything is text, serial dates are digit strings."""
    rows = [
        ["项目编号", "项目名称", "审定金额（元）", "开始日期", "负责人身份证号", "联系电话"],
        ["QC2013-001", "项目", "1,000,000", "41518", ID_X.lower(), "13912345678"],
        ["QC2013-002", "项目", "3万", "2013/9/1", "3.20105E+17", "2584561234"],
        ["QC2013-003", "项目", "三万元", "9/1/2013", "320105198001011000", "025-84561234"],
    ]
    cells = [
        ok(2, "approved_amount", "amount", "1000000.00"),
        ok(2, "start_date", "date", "2013-09-01"),
        ok(2, "leader_id", "id", ID_X),
        ok(2, "phone", "phone", "13912345678"),
        ok(3, "approved_amount", "amount", "30000.00"),
        ok(3, "start_date", "date", "2013-09-01"),
        bad(3, "leader_id", "id", "后几位已丢失"),
        bad(3, "phone", "phone", "有效的电话号码"),
        bad(4, "approved_amount", "amount", "中文数字"),
        bad(4, "start_date", "date", "不是可识别的日期"),
        bad(4, "leader_id", "id", "末尾的 000"),
        ok(4, "phone", "phone", "025-84561234"),
    ]
    return csv_text(rows).encode("utf-8"), read("csv-utf8", header_row=1, rows=3, cells=cells)


def id_numbers():
    """ID numbers as text with a lowercase x and spaces, as a number that lost digits, and a 15-digit number."""
    rows = [
        ["项目编号", "项目名称", "负责人身份证号", "联系电话"],
        ["QC2013-001", "项目", ID_X.lower(), 13912345678],
        ["QC2013-002", "项目", f" {ID_1[:6]} {ID_1[6:14]} {ID_1[14:]} ", "13800138000"],
        ["QC2013-003", "项目", float(ID_2), "025-84561234"],
        ["QC2013-004", "项目", 110105491231002, 2584561234],
    ]
    cells = [
        ok(2, "leader_id", "id", ID_X),
        ok(2, "phone", "phone", "13912345678"),
        ok(3, "leader_id", "id", ID_1),
        bad(4, "leader_id", "id", "身份证号被 Excel 存成了数字，后几位已丢失"),
        ok(5, "leader_id", "id", ID_X),
        bad(5, "phone", "phone", "开头的 0 已丢失"),
    ]
    return xlsx(sheet_of(rows)), read("xlsx", sheet="项目清单", header_row=1, rows=4, cells=cells)


def formulas():
    """A formula in a data cell is named; the 合计 row's SUM and a formula in a column nobody imports are not."""
    rows = [
        ["项目编号", "项目名称", "申请金额（元）", "审定金额（元）", "备注"],
        ["QC2013-001", "社区长者关爱服务", 50000, 45000, "=C2-D2"],
        ["QC2013-002", "困境儿童成长陪伴", 80000, "=C3*0.75", None],
        ["合计", None, "=SUM(C2:C3)", "=SUM(D2:D3)", None],
    ]
    data = xlsx(sheet_of(rows))
    return data, read(
        "xlsx",
        sheet="项目清单",
        header_row=1,
        rows=2,
        total=4,
        problems=[[3, "审定金额（元）", "D3 中是公式"]],
    )


def second_sheet():
    """A 填表说明 sheet before the data: the first sheet with a header is read."""
    workbook = sheet_of([["填表说明"], ["1. 金额以元为单位。"], ["2. 日期写成 2013-09-01。"]], title="填表说明")
    data_sheet = workbook.create_sheet("项目")
    for row in [HEADER, *PROJECTS]:
        data_sheet.append(row)
    return xlsx(workbook), read("xlsx", sheet="项目", header_row=1, rows=3)


def missing_required():
    rows = [["项目编号", "实施单位", "审定金额（元）"], ["QC2013-001", "阳光社工服务中心", 45000]]
    return xlsx(sheet_of(rows)), refused("缺少必填列：项目名称。")


def duplicate_columns():
    rows = [["项目编号", "项目名称", "审定金额（元）", "审定金额"], ["QC2013-001", "社区长者关爱服务", 45000, 45000]]
    return xlsx(sheet_of(rows)), refused("“审定金额（元）”和“审定金额”两列都是“审定金额（元）”")


def headers_only_xlsx():
    return xlsx(sheet_of([[TITLE], HEADER, [], ["合计", None, None, 0, 0]])), refused("文件中只有表头，没有数据行。")


def empty_workbook():
    return xlsx(Workbook()), refused("文件是空的。")


def csv_rows_with_title():
    return [
        [TITLE],
        ["填报日期：2013年12月31日"],
        HEADER,
        *map(as_csv_values, PROJECTS),
        ["合计", None, None, REQUESTED_SUM, APPROVED_SUM],
    ]


def csv_expected(format, **more):
    return read(
        format,
        header_row=3,
        rows=3,
        total=7,
        units={"requested_amount": "元", "approved_amount": "元"},
        cells=[
            ok(4, "unit", "text", "阳光社工服务中心"),
            ok(5, "start_date", "date", "2013-10-08"),
            ok(6, "requested_amount", "amount", "30000.50"),
            ok(4, "leader_id", "id", ID_1),
        ],
        **more,
    )


def gb18030_csv():
    """Characters GBK lacks (䶮, and the four-byte 㐀): only GB18030 holds them."""
    rows = csv_rows_with_title()
    rows[3] = [*rows[3][:2], "阳光社工服务中心", *rows[3][3:]]
    rows[4] = [rows[4][0], "困境儿童成长陪伴（䶮㐀）", *rows[4][2:]]
    expected = csv_expected("csv-gb18030")
    expected["cells"].append(ok(5, "name", "text", "困境儿童成长陪伴（䶮㐀）"))
    return csv_text(rows).encode("gb18030"), expected


def line_break_in_a_cell():
    """A quoted cell holding a line break: row numbers are the rows Excel shows, not the text's lines."""
    rows = [
        HEADER,
        as_csv_values(PROJECTS[0]),
        [PROJECTS[1][0], "困境儿童\n成长陪伴", *as_csv_values(PROJECTS[1])[2:]],
        as_csv_values(PROJECTS[2]),
    ]
    expected = read(
        "csv-utf8",
        header_row=1,
        rows=3,
        row_numbers=[2, 3, 4],
        cells=[ok(3, "name", "text", "困境儿童\n成长陪伴"), ok(4, "code", "text", "QC2013-003")],
    )
    return csv_text(rows).encode("utf-8"), expected


def tab_separated():
    text = "\r\n".join(
        "\t".join("" if v is None else str(v) for v in row) for row in [HEADER, *map(as_csv_values, PROJECTS)]
    )
    return text.encode("utf-8"), read(
        "csv-utf8", header_row=1, rows=3, cells=[ok(2, "name", "text", "社区长者关爱服务")]
    )


def build() -> dict[str, tuple[bytes, dict]]:
    """Every file of the corpus: name → (bytes, expected outcome)."""
    app_bytes, app_expected = app_like()
    utf8 = csv_text(csv_rows_with_title())
    corpus = {
        "app_like.xlsx": (app_bytes, app_expected),
        "title_and_date_line.xlsx": title_and_date_line(),
        "merged_two_row_headers.xlsx": merged_two_row_headers(),
        "blank_rows_in_the_middle.xlsx": blank_rows_in_the_middle(),
        "total_matching.xlsx": total_matching(),
        "total_not_matching.xlsx": total_not_matching(),
        "data_after_total.xlsx": data_after_total(),
        "full_width.xlsx": full_width(),
        "wan_yuan_column.xlsx": wan_yuan_column(),
        "values_accepted.xlsx": values_accepted(),
        "values_refused.xlsx": values_refused(),
        "values.csv": values_csv(),
        "id_numbers.xlsx": id_numbers(),
        "formulas.xlsx": formulas(),
        "second_sheet.xlsx": second_sheet(),
        "utf8.csv": (utf8.encode("utf-8"), csv_expected("csv-utf8")),
        "utf8_bom.csv": (utf8.encode("utf-8-sig"), csv_expected("csv-utf8-bom")),
        "gbk.csv": (utf8.encode("gbk"), csv_expected("csv-gb18030")),
        "gb18030.csv": gb18030_csv(),
        "line_break_in_a_cell.csv": line_break_in_a_cell(),
        "tab_separated.txt": tab_separated(),
        "xlsx_renamed.csv": (app_bytes, app_expected),
        "csv_renamed.xlsx": (utf8.encode("utf-8-sig"), csv_expected("csv-utf8-bom")),
        "truncated.xlsx": (app_bytes[: len(app_bytes) // 2], refused("Excel 文件已损坏或不完整")),
        "truncated_tail.xlsx": (app_bytes[:-200], refused("Excel 文件已损坏或不完整")),
        "password_protected.xlsx": (encrypted_xlsx(), refused("文件设有密码")),
        "legacy.xls": (
            legacy_xls(),
            refused("这是旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再上传。"),
        ),
        "word_97.doc": (word_97_document(), refused("不是 Excel 或 CSV 文件")),
        "empty.csv": (b"", refused("文件是空的。")),
        "empty.xlsx": (b"", refused("文件是空的。")),
        "blank_lines.csv": (b"\r\n \r\n,,,\r\n", refused("文件是空的。")),
        "empty_workbook.xlsx": empty_workbook(),
        "headers_only.xlsx": headers_only_xlsx(),
        "headers_only.csv": (csv_text([HEADER, [], []]).encode("utf-8-sig"), refused("文件中只有表头，没有数据行。")),
        "missing_required.xlsx": missing_required(),
        "duplicate_columns.xlsx": duplicate_columns(),
        "no_header.csv": (csv_text([["姓名", "年龄"], ["张三", "30"]]).encode(), refused("前 15 行中找不到表头")),
        "undecodable.csv": (csv_text([HEADER]).encode("utf-8") + b"\xff\xfe\x80\r\n", refused("无法识别文件编码")),
        "unicode_text.txt": (("\ufeff" + "\t".join(HEADER)).encode("utf-16-le"), refused("UTF-16")),
        "web_page.xls": (
            "<html><body><table><tr><td>项目编号</td></tr></table></body></html>".encode(),
            refused("网页"),
        ),
        "image.png": (png(), refused("不是 Excel 或 CSV 文件")),
        "document.pdf": (pdf(), refused("不是 Excel 或 CSV 文件")),
        "archive.zip": (zip_of({"说明.txt": "项目清单".encode()}), refused("不是 Excel 工作簿")),
        "document.docx": (
            zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            refused("不是 Excel 工作簿"),
        ),
        "spreadsheet.ods": (
            zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"}),
            refused("OpenDocument"),
        ),
        "over_the_cap.csv": (utf8.encode("utf-8"), refused("文件超过 200 字节 的上限", max_bytes=200)),
    }
    return corpus


def write(directory: Path = FILES) -> dict[str, dict]:
    """Write the corpus and its manifest into ``directory`` (emptied first); return the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        old.unlink()
    manifest = {}
    for name, (data, expected) in sorted(build().items()):
        (directory / name).write_bytes(data)
        manifest[name] = expected
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    (directory / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    written = write(Path(sys.argv[1]) if len(sys.argv) > 1 else FILES)
    print(f"{len(written)} files and {MANIFEST} written")
