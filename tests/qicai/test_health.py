"""/healthz and /readyz: JSON for a load balancer, no sign-in, never cached, nothing personal."""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qicai import health

pytestmark = pytest.mark.django_db


def body(response) -> dict:
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    return json.loads(response.content)


def queue_task(enqueued_ago: timedelta) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="qicai.health.healthz",
        backend_name="default",
        run_after=timezone.now() - timedelta(days=1),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - enqueued_ago)
    return task


def test_liveness_answers_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}
    assert len(queries) == 0


def test_readiness_reports_database_queue_and_media(client, settings):
    settings.QICAI_READY_QUEUE_STALLED_SECONDS = 300
    queue_task(timedelta(seconds=40))
    queue_task(timedelta(seconds=5))
    response = client.get("/readyz")
    assert response.status_code == 200
    data = body(response)
    assert data["status"] == "ok" and data["ready"] is True
    assert data["checks"]["database"]["ok"] is True
    tasks = data["checks"]["tasks"]
    assert tasks["depth"] == 2 and tasks["stalled"] is False
    assert 39 <= tasks["oldest_ready_seconds"] < 120
    assert data["checks"]["media"]["ok"] is True
    # The probe object is gone again.
    assert default_storage.listdir(health.PROBE_FOLDER)[1] == []


def test_a_stalled_queue_is_degraded_but_still_ready(client, settings):
    settings.QICAI_READY_QUEUE_STALLED_SECONDS = 60
    queue_task(timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 200
    data = body(response)
    assert data["status"] == "degraded" and data["ready"] is True
    assert data["checks"]["tasks"]["stalled"] is True


def test_finished_tasks_do_not_count_as_queued(client):
    task = queue_task(timedelta(hours=2))
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")
    data = body(client.get("/readyz"))
    assert data["checks"]["tasks"]["depth"] == 0 and data["status"] == "ok"


def test_no_database_means_not_ready(client, monkeypatch):
    def broken():
        raise RuntimeError("could not connect to server at db.internal (10.0.0.5)")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    data = body(response)
    assert data["status"] == "unavailable" and data["ready"] is False
    assert data["checks"]["database"] == {"ok": False, "error": "RuntimeError", "ms": data["checks"]["database"]["ms"]}
    assert data["checks"]["tasks"]["ok"] is False
    # The driver's message (host names, addresses) stays in the log, not in the answer.
    assert b"10.0.0.5" not in response.content


def test_unwritable_media_means_not_ready(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("/var/lib/qicai/media/health")

    monkeypatch.setattr(default_storage, "save", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    data = body(response)
    assert data["checks"]["media"]["ok"] is False and data["checks"]["database"]["ok"] is True
    assert b"/var/lib" not in response.content


def test_signed_in_or_not_the_answer_is_the_same_and_names_nobody(client, cast):
    anonymous = body(client.get("/readyz"))
    client.force_login(cast["unit"])
    signed_in = body(client.get("/readyz"))
    assert anonymous.keys() == signed_in.keys() == {"status", "ready", "checks"}
    assert b"unit" not in client.get("/readyz").content


def test_only_reads_are_answered(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
    assert client.head("/healthz").status_code == 200
