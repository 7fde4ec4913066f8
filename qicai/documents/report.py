"""年度总结报告: the annual summary report of a round, a background document (``qicai.documents.generated``).

The figures, charts and lists are ``qicai.annual_report``'s (the dashboard's read functions); the layout is
``templates/print/annual_report.html``. Its version is the fingerprint of the HTML it prints, so any change
to a figure, a name, a story or the layout makes a new file, and nothing else does: the cover is dated by
the round's latest recorded change, not by the day it was printed.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Round
from projects.permissions import can_print_annual_report
from qicai import pdf
from qicai.annual_report import annual_report
from qicai.documents.generated import DocumentKind, fingerprint

TEMPLATE = "print/annual_report.html"
PROJECTS_PER_PAGE = 30  # rows of the appendix on a page, for the progress estimate


def report_title(round_: Round) -> str:
    return _("%(year)s年度七彩工程总结报告") % {"year": round_.year}


def report_html(round_: Round) -> str:
    return pdf.render_html(TEMPLATE, {"document": annual_report(round_)}, title=report_title(round_))


def report_version(round_: Round, scope: str) -> str:
    return fingerprint(settings.QICAI_DISTRICT, report_html(round_))


def render_report(round_: Round, scope: str, progress):
    return pdf.render_document(
        TEMPLATE, {"document": annual_report(round_)}, title=report_title(round_), progress=progress
    )


def expected_pages(round_: Round) -> int:
    """About how many pages the report has (for progress): none for a round without projects."""
    projects = round_.projects.count()
    return 14 + projects // PROJECTS_PER_PAGE if projects else 0


ANNUAL_REPORT = DocumentKind(
    key="report",
    label=gettext_lazy("年度总结报告"),
    may_request=lambda user, round_: can_print_annual_report(user),
    version=report_version,
    expected_pages=lambda round_, scope: expected_pages(round_),
    render=render_report,
    title=report_title,
    empty_message=gettext_lazy("该年度批次还没有项目。"),
)
