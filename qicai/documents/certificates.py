"""荣誉证书: award certificates, landscape A4, one per page; one record's, or all of a round's in one PDF.

A certificate says who is commended (the project's implementing unit, an organisation or a person), for
what (the record's citation, or a sentence made of the project, the round and the award), the award, the
presenter and the date in Chinese numerals, as the district prints them. All of a round's certificates
are a background document (``ROUND_CERTIFICATES``): generated once per version of the records they print.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.models import AwardRecord
from awards.permissions import can_print_round_certificates
from projects.models import Round
from qicai import pdf
from qicai.documents.generated import DocumentKind, fingerprint, layout_fingerprint

TEMPLATE = "print/certificates.html"
STYLESHEET = "qicai/print-certificates.css"


@dataclass(frozen=True)
class Certificate:
    recipient: str
    body: str
    award: str
    presenter: str
    awarded_on: object
    round_title: str


def certificate_records(round_: Round):
    """A round's award records in the order of the award list: by award type, rank, then as recorded."""
    return (
        AwardRecord.objects.filter(round=round_)
        .select_related("round", "award_type", "project__implementing_unit", "organization")
        .order_by("award_type__order", "award_type__name", "rank", "pk")
    )


def certificate(record: AwardRecord) -> Certificate:
    award = record.award_type.name
    round_title = str(record.round)
    if record.project_id:
        recipient = record.project.implementing_unit.name
        default_body = _("你单位实施的“%(project)s”在%(round)s中表现突出，被评为%(award)s。") % {
            "project": record.project.title,
            "round": round_title,
            "award": award,
        }
    elif record.organization_id:
        recipient = record.organization.name
        default_body = _("你单位在%(round)s中表现突出，被评为%(award)s。") % {"round": round_title, "award": award}
    else:
        recipient = _("%(name)s同志") % {"name": record.person_name}
        default_body = _("你在%(round)s中表现突出，被评为%(award)s。") % {"round": round_title, "award": award}
    presenter = record.presenter or _("%(district)s社会工作委员会") % {"district": settings.QICAI_DISTRICT}
    return Certificate(
        recipient=recipient,
        body=record.citation or default_body,
        award=award,
        presenter=presenter,
        awarded_on=record.awarded_on,
        round_title=round_title,
    )


def certificate_title(record: AwardRecord) -> str:
    return _("荣誉证书：%(award)s · %(recipient)s") % {
        "award": record.award_type.name,
        "recipient": certificate(record).recipient,
    }


def certificate_filename(record: AwardRecord) -> str:
    name = record.project.code if record.project_id else certificate(record).recipient
    return pdf.pdf_filename(
        _("%(year)s年度%(award)s荣誉证书 %(name)s")
        % {
            "year": record.round.year,
            "award": record.award_type.name,
            "name": name,
        }
    )


def round_certificates_title(round_: Round) -> str:
    return _("%(year)s年度七彩工程荣誉证书") % {"year": round_.year}


def render_certificates(records, *, title: str, progress=None):
    """The laid-out certificates of ``records``, one landscape page each."""
    context = {"certificates": [certificate(record) for record in records]}
    return pdf.render_document(TEMPLATE, context, title=title, progress=progress)


def certificate_pdf(record: AwardRecord) -> bytes:
    document = render_certificates([record], title=certificate_title(record))
    data = pdf.write_pdf(document)
    del document
    pdf.release_memory()
    return data


def round_certificates_version(round_: Round, scope: str) -> str:
    """Everything a round's certificates print, fingerprinted: any change to a record, its project's title or
    unit, the award's name or the round's title makes a new version; so does a new layout."""
    rows = certificate_records(round_).values_list(
        "pk",
        "award_type__name",
        "project__title",
        "project__implementing_unit__name",
        "organization__name",
        "person_name",
        "citation",
        "awarded_on",
        "presenter",
    )
    return fingerprint(
        str(round_), settings.QICAI_DISTRICT, list(rows), layout_fingerprint(TEMPLATE, stylesheets=(STYLESHEET,))
    )


ROUND_CERTIFICATES = DocumentKind(
    key="certificates",
    label=gettext_lazy("全部荣誉证书"),
    may_request=lambda user, round_: can_print_round_certificates(user),
    version=round_certificates_version,
    expected_pages=lambda round_, scope: certificate_records(round_).count(),
    render=lambda round_, scope, progress: render_certificates(
        certificate_records(round_), title=round_certificates_title(round_), progress=progress
    ),
    title=round_certificates_title,
    empty_message=gettext_lazy("该年度批次还没有表彰记录。"),
)
