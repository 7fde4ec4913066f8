"""Liveness and readiness for a load balancer: ``/healthz`` and ``/readyz``.

Both answer JSON, need no sign-in, are never cached and say nothing about anyone: no names, no counts of
people, no file names, only what a probe needs.

- ``/healthz`` (liveness): the process answers. No database, no storage: a balancer or systemd that
  restarts on failure must not restart every app server because PostgreSQL is down.
- ``/readyz`` (readiness): 200 when this app server can serve, 503 when it cannot.
  * ``database``: a trivial query (``SELECT 1``). Failing makes the server not ready.
  * ``tasks``: the task queue's table (django-tasks' database backend) is readable; its depth (tasks
    ready to run) and the age in seconds of the oldest of them. A queue whose oldest ready task is older
    than ``QICAI_READY_QUEUE_STALLED_SECONDS`` marks the answer ``degraded`` (no worker is taking tasks)
    but keeps it 200: the app server itself can still serve, and taking every server out of the
    balancer would not bring a worker back.
  * ``media``: a tiny probe object written, read back and deleted through ``default_storage`` (the
    local folder or the S3 bucket). Failing makes the server not ready: uploads and downloads would fail.

The balancer's Host header must be one of ``ALLOWED_HOSTS`` (Django answers 400 to any other before the
view runs): configure the probe's Host, as docs/deploy.md shows.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE_FOLDER = "health"
PROBE_CONTENT = b"qicai readiness probe"


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_tasks() -> dict:
    from django_tasks_db.models import DBTaskResult

    figures = DBTaskResult.objects.ready().aggregate(depth=Count("pk"), oldest=Min("enqueued_at"))
    age = (timezone.now() - figures["oldest"]).total_seconds() if figures["oldest"] else 0.0
    stalled = age > settings.QICAI_READY_QUEUE_STALLED_SECONDS
    return {"ok": True, "depth": figures["depth"], "oldest_ready_seconds": round(age, 1), "stalled": stalled}


def check_media() -> dict:
    name = default_storage.save(f"{PROBE_FOLDER}/probe-{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    finally:
        default_storage.delete(name)
    return {"ok": content == PROBE_CONTENT}


CHECKS = {"database": check_database, "tasks": check_tasks, "media": check_media}


def run_check(name: str, check) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a probe reports, it does not raise
        # The class only: a driver's message may hold a host name or a path, the log keeps the rest.
        logger.exception("Readiness check %s failed", name)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = {"database": run_check("database", check_database)}
    # Without a database the task queue cannot be read either: report it failed without waiting twice.
    if checks["database"]["ok"]:
        checks["tasks"] = run_check("tasks", check_tasks)
    else:
        checks["tasks"] = {"ok": False, "error": "database unavailable", "ms": 0.0}
    checks["media"] = run_check("media", check_media)
    ready = checks["database"]["ok"] and checks["media"]["ok"]
    degraded = not checks["tasks"]["ok"] or checks["tasks"].get("stalled", False)
    status = "ok" if ready and not degraded else ("degraded" if ready else "unavailable")
    return JsonResponse({"status": status, "ready": ready, "checks": checks}, status=200 if ready else 503)
