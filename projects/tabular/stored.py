"""A read ``Table`` kept as JSON between an import's dry run and its confirmation.

The confirmation plans every row again (the database may have changed), but the file has not: keeping
what the dry run read spares parsing the workbook a second time. JSON, never pickle: the stored file is
data, not code. Cell values keep their type (numbers, dates and times as the workbook held them).
"""

import datetime
import json
from decimal import Decimal

from projects.tabular.reading import Cell, Problem, Row, Table

FORMAT = "qicai-table/1"


def dump_table(table: Table) -> bytes:
    """The table as UTF-8 JSON; ``TypeError`` for a cell value of a type it does not keep."""
    document = {
        "format": FORMAT,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "headers": table.headers,
        "units": table.units,
        "rows": [_row(row) for row in table.rows],
        "total": _row(table.total) if table.total is not None else None,
        "problems": [[problem.row, problem.header, problem.message] for problem in table.problems],
        "file_format": table.format,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def load_table(data: bytes) -> Table:
    document = json.loads(data)
    if document.get("format") != FORMAT:
        raise ValueError("not a stored table")
    return Table(
        sheet=document["sheet"],
        header_row=document["header_row"],
        headers=document["headers"],
        units=document["units"],
        rows=[_unrow(row) for row in document["rows"]],
        total=_unrow(document["total"]) if document["total"] is not None else None,
        problems=[Problem(row, header, message) for row, header, message in document["problems"]],
        format=document["file_format"],
    )


def _row(row: Row) -> list:
    return [row.number, {key: [_value(c.value), c.coordinate, c.formula] for key, c in row.cells.items()}]


def _unrow(data: list) -> Row:
    number, cells = data
    return Row(
        number, {key: Cell(_unvalue(value), coordinate, formula) for key, (value, coordinate, formula) in cells.items()}
    )


def _value(value):
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"time": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    raise TypeError(f"cannot keep a cell value of type {type(value).__name__}")


def _unvalue(value):
    if not isinstance(value, dict):
        return value
    ((kind, text),) = value.items()
    if kind == "datetime":
        return datetime.datetime.fromisoformat(text)
    if kind == "date":
        return datetime.date.fromisoformat(text)
    if kind == "time":
        return datetime.time.fromisoformat(text)
    if kind == "timedelta":
        return datetime.timedelta(days=text[0], seconds=text[1], microseconds=text[2])
    return Decimal(text)
