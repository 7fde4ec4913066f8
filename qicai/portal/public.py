"""The public disclosure (公示 and 新项目发布) of each round: no login, nothing internal.

What is public is defined in ``qicai.disclosure``, the open data's fields in ``qicai.open_data``.

Caching. Pages and files are ``Cache-Control: public, max-age=300`` with an ETag and a Last-Modified read by
one query (``disclosure.published_round`` / ``index_stamp``); a revalidation whose data has not changed is
answered 304 without rendering anything. HTML pages ``Vary: Cookie``: the language is chosen by a cookie (the
locale middleware ignores Accept-Language, so varying on it would only split caches), and their ETag carries
the language. Two exceptions keep a shared cache from handing one reader's page to another:

- a signed-in reader's page is personal (name and 待办 count in the header): ``private, no-cache`` and no
  validators, since the 待办 count changes without the disclosure changing;
- a page rendered for a reader without a CSRF cookie plants a new one (the language switch is a form): it
  is ``private, max-age=300``, so no cache serves that cookie and its token to someone else. From the
  second page on, the reader sends the cookie, and the page is public (cached per cookie: ``Vary``).

The open data files are the same for everyone, always in Chinese, and always public.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.http import condition, require_safe

from projects.tabular.writing import CSV_CONTENT_TYPE, content_disposition, csv_chunks
from qicai import disclosure, open_data

MAX_AGE = 300
PUBLIC = f"public, max-age={MAX_AGE}"
FIRST_VISIT = f"private, max-age={MAX_AGE}"
PERSONAL = "private, no-cache"
OPEN_DATA_FORMATS = ("csv", "json")


def _signed_in(request) -> bool:
    return request.user.is_authenticated


def _etag(*parts, weak: bool = False) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return f'W/"{digest}"' if weak else f'"{digest}"'


def _published_round(request, year: int) -> disclosure.PublicRound:
    """The round of ``year`` with its stamp, read once per request (the validators and the view share it)."""
    found = getattr(request, "_public_round", None)
    if found is None or found.round.year != year:
        found = disclosure.published_round(year)
        if found is None:
            raise Http404
        request._public_round = found
    return found


def _index_stamp(request, *args, **kwargs) -> disclosure.Stamp:
    if not hasattr(request, "_public_index_stamp"):
        request._public_index_stamp = disclosure.index_stamp()
    return request._public_index_stamp


def _round_stamp(request, year: int, *args, **kwargs) -> disclosure.Stamp:
    return _published_round(request, year).stamp


def _page_validators(stamp_of, page: str):
    """``condition`` for an HTML page: validators for anonymous readers only, one ETag per language.

    The ETag is weak: the body carries a fresh CSRF token (the language switch) each time it is rendered.
    """

    def etag(request, *args, **kwargs):
        if _signed_in(request):
            return None
        return _etag(page, stamp_of(request, *args, **kwargs).version, translation.get_language(), weak=True)

    def last_modified(request, *args, **kwargs):
        return None if _signed_in(request) else stamp_of(request, *args, **kwargs).last_modified

    return condition(etag_func=etag, last_modified_func=last_modified)


def _page_caching(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if _signed_in(request):
            response["Cache-Control"] = PERSONAL
        elif settings.CSRF_COOKIE_NAME not in request.COOKIES:
            response["Cache-Control"] = FIRST_VISIT
        else:
            response["Cache-Control"] = PUBLIC
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _heading(round_) -> str:
    return gettext("%(round)s项目公示") % {"round": round_.title}


# -- pages ------------------------------------------------------------------------------------------


@require_safe
@_page_caching
@_page_validators(_index_stamp, "index")
def public_index(request):
    rounds = disclosure.published_rounds()
    return render(
        request,
        "portal/public/index.html",
        {"rounds": rounds, "latest": rounds[0] if rounds else None},
    )


@require_safe
@_page_caching
def public_fields(request):
    context = {"fields": open_data.FIELDS, "latest_year": disclosure.latest_published_year()}
    return render(request, "portal/public/fields.html", context)


def _round_context(request, year: int) -> dict:
    public = _published_round(request, year)
    page = disclosure.round_disclosure(public.round)
    return {"page": page, "round": public.round, "heading": _heading(public.round)}


@require_safe
@_page_caching
@_page_validators(_round_stamp, "round")
def public_round(request, year: int):
    return render(request, "portal/public/round.html", _round_context(request, year))


@require_safe
@_page_caching
@_page_validators(_round_stamp, "print")
def public_print(request, year: int):
    context = _round_context(request, year)
    context["generated_at"] = timezone.now()
    context["page_url"] = request.build_absolute_uri(reverse("portal:public_round", args=[year]))
    return render(request, "portal/public/print.html", context)


# -- open data --------------------------------------------------------------------------------------


def _open_data_round(request, year: int, fmt: str) -> disclosure.PublicRound:
    if fmt not in OPEN_DATA_FORMATS:
        raise Http404
    return _published_round(request, year)


def _open_data_etag(request, year: int, fmt: str):
    return _etag("open-data", fmt, _open_data_round(request, year, fmt).stamp.version)


def _open_data_last_modified(request, year: int, fmt: str):
    return _open_data_round(request, year, fmt).stamp.last_modified


def _open_data_caching(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = PUBLIC
        return response

    return wrapper


@require_safe
@_open_data_caching
@condition(etag_func=_open_data_etag, last_modified_func=_open_data_last_modified)
def public_open_data(request, year: int, fmt: str):
    """The round's published projects as CSV (UTF-8 with a BOM, for Excel) or 360Giving-style JSON."""
    round_ = _open_data_round(request, year, fmt).round
    # The files are in the records' language whatever the reader chose for the pages (see qicai.open_data),
    # so they are written whole inside the override rather than streamed after it: a round lists hundreds
    # of projects at most.
    with translation.override(settings.LANGUAGE_CODE):
        projects = disclosure.public_projects(round_, with_approval_date=True)
        context = open_data.Context(round=round_, funder=open_data.Funder.of(disclosure.round_frameworks(round_)))
        name = _heading(round_)
        if fmt == "csv":
            rows = [open_data.csv_row(project, context) for project in projects]
            body = b"".join(csv_chunks(open_data.csv_columns(), rows))
            content_type = CSV_CONTENT_TYPE
        else:
            body = open_data.grants_json(projects, context).encode()
            content_type = "application/json; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition(f"{name}.{fmt}")
    response["Content-Language"] = settings.LANGUAGE_CODE
    return response
