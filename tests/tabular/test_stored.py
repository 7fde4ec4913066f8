import datetime
from decimal import Decimal

import pytest

from projects.tabular.reading import Cell, Row, Table
from projects.tabular.stored import dump_table, load_table
from tests.tabular.corpus import make
from tests.tabular.test_reading import MANIFEST, read


@pytest.mark.parametrize("name", sorted(name for name, expected in MANIFEST.items() if "error" not in expected))
def test_every_readable_corpus_file_is_kept_exactly(name):
    table = read((make.FILES / name).read_bytes(), name=name)
    assert load_table(dump_table(table)) == table


def test_cell_types_survive():
    values = [
        "文本",
        12,
        1.5,
        True,
        None,
        Decimal("3.10"),
        datetime.datetime(2013, 9, 1, 8, 30),
        datetime.date(2013, 9, 1),
        datetime.time(8, 30),
        datetime.timedelta(days=1, seconds=5),
        "=SUM(A1:A2)",
    ]
    row = Row(3, {f"k{n}": Cell(value, f"A{n}", formula=n == 10) for n, value in enumerate(values)})
    table = Table("表1", 2, {"k0": "名称"}, {"k1": "万元"}, [row], None, [], "xlsx")
    kept = load_table(dump_table(table))
    assert kept == table
    assert [type(cell.value) for cell in kept.rows[0].cells.values()] == [type(value) for value in values]


def test_a_value_it_cannot_keep_is_a_type_error_not_a_silent_change():
    table = Table("表1", 1, {}, {}, [Row(2, {"k": Cell(object(), "A2")})], None, [], "xlsx")
    with pytest.raises(TypeError):
        dump_table(table)


def test_something_else_is_not_loaded():
    with pytest.raises(ValueError):
        load_table(b'{"format": "other"}')
