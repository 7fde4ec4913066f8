"""The printed documents' downloads, each scoped by its ``can_print_*`` predicate.

A record outside the reader's reach answers 404, exactly as one that does not exist (an id guessed in the
URL learns nothing); signing in is required first. Short documents are rendered within the request; all
certificates of a round go through ``qicai.documents.generated`` (made once per version of the records,
in the background when long), with a status page that refreshes itself until the download is ready.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from awards.models import AwardRecord
from awards.permissions import can_print_certificate
from projects import permissions
from projects.models import Agreement, Evaluation, Project, Round
from projects.services.errors import WorkflowError
from projects.states import DocumentStatus
from qicai.documents import agreement, certificates, dossier, score_sheet
from qicai.documents.generated import (
    document_current,
    document_request,
    document_under_way,
    document_visible,
    kind_for,
)
from qicai.models import GeneratedDocument
from qicai.pdf import pdf_file_response, pdf_response


def not_found() -> Http404:
    return Http404(_("没有找到该记录，或您无权查看。"))


@require_safe
@login_required
def agreement_pdf(request, pk: int):
    found = get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related(
            "round", "party_a", "party_b", "project__category", "project__subdistrict", "project__community"
        ),
        pk=pk,
    )
    if not permissions.can_print_agreement(request.user, found):
        raise not_found()
    return pdf_response(agreement.agreement_pdf(found), agreement.agreement_filename(found))


@require_safe
@login_required
def score_sheet_pdf(request, pk: int):
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(request.user).select_related(
            "template", "project__round", "project__implementing_unit", "project__category"
        ),
        pk=pk,
    )
    if not permissions.can_print_score_sheet(request.user, evaluation):
        raise not_found()
    return pdf_response(
        score_sheet.score_sheet_pdf(evaluation, request.user), score_sheet.score_sheet_filename(evaluation)
    )


@require_safe
@login_required
def certificate_pdf(request, pk: int):
    record = get_object_or_404(
        AwardRecord.objects.select_related("round", "award_type", "project__implementing_unit", "organization"), pk=pk
    )
    if not can_print_certificate(request.user, record):
        raise not_found()
    return pdf_response(certificates.certificate_pdf(record), certificates.certificate_filename(record))


@require_safe
@login_required
def dossier_pdf(request, code: str):
    project = get_object_or_404(Project.objects.visible_to(request.user).for_dossier(), code=code)
    if not permissions.can_print_dossier(request.user, project):
        raise not_found()
    return pdf_response(dossier.dossier_pdf(request, project), dossier.dossier_filename(project))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def round_document(request, year: int, kind: str):
    """A background document of a round (all its certificates; the annual report): the state of the version
    of the data as they are now, and the button (POST) that asks for it."""
    round_ = get_object_or_404(Round, year=year)
    spec = kind_for(kind)
    if spec is None or not spec.may_request(request.user, round_):
        raise not_found()
    if request.method == "POST":
        try:
            document = document_request(kind=spec.key, round_=round_, by=request.user)
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
            return redirect(spec.request_url(round_))
        except PermissionDenied:
            raise not_found() from None
        return redirect("documents:generated", pk=document.pk)
    document = document_current(kind=spec.key, round_=round_, user=request.user)
    expected = spec.expected_pages(round_, spec.scope(request.user))
    context = status_context(spec, round_, document, current=True, expected_pages=expected)
    return render(request, "portal/documents/generated.html", context)


@require_safe
@login_required
def generated(request, pk: int):
    """A background document's status: progress while it is made, then its download."""
    document = get_object_or_404(GeneratedDocument.objects.select_related("round"), pk=pk)
    if not document_visible(request.user, document):
        raise not_found()
    spec = kind_for(document.kind)
    current = spec.version(document.round, document.scope) == document.version
    context = status_context(spec, document.round, document, current=current, expected_pages=document.total)
    return render(request, "portal/documents/generated.html", context)


def status_context(spec, round_: Round, document: GeneratedDocument | None, *, current: bool, expected_pages: int):
    return {
        "kind": spec,
        "round": round_,
        "document": document,
        "title": spec.title(round_),
        "expected_pages": expected_pages,
        "request_url": spec.request_url(round_),
        "under_way": document is not None and document_under_way(document),
        "current": current,
    }


@require_safe
@login_required
def generated_download(request, pk: int):
    document = get_object_or_404(GeneratedDocument.objects.select_related("round"), pk=pk)
    if not document_visible(request.user, document) or document.status != DocumentStatus.READY:
        raise not_found()
    try:
        handle = default_storage.open(document.stored_name, "rb")
    except FileNotFoundError:
        raise not_found() from None
    return pdf_file_response(handle, kind_for(document.kind).filename(document.round))
