"""One log line per request, and a request id on every line logged while it runs.

``RequestLogMiddleware`` sits first in ``MIDDLEWARE``. It takes the request id from the ``X-Request-ID``
header when that is sane (a load balancer's or a proxy's: letters, digits, ``.``, ``_``, ``-``, at most
64 characters), makes a new one otherwise, echoes it in the response's ``X-Request-ID`` and keeps it in a
context variable that ``RequestIdFilter`` copies onto every log record, so an exception logged by
``django.request`` carries the id of the request that raised it.

The line itself (logger ``qicai.request``) holds the method, the path **without its query string** (a
search may hold a name or an ID number; the paths themselves hold only numeric ids and project codes),
the status, the duration in milliseconds up to the response being returned (a streamed file's body is
sent after that) and the user's numeric id, never the user name. The load balancer's probes of
``/healthz`` and ``/readyz`` are logged only when they fail, so that they do not drown the requests.
"""

import contextvars
import logging
import re
import time
import uuid

logger = logging.getLogger("qicai.request")

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def request_id_from(request) -> str:
    """The caller's request id if it is sane, a new random one otherwise."""
    given = request.headers.get(HEADER, "")
    if SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def user_id(request) -> int | None:
    """The signed-in user's numeric id (set by AuthenticationMiddleware), ``None`` for anyone else."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (``-`` outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get() or "-"
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[HEADER] = request_id
            if not (request.path in QUIET_PATHS and response.status_code == 200):
                logger.info(
                    "%s %s %s %.1fms",
                    request.method,
                    request.path,
                    response.status_code,
                    duration_ms,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": duration_ms,
                        "user_id": user_id(request),
                        "request_id": request_id,
                    },
                )
            return response
        finally:
            current_request_id.reset(token)
