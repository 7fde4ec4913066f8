"""Printed documents: a Django template rendered to PDF by WeasyPrint, A4, Chinese fonts embedded and subset.

Every printed document (the dossier, the agreement, the score sheet, the certificates, the annual report)
is made the same way:

1. **A template** extending ``print/base.html``, which fills ``{% block content %}`` (and, if it needs
   them, ``head`` for a ``<style>`` of its own and ``body_class``). The base brings
   ``static/qicai/print.css``: A4 with margins; a running header with the programme's name and district on
   the left and the document's ``title`` on the right; the footer ``第 X 页 / 共 Y 页``; Noto Serif CJK SC
   for text and Noto Sans CJK SC for headings and tables, set on ``html`` so that the page-margin boxes
   (header, footer) get them too; and the document's classes (``doc-title``, ``facts``, ``table.grid``,
   ``signatures`` …). A page of its own design (a certificate) replaces ``{% block stylesheets %}``
   (``print-certificates.css``) and ``{% block running_header %}``: fewer rules make WeasyPrint's cascade
   cheaper. Print templates live in ``templates/print/``.
2. **A context** read from the read functions (``projects.selectors``, ``qicai.summaries``, the
   ``visible_to`` querysets) and shown through the filters of ``projects.formatting`` (``cny``, ``yuan``,
   ``wan``, ``capitals``, ``day``): a document never computes a figure of its own, so the paper says what
   the screen says.
3. **The call**: ``render_pdf("print/x.html", context, title=…)`` returns the PDF's bytes and
   ``pdf_response(pdf, "2013年度七彩工程总结报告.pdf")`` the download with its Chinese name
   (``Content-Disposition`` from ``projects.tabular.writing.content_disposition``, RFC 5987).
   ``render_document`` returns WeasyPrint's ``Document`` instead (its ``pages`` for a page count; then
   ``write_pdf``, drop the document and ``release_memory``). Both take ``progress``, called with the
   number of pages laid out so far, for a status page. A document that takes longer than a web request
   is generated in the background and kept: ``qicai.documents.generated``.

Only local resources are read: ``StaticFilesFetcher`` serves ``{% static %}`` URLs and files inside the
static folders (``STATIC_ROOT``, ``STATICFILES_DIRS``) and ``data:`` URLs; it refuses every network URL
(http, https, ftp …) and every other file, so nothing in a template — nor text a user typed into one —
makes the server fetch a URL or read a file. Fonts come from the system (Debian's ``fonts-noto-cjk``,
found by fontconfig), so nothing is fetched for them. Fonts are always subset: never ``full_fonts``
(a one-page PDF would weigh ~47 MB).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import mimetypes
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from weasyprint import HTML, PROGRESS_LOGGER, Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from projects.tabular.writing import content_disposition

PDF_CONTENT_TYPE = "application/pdf"
# Subset fonts, no hinting, images re-encoded without loss: small files (a page of Chinese text: ~60 KB).
PDF_OPTIONS = {"full_fonts": False, "hinting": False, "optimize_images": True, "uncompressed_pdf": False}
# Relative URLs resolve against nothing useful: a template names its resources with {% static %}.
BASE_URL = "file:///"


# WeasyPrint reports every page it lays out on its progress logger: ``layout_progress`` listens there, and
# the lines stay out of the server's log (one per page of every document).
PROGRESS_LOGGER.setLevel(logging.INFO)
PROGRESS_LOGGER.propagate = False


class RefusedURL(ValueError):
    """A resource the fetcher will not read: a network URL, or a file outside the static folders."""


def static_roots() -> list[Path]:
    """The folders a printed document may read files from: ``STATIC_ROOT`` and ``STATICFILES_DIRS``."""
    roots = [settings.STATIC_ROOT] if settings.STATIC_ROOT else []
    for entry in settings.STATICFILES_DIRS:
        roots.append(entry[1] if isinstance(entry, list | tuple) else entry)
    return [Path(root).resolve() for root in roots]


def static_file(url: str) -> Path:
    """The file a ``file:`` URL names, if it lies inside a static folder; ``RefusedURL`` otherwise.

    ``file:///static/qicai/print.css`` (what ``{% static %}`` gives, resolved against ``BASE_URL``) is
    looked up under ``STATIC_URL`` in each static folder (``STATIC_ROOT`` first: in production it holds
    the hashed names); any other path must itself lie inside one. Symbolic links and ``..`` are resolved
    before the check.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(url)
    path = url2pathname(unquote(parts.path))
    roots = static_roots()
    static_prefix = "/" + urlsplit(settings.STATIC_URL).path.strip("/") + "/"
    if path.startswith(static_prefix):
        relative = path.removeprefix(static_prefix)
        candidates = [root / relative for root in roots]
    else:
        candidates = [Path(path)]
    for candidate in candidates:
        resolved = candidate.resolve()
        if any(resolved.is_relative_to(root) for root in roots) and resolved.is_file():
            return resolved
    raise RefusedURL(url)


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for printed documents: static files and ``data:`` URLs, nothing else.

    WeasyPrint 70 takes a ``URLFetcher`` subclass whose ``fetch(url, headers=None)`` returns a
    ``URLFetcherResponse``; a refusal raises, which WeasyPrint logs and renders without the resource.
    """

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedURL(url)
        path = static_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def page_counter_content() -> str:
    """The footer's CSS ``content`` in the active language: ``"第 " counter(page) " 页 / 共 " counter(pages) " 页"``."""
    pattern = gettext("第 {page} 页 / 共 {pages} 页")
    css = []
    for piece in pattern.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            css.append(f"counter({piece})")
        elif piece:
            css.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(css)


def print_context(title: str) -> dict:
    """What ``print/base.html`` shows on every page: the programme, the district, the title, the footer."""
    return {
        "title": title,
        "programme": gettext("七彩工程"),
        "district": settings.QICAI_DISTRICT,
        "page_counter": page_counter_content(),
        "printed_at": timezone.localtime(),
    }


def render_html(template_name: str, context: dict, *, title: str) -> str:
    """The document's HTML (what WeasyPrint lays out; also handy to look at in a test)."""
    return render_to_string(template_name, {**context, **print_context(title)})


class _PageCounter(logging.Handler):
    """Counts the pages WeasyPrint lays out in this thread (its progress logger is shared by every thread)."""

    def __init__(self, progress: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.progress = progress
        self.thread = threading.get_ident()

    def emit(self, record):
        message = record.msg if isinstance(record.msg, str) else ""
        if record.thread == self.thread and message.startswith("Step 5 - Creating layout - Page %d"):
            self.progress(int(record.args[0]))


@contextlib.contextmanager
def layout_progress(progress: Callable[[int], None] | None):
    """While rendering, call ``progress(pages)`` as each page is laid out (a page laid out again after a
    repagination reports its number again)."""
    if progress is None:
        yield
        return
    handler = _PageCounter(progress)
    PROGRESS_LOGGER.addHandler(handler)
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)


def render_document(
    template_name: str, context: dict, *, title: str, progress: Callable[[int], None] | None = None
) -> Document:
    """The laid-out document (``.pages`` for a page count; ``write_pdf`` for the file)."""
    html = render_html(template_name, context, title=title)
    with layout_progress(progress):
        return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render()


def write_pdf(document: Document, target=None) -> bytes | None:
    """The PDF of a laid-out document, fonts subset: bytes, or written to ``target`` (a path or file)."""
    return document.write_pdf(target, **PDF_OPTIONS)


def release_memory() -> None:
    """Free what the last laid-out document held: call it once the PDF is written and the document dropped.

    WeasyPrint's documents keep their fonts in reference cycles (about 70 MB with four CJK faces) that only
    a full garbage collection frees; without one a long-lived worker grows by that much with every PDF
    until Python gets round to it (measured: 200 MB → 700 MB over eight documents)."""
    gc.collect()


def render_pdf(
    template_name: str, context: dict, *, title: str, progress: Callable[[int], None] | None = None
) -> bytes:
    """Render ``template_name`` (extending ``print/base.html``) with ``context`` to a PDF's bytes."""
    document = render_document(template_name, context, title=title, progress=progress)
    try:
        return write_pdf(document)
    finally:
        del document
        release_memory()


def pdf_filename(name: str) -> str:
    """``2013年度七彩工程总结报告`` → ``2013年度七彩工程总结报告.pdf`` (the header escapes what must be)."""
    return f"{name}.pdf"


def _download_headers(response, filename: str) -> None:
    response["Content-Disposition"] = content_disposition(filename, fallback_stem="document")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF as a download named ``filename`` (Chinese welcome), never cached by a shared proxy."""
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    _download_headers(response, filename)
    return response


def pdf_file_response(handle, filename: str) -> FileResponse:
    """A stored PDF (an open file) as the same download, streamed."""
    response = FileResponse(handle, content_type=PDF_CONTENT_TYPE)
    _download_headers(response, filename)
    return response
