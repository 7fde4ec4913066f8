"""What the hostile-input tests share: nasty values, reading a page's forms, counting every table's rows."""

import contextlib
import html
import io
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import strategies as st
from PIL import Image

# -- values --------------------------------------------------------------------------------------------------

# Text hand-picked to break parsers, queries and templates. Surrogates cannot be encoded, so they never reach a
# server from a browser: they are left out (st.characters excludes category Cs below).
NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\u202etxt.exe",
    "\ufeff",
    "％",
    "%",
    "_",
    "%_%",
    "\\",
    "'",
    '"',
    "' OR 1=1 --",
    "'; DROP TABLE projects_project; --",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "{{ 7*7 }}",
    "{% debug %}",
    "=CMD|' /C calc'!A0",
    "+1+1",
    "@SUM(1)",
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "-1e309",
    "1e-400",
    "0",
    "-0",
    "-1",
    "00001",
    "9" * 40,
    "-" + "9" * 40,
    "1" + "0" * 400,
    "0x10",
    "1_000",
    "１２３",
    "一百",
    "1,000.50",
    "¥1,000",
    "12.345678901234567890",
    "2013-02-30",
    "2013-13-01",
    "9999-99-99",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2013-02-28T25:61",
    "2013/2/30",
    "2013年2月30日",
    "30/02/2013",
    "true",
    "on",
    "None",
    "null",
    "[]",
    "{}",
    "x" * 5000,
    "中" * 1000,
    "🧨" * 50,
]

# Any text a browser could send: every character except surrogates (unencodable) — NUL and controls included.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
dates = st.one_of(
    st.dates().map(str),
    st.tuples(st.integers(-1, 10001), st.integers(-1, 99), st.integers(-1, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
)
hostile_text = st.one_of(st.sampled_from(NASTY_TEXT), any_text, numbers, dates)


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG")
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# Hostile files, each with a name that lies about it: by content they are SVG, HTML, or a polyglot.
HOSTILE_FILES = [
    ("drawing.svg", SVG),
    ("scan.pdf", SVG),
    ("scan.pdf", HTML),
    ("photo.png", HTML),
    ("photo.jpg", b"\xef\xbb\xbf" + HTML),
    ("scan.pdf", b"   %PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF"),  # PDF magic not at the start
    ("scan.pdf", b"<html>%PDF-1.4 %%EOF</html>"),
    ("GIFAR.gif", b"GIF89a/*<svg onload=alert(1)>*/=1;"),
    ("p.png", png_bytes() + HTML),  # a PNG with HTML appended (a polyglot): fine as a PNG, served as one
    ("empty.pdf", b""),
    ("x.xlsx", b"PK\x03\x04" + b"\x00" * 60),
]


@st.composite
def uploads(draw):
    """A file a user could upload: a hostile one, random bytes, or a real small image, under a hostile name."""
    name = draw(st.one_of(st.sampled_from(["a.pdf", "b.png", "c.jpg", "d.xlsx", "e.csv"]), any_text.filter(bool)))
    content = draw(
        st.one_of(
            st.sampled_from([content for _, content in HOSTILE_FILES]),
            st.binary(max_size=2000),
            st.just(png_bytes()),
            st.just(jpeg_bytes()),
        )
    )
    return SimpleUploadedFile(safe_multipart_name(name), content)


def safe_multipart_name(name: str) -> str:
    """A name the test client can put in a multipart header (it cannot carry CR, LF or NUL; browsers drop them)."""
    cleaned = name.replace("\r", "").replace("\n", "").replace("\x00", "").replace('"', "")
    return cleaned or "file"


# -- forms ---------------------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, file, hidden, number, date, submit …
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def defaults(self) -> dict[str, list[str]]:
        """What a browser posts when the user only clicks the submit button."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("submit", "button", "reset", "image", "file"):
                continue
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind == "select":
                data.setdefault(f.name, []).append(f.value if f.value else (f.options[0] if f.options else ""))
                continue
            data.setdefault(f.name, []).append(f.value)
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), a.get("enctype", "")))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            form.fields.append(Field(a["name"], kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button" and a.get("name"):
            form.fields.append(Field(a["name"], "submit", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select")
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea")
            form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(body: str, page_url: str) -> list[Form]:
    """The page's POST forms, each with its action made absolute (an empty action posts to the page itself)."""
    parser = _FormParser()
    parser.feed(body)
    forms = []
    for form in parser.forms:
        if form.method != "post":
            continue
        action = html.unescape(form.action) or page_url
        if action.startswith("?"):
            action = page_url.split("?")[0] + action
        form.action = action
        forms.append(form)
    return forms


# -- the database --------------------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """The number of rows of every table (audit entries and history included): a cheap fingerprint.

    The access log (a refusal, a download, a case read: ``projects.audit.ACCESS_LOG``) is what a refused request
    is meant to leave behind, so it is left out of the audit trail's count."""
    from projects.audit import ACCESS_LOG
    from projects.models import AuditEntry

    counts = {model._meta.label: model._default_manager.using("default").count() for model in apps.get_models()}
    counts[AuditEntry._meta.label] = AuditEntry.objects.exclude(action__in=ACCESS_LOG).count()
    return counts


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {label: (before[label], after[label]) for label in before if before[label] != after[label]}


@contextlib.contextmanager
def rolled_back():
    """Run one example in a savepoint that is always rolled back: the next example starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def is_refusal(response) -> bool:
    """The request was turned down: a 4xx, a form shown again with its errors, or a redirect with an error."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode(errors="replace")
        return 'class="errornote' in body or 'class="errorlist' in body
    if response.status_code in (301, 302, 303):
        # Only the messages this request added: earlier ones wait in the cookie for a page nobody loaded.
        queued = getattr(get_messages(response.wsgi_request), "_queued_messages", [])
        return any(m.level >= message_levels.ERROR for m in queued)
    return False


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()
