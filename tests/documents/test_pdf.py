"""The PDF machinery (qicai.pdf): local resources only, Chinese fonts embedded and subset, the running
header and the page count, the download's Chinese name."""

import base64
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.template import engines
from django.utils import translation
from weasyprint.urls import URLFetcherResponse

from qicai import pdf
from tests.documents import pdfs

STATIC_DIR = settings.STATICFILES_DIRS[0]
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2"
        "2a2e3f0000000049454e44ae426082"
    )
).decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/print.css",
        "ftp://example.com/font.otf",
        "HTTP://EXAMPLE.COM/x.png",
        "//example.com/x.png",
        "file:///etc/passwd",
        "file://example.com/static/qicai/print.css",  # a file URL naming another host
        "file:///static/../../../../../etc/passwd",
        f"file://{STATIC_DIR}/../README.md",  # beside the static folder, not in it
        f"file://{settings.BASE_DIR}/qicai/settings.py",
        "file:///static/qicai/missing.css",
        "gopher://example.com/",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_the_network_and_files_outside_the_static_folders(url):
    with pytest.raises((pdf.RefusedURL, ValueError)):
        pdf.StaticFilesFetcher().fetch(url)


def test_the_fetcher_refuses_a_link_out_of_the_static_folder(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    (static / "escape.txt").symlink_to("/etc/hostname")
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = str(tmp_path / "collected")
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticFilesFetcher().fetch("file:///static/escape.txt")


def test_the_fetcher_serves_static_files_and_data_urls():
    response = pdf.StaticFilesFetcher().fetch("file:///static/qicai/print.css")
    assert isinstance(response, URLFetcherResponse)
    assert b"@page" in response.read() and response.content_type == "text/css"
    direct = pdf.StaticFilesFetcher().fetch(f"file://{STATIC_DIR}/qicai/print.css")
    assert b"@page" in direct.read()
    image = pdf.StaticFilesFetcher().fetch(f"data:image/png;base64,{PNG}")
    assert image.read().startswith(b"\x89PNG")


def test_rendering_never_fetches_what_the_fetcher_refuses(monkeypatch):
    """A template naming a network image and a private file still renders, without them."""
    fetched = []
    original = pdf.StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticFilesFetcher, "fetch", spy)
    monkeypatch.setattr("urllib.request.OpenerDirector.open", lambda *args, **kwargs: pytest.fail("a URL was opened"))
    source = (
        '{% extends "print/base.html" %}{% block content %}<p>外部资源</p>'
        '<img src="http://192.0.2.1/x.png"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">{% endblock %}'
    )
    template = engines["django"].from_string(source)
    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: template.render(context))
    data = pdf.render_pdf("inline", {}, title="外部资源测试")
    assert "外部资源" in pdfs.text(data)
    assert "http://192.0.2.1/x.png" in fetched and "file:///etc/passwd" in fetched
    assert any(url.endswith("qicai/print.css") for url in fetched)  # the stylesheet did come


@pytest.fixture
def sample(monkeypatch):
    source = (
        '{% extends "print/base.html" %}{% block content %}<h1 class="doc-title">七彩工程文档</h1>'
        "{% for i in rows %}<h2>第{{ i }}节</h2><p>政府购买社会工作服务，服务特殊人群。</p>"
        '<table class="grid"><tr><th>项目</th><td>阳光驿站</td></tr></table>{% endfor %}{% endblock %}'
    )
    template = engines["django"].from_string(source)
    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: template.render(context))


def test_a_document_has_the_frame_the_fonts_and_extractable_chinese(sample):
    progress = []
    data = pdf.render_pdf("inline", {"rows": range(40)}, title="样张", progress=progress.append)
    assert data.startswith(b"%PDF")
    pages = pdfs.pages(data)
    assert pages >= 2
    assert progress[-1] == pages  # every page laid out was reported
    text = pdfs.text(data)
    assert "七彩工程文档" in text and "政府购买社会工作服务" in text
    assert text.count("江城区·七彩工程") == pages  # the running header, with the title
    assert text.count("样张") >= pages
    for page in range(1, pages + 1):
        assert f"第{page}页/共{pages}页" in text
    found = pdfs.fonts(data)
    names = {font["name"].split("+", 1)[1] for font in found}
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"} <= names
    assert all(font["emb"] == "yes" and font["sub"] == "yes" and font["uni"] == "yes" for font in found), found
    assert len(data) < 1_000_000  # subset, never full fonts


def test_the_page_count_speaks_the_active_language():
    assert pdf.page_counter_content() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    assert pdf.PDF_OPTIONS["full_fonts"] is False
    with translation.override("en"):
        content = pdf.page_counter_content()
    assert "counter(page)" in content and "counter(pages)" in content


def test_a_download_is_named_in_chinese_with_an_ascii_fallback():
    response = pdf.pdf_response(b"%PDF-1.7", "2013年度七彩工程总结报告.pdf")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="document-2013.pdf"; ')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "2013年度七彩工程总结报告.pdf"
    assert encoded.isascii() and "%E5%B9%B4" in encoded
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_name_cannot_break_the_header():
    disposition = pdf.pdf_response(b"", 'a"b\r\nc/d.pdf')["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2


def test_memory_is_released_after_each_document(sample, monkeypatch):
    """WeasyPrint's documents hold their fonts in reference cycles: a full collection after each PDF."""
    collections = []
    monkeypatch.setattr(pdf.gc, "collect", lambda *args: collections.append(args))
    pdf.render_pdf("inline", {"rows": range(1)}, title="样张")
    assert collections == [()]
