"""The portfolio's data version, and figures cached under it (issue 16: city scale).

Figures over the whole portfolio — the dashboard's round summaries and charts, the 待办 counts in every
page's header — cost seconds of SQL at city scale. They are kept in Django's cache under a key that holds
``current()``, a number that grows with every change of the data, so a kept figure is never older than
the last write: ``cached(name, *parts, compute=…)``.

Who calls ``changed()``:
- ``projects.audit.log_action`` / ``log_actions``: every write of the services leaves an audit row (the
  restricted rows — sign-ins, reads of case files, downloads, reveals of personal data — change no data
  and do not count);
- the ``post_save``, ``post_delete`` and ``m2m_changed`` signals of every model of the projects and awards
  apps (``connect``): a save outside the services (an admin inline row, a shell) counts too.
``QuerySet.update()`` and ``bulk_create`` send no signal; the services that use them write audit rows.

The number lives in the database (``DataVersion``, one row), so every server process of the production
stack sees the same one; the cache is each process's own. The new number is written when the writing
transaction commits (once per transaction): a reader never sees it before the data it stands for. Tests
run inside a transaction that never commits, so they switch ``AT_COMMIT`` off (``tests/conftest.py``).
"""

import hashlib

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

# Tests set this to False: their transactions never commit, so the number is written at once.
AT_COMMIT = True
TIMEOUT = 6 * 3600  # seconds a kept figure may live unused (a changed number makes it unreachable anyway)


def current() -> int:
    """The data version now (one query on a one-row table)."""
    from projects.models import DataVersion

    return DataVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def _write() -> None:
    from projects.models import DataVersion

    now = timezone.now()
    if not DataVersion.objects.filter(pk=1).update(value=F("value") + 1, changed_at=now):
        DataVersion.objects.get_or_create(pk=1, defaults={"value": 1, "changed_at": now})


def changed() -> None:
    """The data changed: a new version once the current transaction commits (at once outside one)."""
    if not AT_COMMIT or not connection.in_atomic_block:
        _write()
        return
    if any(callback is _write for _savepoints, callback, _robust in connection.run_on_commit):
        return  # one new number per transaction, however many rows it writes
    transaction.on_commit(_write)


def cached(name: str, *parts, compute):
    """``compute()``, kept under ``name``, ``parts``, the active language and the data version.

    ``parts`` must say everything the value depends on besides the data (the round, whose scope …).
    """
    raw = repr((name, parts, translation.get_language(), current()))
    key = f"qicai:{name}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


# Models whose saves are not changes of the portfolio's figures.
IGNORED = {"auditentry", "dataversion", "importjob"}


def _on_change(sender, **kwargs) -> None:
    changed()


def connect() -> None:
    """Count every save and delete of the projects and awards apps' records as a change (see above)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in ("projects", "awards"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name in IGNORED or model._meta.model_name.startswith("historical"):
                continue
            post_save.connect(_on_change, sender=model, dispatch_uid=f"data_version_save_{model._meta.label}")
            post_delete.connect(_on_change, sender=model, dispatch_uid=f"data_version_delete_{model._meta.label}")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"data_version_m2m_{through._meta.label}")
