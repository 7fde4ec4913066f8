"""Twenty openings of the same case at once by the same user, on PostgreSQL: one read row, no error."""

import pytest
from django.db import connection

from projects.audit import AuditAction, log_case_read
from projects.models import AuditEntry
from tests.casework_factories import enroll, live_project
from tests.projects.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share no real connections on SQLite"),
]


def test_twenty_simultaneous_reads_of_a_case_write_one_row(cast, unit_org):
    case = enroll(live_project(unit_org), cast["unit"])
    results = race(*[lambda: log_case_read(user=cast["unit"], enrollment=case)] * 20)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert AuditEntry.objects.filter(action=AuditAction.CASE_READ, object_id=str(case.pk)).count() == 1
