"""Charts for the portal's dashboard and the printed annual report: the same figures give the same drawing.

Four kinds, each a function that returns a ``Chart``: ``bar_chart`` (one series), ``grouped_bar_chart``
(several series side by side), ``stacked_bar_chart`` (several series end to end) and ``donut_chart``
(shares). Callers pass figures already computed (``projects.selectors``, ``qicai.summaries``) and
labels already translated; a chart draws them and says them again in words (``alt``) and as a table
(``table``: exactly the numbers drawn, formatted by the same formatter).

Using a chart
    A page under the portal's Content-Security-Policy shows it as an image (the policy's ``img-src``
    allows ``data:``), which keeps the SVG's own style attributes out of the page::

        <img src="{{ chart.data_uri }}" width="{{ chart.width }}" height="{{ chart.height }}"
             alt="{{ chart.alt }}" class="img-fluid">

    A PDF (WeasyPrint) puts ``{{ chart.svg }}`` inline: the labels stay text, set in the embedded
    Noto Sans CJK SC, so they can be searched and copied.

The SVG is drawn by matplotlib without pyplot (``Figure`` and the svg backend), with text kept as text
and no date or random ids in it, so identical figures give identical bytes; it is cached by a hash of
everything drawn (``qicai-chart:`` keys), so a page re-renders a chart only when its figures change.
"""

import base64
import hashlib
import io
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cached_property
from xml.sax.saxutils import escape

import matplotlib
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from projects.formatting import DASH, format_ratio

__all__ = [
    "BLUE",
    "CYAN",
    "GREEN",
    "NEUTRAL",
    "ORANGE",
    "PURPLE",
    "RED",
    "SEVEN_COLOURS",
    "YELLOW",
    "Chart",
    "ChartTable",
    "bar_chart",
    "donut_chart",
    "format_number",
    "grouped_bar_chart",
    "stacked_bar_chart",
]

# The programme's seven colours (the 七彩 categories, as the demo district's ServiceCategory.colour),
# a neutral for "other" or "not given", and the text colours (AA on white: 16.1 and 6.0).
RED = "#D93025"
ORANGE = "#F07F19"
YELLOW = "#E8B50C"
GREEN = "#2E9E44"
CYAN = "#12A5A5"
BLUE = "#2F6FD6"
PURPLE = "#8E44AD"
SEVEN_COLOURS = (RED, ORANGE, YELLOW, GREEN, CYAN, BLUE, PURPLE)
NEUTRAL = "#80868B"
TEXT = "#202124"
MUTED = "#5F6368"
# Series without colours of their own: the most distinct first, yellow last (weakest on white).
SERIES_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, CYAN, RED, YELLOW, NEUTRAL)

Number = Decimal | int | float
Formatter = Callable[[Decimal], str]

# Bump when the drawing changes, so cached SVGs of the old drawing are not served.
DRAWING_VERSION = 1
CACHE_PREFIX = "qicai-chart:"
CACHE_SECONDS = 7 * 24 * 3600  # keys are content hashes: an entry is never stale, only unused

# Sizes in px of the SVG's viewBox (the figure is drawn at 72 dpi, so one point is one unit).
DPI = 72
WIDTH = 720
PAD = 16
TITLE_SIZE, TITLE_LINE = 17, 24
LABEL_SIZE, LABEL_LINE = 14, 19
SMALL_SIZE, SMALL_LINE = 13, 20  # unit line, legend, value labels
LABEL_COLUMN = 216  # at most 30% of the width for the labels of horizontal bars: 15 Chinese characters a line
VALUE_GAP = 5
DONUT = 200
FONTS = ["Noto Sans CJK SC"]
# Where the SVG is shown as an image on a machine without Noto (a phone, Windows), the browser takes
# the next of these it has; the PDF always has Noto.
CSS_FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"

_RC = {
    "font.family": FONTS,
    "svg.fonttype": "none",
    "svg.hashsalt": "qicai-chart",
    "text.parse_math": False,  # a label with two $ signs is text, not a formula
    "text.usetex": False,
}
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
# rc_context changes the process-wide rcParams while it is open: one rendering at a time per process.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChartTable:
    """The numbers a chart draws, as text formatted like its labels: for a table beside the chart."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString  # markup to put inline (PDF); made from escaped text only
    alt: str  # one sentence that says what the chart shows, for ``alt`` and screen readers
    table: ChartTable
    width: int  # the viewBox's size, for the <img>'s width and height (aspect ratio, no layout shift)
    height: int

    @cached_property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URL for an <img>: no inline markup in pages under a strict CSP."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")


def format_number(value: Decimal) -> str:
    """``1234567`` → ``1,234,567``, ``Decimal("1234.50")`` → ``1,234.50``: the default value label."""
    return f"{value:,f}"


# -- the four kinds ------------------------------------------------------------------------------------


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    unit: str,
    colours: Sequence[str | None] | None = None,
    horizontal: bool = True,
    formatter: Formatter = format_number,
    label_heading: str | None = None,
    value_heading: str | None = None,
) -> Chart:
    """One bar per label, its value at its end; ``colours`` per bar (a category's own), else blue."""
    labels = [str(label) for label in labels]
    numbers = _numbers(values, len(labels))
    if _is_empty(labels, [numbers]):
        return _empty_chart(title)
    texts = [_text(number, formatter) for number in numbers]
    fills = _colours(colours, len(labels), default=BLUE)
    items = [_item(label, text, unit) for label, text in zip(labels, texts, strict=True)]
    spec = _Spec(
        kind="bar" if horizontal else "column",
        title=title,
        unit_line=_unit_line(unit),
        labels=tuple(labels),
        values=(_floats(numbers),),
        texts=(tuple(texts),),
        colours=(tuple(fills),),
        alt=_sentence(title, items),
    )
    headings = [label_heading or gettext("名称"), _with_unit(value_heading or gettext("数值"), unit)]
    rows = [[label, text] for label, text in zip(labels, texts, strict=True)]
    return _chart(spec, ChartTable(headings, rows))


def grouped_bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Number | None]],
    *,
    unit: str,
    colours: Sequence[str | None] | None = None,
    formatter: Formatter = format_number,
    label_heading: str | None = None,
) -> Chart:
    """Per label a bar for each series (e.g. rounds compared, or budget · approved · disbursed)."""
    return _multi_series("grouped", title, labels, series, unit, colours, formatter, label_heading)


def stacked_bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Number | None]],
    *,
    unit: str,
    colours: Sequence[str | None] | None = None,
    formatter: Formatter = format_number,
    label_heading: str | None = None,
) -> Chart:
    """Per label one bar of the series end to end, the total at its end (e.g. projects by status per round).

    A part's value is written inside it where it fits; the table has every part.
    """
    return _multi_series("stacked", title, labels, series, unit, colours, formatter, label_heading)


def donut_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    unit: str,
    colours: Sequence[str | None] | None = None,
    formatter: Formatter = format_number,
    label_heading: str | None = None,
    value_heading: str | None = None,
) -> Chart:
    """Shares of a whole: a ring, the total in its middle, each part's value and percentage in the legend."""
    labels = [str(label) for label in labels]
    numbers = _numbers(values, len(labels))
    if any(number is not None and number < 0 for number in numbers):
        raise ValueError("A donut chart shows shares: its values cannot be negative.")
    if _is_empty(labels, [numbers]):
        return _empty_chart(title)
    texts = [_text(number, formatter) for number in numbers]
    total = sum((number for number in numbers if number is not None), Decimal(0))
    shares = [DASH if number is None else format_ratio(number / total) for number in numbers]
    total_text = formatter(total)
    fills = _colours(colours, len(labels), default=None)
    share_item = gettext("%(label)s %(value)s%(unit)s（%(share)s）")
    items = [
        share_item % {"label": label, "value": text, "unit": "" if text == DASH else unit, "share": share}
        for label, text, share in zip(labels, texts, shares, strict=True)
    ]
    items.append(_item(gettext("合计"), total_text, unit))
    spec = _Spec(
        kind="donut",
        title=title,
        unit_line=_unit_line(unit),
        labels=tuple(labels),
        values=(_floats(numbers),),
        texts=(tuple(texts),),
        colours=(tuple(fills),),
        totals=(total_text,),
        shares=tuple(shares),
        total_label=gettext("合计"),
        alt=_sentence(title, items),
    )
    headings = [
        label_heading or gettext("名称"),
        _with_unit(value_heading or gettext("数值"), unit),
        gettext("占比"),
    ]
    rows = [[label, text, share] for label, text, share in zip(labels, texts, shares, strict=True)]
    rows.append([gettext("合计"), total_text, format_ratio(Decimal(1))])
    return _chart(spec, ChartTable(headings, rows))


def _multi_series(kind, title, labels, series, unit, colours, formatter, label_heading) -> Chart:
    labels = [str(label) for label in labels]
    names = [str(name) for name in series]
    columns = [_numbers(values, len(labels)) for values in series.values()]
    if _is_empty(labels, columns):
        return _empty_chart(title)
    texts = [[_text(number, formatter) for number in numbers] for numbers in columns]
    fills = _colours(colours, len(names), default=None)
    stacked = kind == "stacked"
    totals = []
    if stacked:
        for index in range(len(labels)):
            total = sum((numbers[index] for numbers in columns if numbers[index] is not None), Decimal(0))
            totals.append(formatter(total))
    items = []
    for index, label in enumerate(labels):
        parts = [_item(name, texts[column][index], unit) for column, name in enumerate(names)]
        if stacked:
            parts.append(_item(gettext("合计"), totals[index], unit))
        # Translators: between the values of one label in a chart's text alternative.
        separator = gettext("，")
        items.append(gettext("%(label)s：%(values)s") % {"label": label, "values": separator.join(parts)})
    spec = _Spec(
        kind=kind,
        title=title,
        unit_line=_unit_line(unit),
        labels=tuple(labels),
        series=tuple(names),
        values=tuple(_floats(numbers) for numbers in columns),
        texts=tuple(tuple(column) for column in texts),
        colours=tuple((colour,) * len(labels) for colour in fills),
        totals=tuple(totals),
        alt=_sentence(title, items),
    )
    headings = [label_heading or gettext("名称"), *(_with_unit(name, unit) for name in names)]
    if stacked:
        headings.append(_with_unit(gettext("合计"), unit))
    rows = []
    for index, label in enumerate(labels):
        row = [label, *(column[index] for column in texts)]
        if stacked:
            row.append(totals[index])
        rows.append(row)
    return _chart(spec, ChartTable(headings, rows))


def _empty_chart(title: str) -> Chart:
    message = gettext("暂无数据")
    spec = _Spec(kind="empty", title=title, unit_line="", empty=message, alt=_sentence(title, [message]))
    return _chart(spec, ChartTable())


# -- values and words --------------------------------------------------------------------------------


def _numbers(values: Sequence[Number | None], count: int) -> list[Decimal | None]:
    if len(values) != count:
        raise ValueError(f"{len(values)} values for {count} labels.")
    return [_decimal(value) for value in values]


def _decimal(value: Number | None) -> Decimal | None:
    """Money is Decimal, counts int; a float is taken as written (``0.1`` is ``Decimal("0.1")``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"A chart's value must be a number, not {value!r}.")
    number = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    if not number.is_finite():
        raise ValueError(f"A chart's value must be finite, not {value!r}.")
    return number + 0  # no negative zero (-0 + 0 is 0)


def _floats(numbers: list[Decimal | None]) -> tuple[float | None, ...]:
    return tuple(None if number is None else float(number) for number in numbers)


def _text(number: Decimal | None, formatter: Formatter) -> str:
    return DASH if number is None else formatter(number)


def _is_empty(labels: list[str], columns: list[list[Decimal | None]]) -> bool:
    return not labels or not columns or all(not number for numbers in columns for number in numbers)


def _unit_line(unit: str) -> str:
    return gettext("单位：%(unit)s") % {"unit": unit} if unit else ""


def _with_unit(heading: str, unit: str) -> str:
    return gettext("%(heading)s（%(unit)s）") % {"heading": heading, "unit": unit} if unit else heading


def _item(label: str, text: str, unit: str) -> str:
    unit = "" if text == DASH else unit
    return gettext("%(label)s %(value)s%(unit)s") % {"label": label, "value": text, "unit": unit}


def _sentence(title: str, items: list[str]) -> str:
    # Translators: between the labels of a chart in its text alternative.
    separator = gettext("；")
    return gettext("%(title)s：%(items)s。") % {"title": title, "items": separator.join(items)}


_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def _colours(colours: Sequence[str | None] | None, count: int, *, default: str | None) -> list[str]:
    """One colour per bar or series: the given ones, else (``None`` or none given) ``default``, or without
    one the series palette's colours in turn, skipping those given."""
    given = [None if colour is None else str(colour).upper() for colour in colours or []]
    if len(given) > count:
        raise ValueError(f"{len(given)} colours for {count} bars or series.")
    for colour in given:
        if colour is not None and not _HEX.fullmatch(colour):
            raise ValueError(f"A chart colour is #RRGGBB, not {colour!r}.")
    palette = [colour for colour in SERIES_COLOURS if colour not in given] or list(SERIES_COLOURS)
    unused = iter(palette * count)
    given += [None] * (count - len(given))
    return [colour or default or next(unused) for colour in given]


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _edge(colour: str) -> str:
    """A darker outline for a fill too light to stand out on white (WCAG's 3:1 for graphics): yellow, orange."""
    if _contrast(colour, "#FFFFFF") >= 3:
        return colour
    r, g, b = (int(int(colour[i : i + 2], 16) * 0.65) for i in (1, 3, 5))
    return f"#{r:02X}{g:02X}{b:02X}"


def _ink_on(colour: str) -> str:
    return "#FFFFFF" if _contrast(colour, "#FFFFFF") >= _contrast(colour, TEXT) else TEXT


# -- text measure and wrapping (Noto Sans CJK's advances, rounded up) --------------------------------


def _advance(char: str) -> float:
    if unicodedata.east_asian_width(char) in "WFA":
        return 1.0
    if char == " ":
        return 0.25
    if char in "%@MWmw":
        return 0.95
    if char.isupper():
        return 0.66
    return 0.58


def _text_width(text: str, size: float) -> float:
    return sum(_advance(char) for char in text) * size


_TOKEN = re.compile(r"[A-Za-z0-9.,:%+\-]+|\s+|.", re.DOTALL)
_NO_LINE_START = set("，。、；：？！）》」』】”’·.,;:!?)%")


def _wrap(text: str, width: float, size: float, max_lines: int) -> tuple[str, ...]:
    """``text`` in lines at most ``width`` wide and as even as they come (no lone character on a last line);
    past ``max_lines`` the last line ends with an ellipsis."""
    lines = _fill(text, width, size)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _text_width(last + "…", size) > width:
            last = last[:-1]
        return (*lines[: max_lines - 1], last.rstrip() + "…")
    if len(lines) > 1:  # the narrowest width that needs no more lines
        narrower = _text_width(text, size) / len(lines)
        while narrower < width:
            trial = _fill(text, narrower, size)
            if len(trial) <= len(lines):
                return trial
            narrower += size / 2
    return lines


def _fill(text: str, width: float, size: float) -> tuple[str, ...]:
    """Greedy lines: Latin words and numbers kept whole where they fit, closing punctuation hung at the end
    of a line rather than starting one."""
    pieces: list[str] = []
    for token in _TOKEN.findall(" ".join(text.split())):
        pieces.extend([token] if _text_width(token, size) <= width else token)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        fits = _text_width(line + piece, size) <= width
        if not line or fits or (piece[0] in _NO_LINE_START and _text_width(line + piece, size) <= width + size):
            line += piece
        else:
            lines.append(line.rstrip())
            line = piece.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return tuple(lines) or ("",)


# -- the spec: everything drawn, hashed for the cache -----------------------------------------------


@dataclass(frozen=True)
class _Spec:
    kind: str  # "bar" | "column" | "grouped" | "stacked" | "donut" | "empty"
    title: str
    unit_line: str
    labels: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    values: tuple[tuple[float | None, ...], ...] = ()  # per series, per label
    texts: tuple[tuple[str, ...], ...] = ()  # the value labels, as values
    colours: tuple[tuple[str, ...], ...] = ()  # per series, per label
    totals: tuple[str, ...] = ()  # stacked: per label; donut: the whole
    shares: tuple[str, ...] = ()
    total_label: str = ""
    empty: str = ""
    alt: str = ""
    width: int = WIDTH

    def key(self) -> str:
        payload = json.dumps(
            [DRAWING_VERSION, matplotlib.__version__, asdict(self)], ensure_ascii=False, sort_keys=True
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def _chart(spec: _Spec, table: ChartTable) -> Chart:
    key = spec.key()
    layout = _layout(spec)
    svg = cache.get(CACHE_PREFIX + key)
    if svg is None:
        svg = _finish(_render(spec, layout), spec, f"chart-{key[:12]}")
        cache.set(CACHE_PREFIX + key, svg, CACHE_SECONDS)
    return Chart(spec.title, mark_safe(svg), spec.alt, table, spec.width, layout.height)


# -- layout: every position in px from the top left, computed before drawing ------------------------


@dataclass
class _Layout:
    height: int = 0
    title_lines: tuple[str, ...] = ()
    legend: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, name, colour
    body_top: float = 0
    label_lines: list[tuple[str, ...]] = field(default_factory=list)
    label_right: float = 0
    plot_left: float = 0
    plot_right: float = 0
    row: float = 0  # horizontal bars: a label's row; columns: the plot's height
    bar: float = 0  # a bar's thickness
    value_room: float = 0  # room for the value labels beyond the bars' ends
    rotate_values: bool = False  # columns too narrow for their value labels
    share_right: float = 0  # donut: the legend's share column (its value column ends at label_right)


def _layout(spec: _Spec) -> _Layout:
    layout = _Layout()
    layout.title_lines = _wrap(spec.title, spec.width - 2 * PAD, TITLE_SIZE, 2)
    y = PAD + len(layout.title_lines) * TITLE_LINE
    if spec.unit_line:
        y += SMALL_LINE
    if spec.kind in ("grouped", "stacked"):
        x, y = PAD, y + 4
        for name, colour in zip(spec.series, (colours[0] for colours in spec.colours), strict=True):
            name = _wrap(name, spec.width - 2 * PAD - 18, SMALL_SIZE, 1)[0]
            item = 18 + _text_width(name, SMALL_SIZE)
            if x > PAD and x + item > spec.width - PAD:
                x, y = PAD, y + SMALL_LINE + 2
            layout.legend.append((x, y + SMALL_LINE / 2, name, colour))
            x += item + 20
        y += SMALL_LINE + 2
    layout.body_top = y + 10
    value_width = max((_text_width(text, SMALL_SIZE) for texts in spec.texts for text in texts), default=0)
    value_width = max([value_width, *(_text_width(text, SMALL_SIZE) for text in spec.totals)])
    layout.value_room = value_width + VALUE_GAP + 4
    count = len(spec.labels)
    if spec.kind in ("bar", "grouped", "stacked"):
        layout.label_lines = [_wrap(label, LABEL_COLUMN, LABEL_SIZE, 2) for label in spec.labels]
        label_width = max(_text_width(line, LABEL_SIZE) for lines in layout.label_lines for line in lines)
        layout.label_right = PAD + label_width
        layout.plot_left = layout.label_right + 12
        layout.plot_right = spec.width - PAD
        lines = max(len(lines) for lines in layout.label_lines)
        layout.bar = {"bar": 22, "grouped": 15, "stacked": 24}[spec.kind]
        bars = len(spec.series) * (layout.bar + 3) - 3 if spec.kind == "grouped" else layout.bar
        layout.row = max(bars + 14, lines * LABEL_LINE + 12)
        body = count * layout.row
    elif spec.kind == "column":
        layout.plot_left, layout.plot_right = PAD, spec.width - PAD
        slot = (layout.plot_right - layout.plot_left) / count
        layout.bar = min(slot * 0.6, 64)
        layout.rotate_values = value_width > slot - 4
        layout.value_room = (value_width if layout.rotate_values else SMALL_LINE) + VALUE_GAP + 4
        layout.label_lines = [_wrap(label, slot - 6, LABEL_SIZE, 3) for label in spec.labels]
        layout.row = 220 + layout.value_room
        body = layout.row + 8 + max(len(lines) for lines in layout.label_lines) * LABEL_LINE
    elif spec.kind == "donut":
        layout.plot_left = PAD + 4
        layout.plot_right = legend_left = layout.plot_left + DONUT + 36
        share_width = max(_text_width(share, SMALL_SIZE) for share in spec.shares)
        label_width = spec.width - PAD - share_width - 16 - value_width - 24 - (legend_left + 20)
        layout.label_lines = [_wrap(label, label_width, LABEL_SIZE, 2) for label in spec.labels]
        label_width = max(_text_width(line, LABEL_SIZE) for lines in layout.label_lines for line in lines)
        # the legend's columns: label, value, share, close enough together for the eye to follow a line
        layout.label_right = legend_left + 20 + label_width + 24 + value_width
        layout.share_right = layout.label_right + 16 + share_width
        entries = sum(len(lines) * LABEL_LINE + 8 for lines in layout.label_lines)
        body = max(DONUT + 8, entries)
    else:
        body = 64
    layout.height = round(layout.body_top + body + PAD)
    return layout


# -- drawing -----------------------------------------------------------------------------------------


def _render(spec: _Spec, layout: _Layout) -> str:
    """The SVG as matplotlib writes it (50–100 ms): cached by ``_chart``."""
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(spec.width / DPI, layout.height / DPI), dpi=DPI, facecolor="#FFFFFF")
        page = _Page(figure, spec.width, layout.height)
        _draw_header(page, spec, layout)
        {
            "bar": _draw_bars,
            "grouped": _draw_bars,
            "stacked": _draw_stacked,
            "column": _draw_columns,
            "donut": _draw_donut,
            "empty": _draw_empty,
        }[spec.kind](page, spec, layout)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA, facecolor="#FFFFFF")
    return buffer.getvalue()


class _Page:
    """Figure coordinates in px from the top left (matplotlib's are fractions from the bottom left)."""

    def __init__(self, figure: Figure, width: float, height: float):
        self.figure, self.width, self.height = figure, width, height

    def text(self, x, y, text, *, size=LABEL_SIZE, colour=TEXT, weight="normal", ha="left"):
        self.figure.text(
            x / self.width,
            1 - y / self.height,
            text,
            fontsize=size,
            color=colour,
            fontweight=weight,
            ha=ha,
            va="center",
        )

    def rect(self, x, y, width, height, colour):
        self.figure.patches.append(
            Rectangle(
                (x / self.width, 1 - (y + height) / self.height),
                width / self.width,
                height / self.height,
                transform=self.figure.transFigure,
                facecolor=colour,
                edgecolor=_edge(colour),
                linewidth=1,
            )
        )

    def axes(self, left, top, width, height):
        axes = self.figure.add_axes(
            (left / self.width, 1 - (top + height) / self.height, width / self.width, height / self.height)
        )
        axes.set_axis_off()
        return axes


def _draw_header(page: _Page, spec: _Spec, layout: _Layout) -> None:
    y = PAD + TITLE_LINE / 2
    for line in layout.title_lines:
        page.text(PAD, y, line, size=TITLE_SIZE, weight="bold")
        y += TITLE_LINE
    if spec.unit_line:
        page.text(PAD, y - TITLE_LINE / 2 + SMALL_LINE / 2, spec.unit_line, size=SMALL_SIZE, colour=MUTED)
    for x, y, name, colour in layout.legend:
        page.rect(x, y - 6, 12, 12, colour)
        page.text(x + 18, y, name, size=SMALL_SIZE)


def _draw_label(page: _Page, x: float, centre: float, lines: tuple[str, ...], ha: str) -> None:
    top = centre - (len(lines) - 1) * LABEL_LINE / 2
    for number, line in enumerate(lines):
        page.text(x, top + number * LABEL_LINE, line, ha=ha)


def _limits(low: float, high: float, span_px: float, room: float) -> tuple[float, float]:
    """Data limits that leave ``room`` px beyond the longest bars on either side for their value labels."""
    low, high = min(low, 0.0), max(high, 0.0)
    before, after = (room if low < 0 else 0.0), (room if high > 0 else 0.0)
    scale = (high - low) / max(span_px - before - after, 1.0) or 1.0
    return low - before * scale, high + after * scale


def _value_label(axes, x, y, text, *, negative, horizontal=True, rotate=False):
    """``text`` just beyond a bar's end at (``x``, ``y``): right of it, left of a negative one; above a column."""
    offset = -VALUE_GAP if negative else VALUE_GAP
    if horizontal:
        position = {"xytext": (offset, 0), "ha": "right" if negative else "left", "va": "center"}
    elif rotate:  # read bottom to top, as the columns are too narrow for the labels
        position = {"xytext": (0, offset), "ha": "right" if negative else "left", "va": "center", "rotation": 90}
        position["rotation_mode"] = "anchor"
    else:
        position = {"xytext": (0, offset), "ha": "center", "va": "top" if negative else "bottom"}
    axes.annotate(
        text, (x, y), textcoords="offset points", fontsize=SMALL_SIZE, color=TEXT, annotation_clip=False, **position
    )


def _row_axes(page: _Page, spec: _Spec, layout: _Layout, low: float, high: float):
    """The plot of horizontal bars, a row per label (y is the label's index, top down), labels to its left;
    returns it and its data units per px."""
    count = len(spec.labels)
    width_px = layout.plot_right - layout.plot_left
    axes = page.axes(layout.plot_left, layout.body_top, width_px, count * layout.row)
    axes.set_ylim(count - 0.5, -0.5)
    low, high = _limits(low, high, width_px, layout.value_room)
    axes.set_xlim(low, high)
    axes.axvline(0, color=MUTED, linewidth=1, zorder=3)
    for index, lines in enumerate(layout.label_lines):
        _draw_label(page, layout.label_right, layout.body_top + (index + 0.5) * layout.row, lines, "right")
    return axes, (high - low) / width_px


def _draw_bars(page: _Page, spec: _Spec, layout: _Layout) -> None:
    """Horizontal bars, one row per label, a bar per series in it."""
    numbers = [value or 0.0 for values in spec.values for value in values]
    axes, _scale = _row_axes(page, spec, layout, min(numbers), max(numbers))
    thickness, step = layout.bar / layout.row, (layout.bar + 3) / layout.row
    for column, values in enumerate(spec.values):
        offset = (column - (len(spec.values) - 1) / 2) * step
        for index, value in enumerate(values):
            if value is None:
                _value_label(axes, 0, index + offset, DASH, negative=False)
                continue
            colour = spec.colours[column][index]
            axes.barh(index + offset, value, thickness, color=colour, edgecolor=_edge(colour), linewidth=1)
            _value_label(axes, value, index + offset, spec.texts[column][index], negative=value < 0)


def _draw_stacked(page: _Page, spec: _Spec, layout: _Layout) -> None:
    """Horizontal bars, one row per label, the series end to end: positive parts rightwards, negative ones
    leftwards; each part's value inside it where it fits, the total at the end."""
    ends = [_stack_ends([values[index] for values in spec.values]) for index in range(len(spec.labels))]
    axes, scale = _row_axes(page, spec, layout, min(end[0] for end in ends), max(end[1] for end in ends))
    thickness = layout.bar / layout.row
    for index, (low_end, high_end) in enumerate(ends):
        reached = {True: 0.0, False: 0.0}  # how far the positive and the negative stack have grown
        for column, values in enumerate(spec.values):
            value = values[index]
            if not value:
                continue
            colour = spec.colours[column][index]
            start = reached[value > 0]
            reached[value > 0] = start + value
            axes.barh(index, value, thickness, left=start, color=colour, edgecolor=_edge(colour), linewidth=1)
            text = spec.texts[column][index]
            if _text_width(text, SMALL_SIZE) + 8 <= abs(value) / scale:
                axes.text(
                    start + value / 2, index, text, ha="center", va="center", fontsize=SMALL_SIZE, color=_ink_on(colour)
                )
        negative = low_end + high_end < 0  # a total below zero is written at the negative stack's end
        _value_label(axes, low_end if negative else high_end, index, spec.totals[index], negative=negative)


def _stack_ends(values: list[float | None]) -> tuple[float, float]:
    return sum(value for value in values if value and value < 0), sum(value for value in values if value and value > 0)


def _draw_columns(page: _Page, spec: _Spec, layout: _Layout) -> None:
    """Vertical bars (one series), their labels under them."""
    count = len(spec.labels)
    width_px = layout.plot_right - layout.plot_left
    axes = page.axes(layout.plot_left, layout.body_top, width_px, layout.row)
    axes.set_xlim(-0.5, count - 0.5)
    values = spec.values[0]
    numbers = [value or 0.0 for value in values]
    axes.set_ylim(*_limits(min(numbers), max(numbers), layout.row, layout.value_room))
    axes.axhline(0, color=MUTED, linewidth=1, zorder=3)
    slot = width_px / count
    for index, value in enumerate(values):
        colour = spec.colours[0][index]
        if value is not None:
            axes.bar(index, value, layout.bar / slot, color=colour, edgecolor=_edge(colour), linewidth=1)
        end = value or 0.0
        text = spec.texts[0][index]
        _value_label(axes, index, end, text, negative=end < 0, horizontal=False, rotate=layout.rotate_values)
    top = layout.body_top + layout.row + 8 + LABEL_LINE / 2
    for index, lines in enumerate(layout.label_lines):
        for number, line in enumerate(lines):
            page.text(layout.plot_left + (index + 0.5) * slot, top + number * LABEL_LINE, line, ha="center")


def _draw_donut(page: _Page, spec: _Spec, layout: _Layout) -> None:
    size = DONUT
    axes = page.axes(layout.plot_left, layout.body_top + 4, size, size)
    values = [value or 0.0 for value in spec.values[0]]
    shown = [(value, colour) for value, colour in zip(values, spec.colours[0], strict=True) if value > 0]
    axes.pie(
        [value for value, _colour in shown],
        colors=[colour for _value, colour in shown],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.36, "edgecolor": "#FFFFFF", "linewidth": 1.5},
    )
    axes.set_aspect("equal")
    centre_x, centre_y = layout.plot_left + size / 2, layout.body_top + 4 + size / 2
    page.text(centre_x, centre_y - 12, spec.total_label, size=SMALL_SIZE, colour=MUTED, ha="center")
    page.text(centre_x, centre_y + 9, spec.totals[0], size=LABEL_SIZE + 2, weight="bold", ha="center")
    y = layout.body_top + 4
    for index, lines in enumerate(layout.label_lines):
        first = y + LABEL_LINE / 2
        page.rect(layout.plot_right, first - 6, 12, 12, spec.colours[0][index])
        _draw_label(page, layout.plot_right + 20, first + (len(lines) - 1) * LABEL_LINE / 2, lines, "left")
        page.text(layout.label_right, first, spec.texts[0][index], size=SMALL_SIZE, ha="right")
        page.text(layout.share_right, first, spec.shares[index], size=SMALL_SIZE, colour=MUTED, ha="right")
        y += len(lines) * LABEL_LINE + 8


def _draw_empty(page: _Page, spec: _Spec, layout: _Layout) -> None:
    page.text(spec.width / 2, layout.body_top + 28, spec.empty, size=LABEL_SIZE, colour=MUTED, ha="center")


# -- the markup: embeddable, responsive, labelled ----------------------------------------------------

_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_GROUP_ID = re.compile(r'<g id="[^"]*">')
_NO_ROTATION = re.compile(r' transform="rotate\(-0 [^"]*\)"')
_FONT = re.compile(r"font-family: 'Noto Sans CJK SC'")


def _finish(raw: str, spec: _Spec, uid: str) -> str:
    """matplotlib's SVG without its prolog, DOCTYPE and fixed size, with a title and a description, and
    without ids that would clash between charts on one page (matplotlib's own ``<g id="text_1">``)."""
    svg = raw[raw.index("<svg") :]
    view_box = _VIEWBOX.search(svg).group(1)
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'viewBox="{view_box}" role="img" aria-labelledby="{uid}-title" aria-describedby="{uid}-desc">'
        f'<title id="{uid}-title">{escape(spec.title)}</title><desc id="{uid}-desc">{escape(spec.alt)}</desc>'
    )
    svg = _ROOT.sub(lambda _match: root, svg, count=1)
    svg = _GROUP_ID.sub("<g>", svg)
    svg = _NO_ROTATION.sub("", svg)
    svg = _FONT.sub(f"font-family: {CSS_FONTS}", svg)
    return svg.strip() + "\n"
