"""Judging uploaded files by their content, never by their names; serving them so that none runs as a page."""

import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from projects.services.errors import WorkflowError

# Above the photos of today's phones and scanners (50 megapixels is 8160×6120) and below Pillow's own
# bomb warning (89 megapixels), so a file that would make Pillow warn is always refused here first.
MAX_IMAGE_PIXELS = 60_000_000

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def _size_problem(upload, limit: int) -> str | None:
    if not upload.size:
        return _("文件为空，请重新选择。")
    if upload.size > limit:
        return _("文件大小为 %(size).1f MB，超过 %(limit)d MB 的上限。") % {
            "size": upload.size / 1024 / 1024,
            "limit": limit // 1024 // 1024,
        }
    return None


def _image_problem(upload, *, damaged: str) -> str | None:
    """Why the image cannot be accepted (``damaged``, or too many pixels), or None.

    Pillow reads only the header here: a small file whose header claims 60000×60000 pixels (a
    decompression bomb) is refused by its dimensions before anything is decoded.
    """
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return _too_large_message()
            image.verify()
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The error above Pillow's hard limit; the warning only where warnings are errors.
        return _too_large_message()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return damaged
    finally:
        upload.seek(0)


def _too_large_message() -> str:
    return _("图片尺寸过大：超过 %(limit)d 万像素的上限（可能是损坏或特意构造的文件），请缩小后重新上传。") % {
        "limit": MAX_IMAGE_PIXELS // 10_000
    }


def sniff_scan(upload) -> tuple[str, str]:
    """(extension, content type) of a signed scan: PDF, JPEG or PNG, at most QICAI_SCAN_MAX_BYTES.

    Raises WorkflowError with a Chinese message for anything else.
    """
    return _sniff(upload, limit=settings.QICAI_SCAN_MAX_BYTES, allow_pdf=True)


def sniff_image(upload, *, limit: int) -> tuple[str, str]:
    """(extension, content type) of a photo: JPEG or PNG judged by content, at most ``limit`` bytes."""
    return _sniff(upload, limit=limit, allow_pdf=False)


def _sniff(upload, *, limit: int, allow_pdf: bool) -> tuple[str, str]:
    problem = _size_problem(upload, limit)
    if problem:
        raise WorkflowError(problem)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if allow_pdf and head.startswith(PDF_MAGIC):
        upload.seek(max(0, upload.size - 2048))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise WorkflowError(_("PDF 文件不完整或已损坏，请重新导出后上传。"))
        return ".pdf", "application/pdf"
    if head.startswith(PNG_MAGIC):
        if problem := _image_problem(upload, damaged=_("PNG 图片已损坏，无法读取。")):
            raise WorkflowError(problem)
        return ".png", "image/png"
    if head.startswith(JPEG_MAGIC):
        if problem := _image_problem(upload, damaged=_("JPEG 图片已损坏，无法读取。")):
            raise WorkflowError(problem)
        return ".jpg", "image/jpeg"
    if allow_pdf:
        raise WorkflowError(_("只接受 PDF、JPEG 或 PNG 文件（按文件内容判断，与文件名无关）。"))
    raise WorkflowError(_("只接受 JPEG 或 PNG 图片（按文件内容判断，与文件名无关）。"))


# -- serving stored uploads -----------------------------------------------------------------------------------

# What a stored upload may be served as; anything else goes out as opaque bytes.
SERVED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})
# A file response is no page: nothing in it may run, load or be framed, whatever a browser thinks it is.
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff/\\:*?\"<>|]")


def served_type(content_type: str | None) -> str:
    """The Content-Type to serve a stored upload with: its sniffed type if allow-listed, else opaque bytes."""
    return content_type if content_type in SERVED_TYPES else "application/octet-stream"


def file_response(handle, *, content_type: str | None, download_name: str, inline: bool = False):
    """A stored upload as a response that no browser renders as a page.

    Only an allow-listed image is shown inline (when asked); everything else, PDFs included, is an attachment
    named ``download_name`` (RFC 5987 when it is not ASCII). Always ``nosniff``, a sandboxing CSP, no cache.
    """
    from django.http import FileResponse

    kind = served_type(content_type)
    as_attachment = not (inline and kind in INLINE_TYPES)
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=display_name(download_name), content_type=kind
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def display_name(name: str | None, *, limit: int = 120) -> str:
    """The user's file name, safe to show and to offer as a download name: no folders, no control or
    direction-changing characters (U+202E makes ``gpj.exe`` look like ``exe.jpg``), no characters Windows
    refuses, at most ``limit`` characters with the extension kept. Never used as a stored name."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", _UNSAFE_NAME.sub("", name)).strip(" .")
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return stem[: limit - len(extension) - 1] + "." + extension
    return name[:limit]
