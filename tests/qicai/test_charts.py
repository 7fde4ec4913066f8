import base64
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from unittest import mock

import matplotlib
import pytest
from django.core.cache import cache

from qicai import charts

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?[\d,]+(\.\d+)?%?")
CATEGORIES = ["红色·阳光新生", "橙色·戒毒康复", "黄色·困境儿童与留守儿童服务"]
ROUNDS = ["2012年", "2013年", "2014年"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def money_by_category(**kwargs):
    values = [Decimal("30.20"), Decimal("18.55"), Decimal("42.13")]
    return charts.bar_chart("按服务类别的审定金额", CATEGORIES, values, unit="万元", **kwargs)


def people_by_round(**kwargs):
    return charts.bar_chart("各批次服务人数", ROUNDS, [1204, 873, 2310], unit="人", horizontal=False, **kwargs)


def rounds_compared(**kwargs):
    series = {
        "预算": [Decimal(500), Decimal(650), Decimal(800)],
        "审定金额": [468.3, 602.15, 771],
        "已拨付": [468, 540, 0],
    }
    return charts.grouped_bar_chart("预算、审定与拨付", ROUNDS, series, unit="万元", **kwargs)


def grades(**kwargs):
    series = {"优秀": [8, 12], "良好": [20, 18], "合格": [10, 6], "不合格": [1, 2]}
    return charts.stacked_bar_chart("评估等级分布", ["中期评估", "末期评估"], series, unit="个", **kwargs)


def service_models(**kwargs):
    return charts.donut_chart(
        "按运作模式的项目数", ["社工+义工", "机构+社区", "未填写"], [62, 51, 13], unit="个", **kwargs
    )


KINDS = [money_by_category, people_by_round, rounds_compared, grades, service_models]
kinds = pytest.mark.parametrize("make", KINDS, ids=lambda make: make.__name__)


def parse(chart):
    return ET.fromstring(chart.svg)


def texts(chart) -> list[str]:
    return ["".join(element.itertext()) for element in parse(chart).iter(f"{SVG}text")]


def numbers_drawn(chart) -> Counter:
    return Counter(text for text in texts(chart) if NUMBER.fullmatch(text))


def numbers_in_table(chart) -> Counter:
    return Counter(cell for row in chart.table.rows for cell in row[1:])


def table_labels(chart) -> list[str]:
    return [row[0] for row in chart.table.rows]


@kinds
def test_each_kind_is_an_embeddable_labelled_svg(make):
    chart = make()
    assert chart.svg.startswith("<svg ")  # no XML prolog or DOCTYPE to break an inline embedding
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert "width" not in root.attrib and "height" not in root.attrib
    assert root.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    title = root.find(f"{SVG}title")
    assert title.text == chart.title
    assert root.get("aria-labelledby") == title.get("id")
    assert root.find(f"{SVG}desc").text == chart.alt
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in chart.svg and "onload" not in chart.svg
    assert chart.title in texts(chart)


@kinds
def test_labels_stay_text_in_the_chinese_font(make):
    chart = make()
    drawn = texts(chart)
    for label in table_labels(chart):
        if label != "合计":
            assert label in drawn, label
    assert "font-family: 'Noto Sans CJK SC'" in chart.svg
    assert "<path" in chart.svg and "glyph" not in chart.svg  # the text is not turned into outlines


@kinds
def test_the_same_figures_give_the_same_bytes_and_other_figures_others(make):
    first = make().svg
    cache.clear()
    assert make().svg == first
    cache.clear()
    assert make(formatter=lambda value: f"{value:.1f}").svg != first


def test_different_values_draw_differently():
    chart = charts.bar_chart("人数", ["江城街道", "滨江街道"], [10, 20], unit="人")
    other = charts.bar_chart("人数", ["江城街道", "滨江街道"], [10, 21], unit="人")
    assert chart.svg != other.svg


@pytest.mark.parametrize("make", [money_by_category, people_by_round, rounds_compared], ids=lambda make: make.__name__)
def test_the_table_holds_the_numbers_drawn(make):
    chart = make()
    assert numbers_drawn(chart) == numbers_in_table(chart)
    assert numbers_drawn(chart)


def test_a_stacked_chart_draws_its_totals_and_parts_where_they_fit():
    chart = grades()
    assert chart.table.headers == ["名称", "优秀（个）", "良好（个）", "合格（个）", "不合格（个）", "合计（个）"]
    assert chart.table.rows == [["中期评估", "8", "20", "10", "1", "39"], ["末期评估", "12", "18", "6", "2", "38"]]
    drawn, table = numbers_drawn(chart), numbers_in_table(chart)
    assert not drawn - table  # nothing drawn that the table does not say
    assert {"39", "38", "20", "18"} <= set(drawn)


def test_a_donut_gives_values_and_shares_in_its_legend_and_the_total_in_its_middle():
    chart = service_models()
    assert chart.table.headers == ["名称", "数值（个）", "占比"]
    assert chart.table.rows == [
        ["社工+义工", "62", "49.2%"],
        ["机构+社区", "51", "40.5%"],
        ["未填写", "13", "10.3%"],
        ["合计", "126", "100%"],
    ]
    drawn = numbers_drawn(chart)
    assert drawn == numbers_in_table(chart) - Counter(["100%"])
    assert "合计" in texts(chart)


@kinds
def test_the_alt_text_says_every_label_and_value(make):
    chart = make()
    assert chart.alt.startswith(chart.title + "：")
    for row in chart.table.rows:
        for cell in row[:2]:
            assert cell in chart.alt, cell


def test_the_alt_text_of_a_bar_chart():
    assert money_by_category().alt == (
        "按服务类别的审定金额：红色·阳光新生 30.20万元；橙色·戒毒康复 18.55万元；"
        "黄色·困境儿童与留守儿童服务 42.13万元。"
    )


def test_values_and_labels_go_through_the_formatter():
    chart = money_by_category(formatter=lambda value: f"{value:,.1f}")
    assert [row[1] for row in chart.table.rows] == ["30.2", "18.6", "42.1"]
    assert numbers_drawn(chart) == Counter(["30.2", "18.6", "42.1"])
    assert "18.6万元" in chart.alt


def test_the_default_formatter_separates_thousands_and_keeps_the_decimals_given():
    assert charts.format_number(Decimal("1234567")) == "1,234,567"
    assert charts.format_number(Decimal("1234.50")) == "1,234.50"
    assert [row[1] for row in people_by_round().table.rows] == ["1,204", "873", "2,310"]


@pytest.mark.parametrize(
    "chart",
    [
        lambda: charts.bar_chart("按服务类别的审定金额", [], [], unit="万元"),
        lambda: charts.bar_chart("人数", ["江城街道", "滨江街道"], [0, Decimal("0.00")], unit="人"),
        lambda: charts.bar_chart("人数", ["江城街道"], [None], unit="人", horizontal=False),
        lambda: charts.grouped_bar_chart("对比", ROUNDS, {}, unit="万元"),
        lambda: charts.stacked_bar_chart("状态", ROUNDS, {"执行中": [0, 0, 0]}, unit="个"),
        lambda: charts.donut_chart("模式", ["社工+义工"], [0], unit="个"),
    ],
)
def test_no_data_says_so(chart):
    chart = chart()
    assert "暂无数据" in texts(chart)
    assert chart.table == charts.ChartTable(headers=[], rows=[])
    assert chart.alt == f"{chart.title}：暂无数据。"
    assert parse(chart).find(f"{SVG}title").text == chart.title


def test_a_chart_is_rendered_once_per_spec():
    with mock.patch("qicai.charts._render", wraps=charts._render) as render:
        first = money_by_category()
        assert money_by_category() == first
        assert render.call_count == 1
        money_by_category(colours=[charts.RED, charts.ORANGE, charts.YELLOW])
        assert render.call_count == 2
        charts.bar_chart("按服务类别的审定金额", CATEGORIES, [30, 18, 42], unit="万元")
        assert render.call_count == 3
        charts.bar_chart("按服务类别的审定金额", CATEGORIES, [30, 18, 42], unit="元")
        charts.bar_chart("按服务类别的审定金额（二）", CATEGORIES, [30, 18, 42], unit="元")
        charts.bar_chart("按服务类别的审定金额（二）", CATEGORIES, [30, 18, 42], unit="元", horizontal=False)
        assert render.call_count == 6
        assert charts.bar_chart("按服务类别的审定金额（二）", CATEGORIES, [30, 18, 42], unit="元").svg
        assert render.call_count == 6


def test_the_cache_keys_are_the_charts_own():
    with mock.patch.object(charts.cache, "set", wraps=charts.cache.set) as cache_set:
        money_by_category()
    (key, svg, _timeout), _kwargs = cache_set.call_args
    assert key.startswith("qicai-chart:")
    assert cache.get(key) == svg == money_by_category().svg


@kinds
def test_the_data_uri_is_the_svg(make):
    chart = make()
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_uri.startswith(prefix)
    assert base64.b64decode(chart.data_uri.removeprefix(prefix)).decode() == chart.svg


def test_category_colours_are_drawn_and_light_ones_outlined():
    chart = money_by_category(colours=["#d93025", None, charts.YELLOW])
    assert "fill: #d93025" in chart.svg
    assert "fill: #2f6fd6" in chart.svg  # the default for a bar without a colour of its own
    assert "fill: #e8b50c; stroke: #96750" in chart.svg  # yellow is outlined darker (3:1 on white)


def test_series_have_colours_of_their_own():
    chart = rounds_compared(colours=[charts.NEUTRAL, charts.GREEN])
    svg = chart.svg
    assert "fill: #80868b" in svg and "fill: #2e9e44" in svg and "fill: #f07f19" not in svg
    assert "fill: #2f6fd6" in svg  # the third series takes the palette's first colour not given


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a", "b"], [1], unit="")
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a"], [Decimal("NaN")], unit="")
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a"], [float("inf")], unit="")
    with pytest.raises(TypeError):
        charts.bar_chart("t", ["a"], ["1"], unit="")
    with pytest.raises(TypeError):
        charts.bar_chart("t", ["a"], [True], unit="")
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a"], [1], unit="", colours=["red"])
    with pytest.raises(ValueError):
        charts.donut_chart("t", ["a", "b"], [3, -1], unit="")
    with pytest.raises(ValueError):
        charts.grouped_bar_chart("t", ["a", "b"], {"x": [1, 2], "y": [1]}, unit="")


def test_decimal_int_float_and_negative_values_are_drawn_with_their_sign():
    chart = charts.bar_chart(
        "预算结余", ["2012年", "2013年", "2014年", "2015年"], [Decimal("12.50"), -3, 0.1, None], unit="万元"
    )
    assert [row[1] for row in chart.table.rows] == ["12.50", "-3", "0.1", "—"]
    assert {"12.50", "-3", "0.1", "—"} <= set(texts(chart))
    assert chart.alt.endswith("2015年 —。")  # no unit after a missing value
    columns = charts.bar_chart("预算结余", ["2012年", "2013年"], [Decimal("12.50"), -3], unit="万元", horizontal=False)
    assert {"12.50", "-3"} <= set(texts(columns))
    stacked = charts.stacked_bar_chart("收支", ["一月", "二月"], {"收入": [10, 4], "支出": [-6, -9]}, unit="万元")
    assert [row[-1] for row in stacked.table.rows] == ["4", "-5"]
    assert {"4", "-5"} <= set(texts(stacked))


def test_markup_in_labels_stays_text():
    chart = charts.bar_chart("<b>标题</b> & 说明", ["<script>alert(1)</script>"], [1], unit="个")
    root = parse(chart)
    assert not list(root.iter(f"{SVG}script"))
    assert "<script>" not in chart.svg
    assert root.find(f"{SVG}title").text == "<b>标题</b> & 说明"
    assert "<script>alert(1)</script>" in texts(chart)


def test_a_label_with_dollar_signs_is_not_a_formula():
    chart = charts.bar_chart("t", ["$x$ 美元"], [1], unit="")
    assert "$x$ 美元" in texts(chart)


def test_long_labels_are_wrapped_and_too_long_ones_shortened_but_said_in_full():
    long = "困境儿童与留守儿童服务困境儿童与留守儿童服务困境儿童与留守儿童服务"
    chart = charts.bar_chart("t", ["紫色·社区融合与外来务工人员服务", long], [1, 2], unit="个")
    drawn = texts(chart)
    assert "紫色·社区融合与" in drawn and "外来务工人员服务" in drawn  # two even lines, no lone character
    assert any(text.endswith("…") for text in drawn)
    assert long in chart.alt and [row[0] for row in chart.table.rows][1] == long


def test_rows_grow_the_chart_not_its_width():
    three = charts.bar_chart("t", ["a", "b", "c"], [1, 2, 3], unit="")
    six = charts.bar_chart("t", ["a", "b", "c", "d", "e", "f"], [1, 2, 3, 4, 5, 6], unit="")
    assert three.width == six.width == 720
    assert six.height > three.height


def test_no_text_is_smaller_than_11px():
    sizes = set()
    for make in KINDS:
        sizes.update(float(size) for size in re.findall(r"font-size: ([\d.]+)px", make().svg))
    assert min(sizes) >= 11


def test_rendering_leaves_matplotlib_settings_alone_and_is_thread_safe():
    before = dict(matplotlib.rcParams)
    spec_chart = money_by_category()
    assert dict(matplotlib.rcParams) == before

    results = []

    def render():
        cache.clear()
        results.append(money_by_category().svg)

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [spec_chart.svg] * 4


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_a_pdf_keeps_the_labels_as_text(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    chart = money_by_category()
    html = f"<html style=\"font-family: 'Noto Sans CJK SC'\"><body><h1>年度报告</h1>{chart.svg}</body></html>"
    pdf = tmp_path / "report.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "红色·阳光新生" in text
    assert "42.13" in text
