"""Twenty people opening the same case at once, on PostgreSQL: one case, nineteen clear refusals."""

import pytest
from django.db import connection

from projects.models import Beneficiary, Enrollment
from projects.services import WorkflowError
from tests.casework_factories import enroll, live_project, make_id
from tests.projects.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share no real connections on SQLite"),
]


def test_twenty_identical_case_openings_give_one_case(cast, unit_org):
    project = live_project(unit_org)
    results = race(*[lambda: enroll(project, cast["unit"], name="王秀英", id_number=make_id())] * 20)
    cases = [r for r in results if isinstance(r, Enrollment)]
    refusals = [r for r in results if isinstance(r, WorkflowError)]
    assert len(cases) == 1 and len(refusals) == 19, results
    assert all("已在本项目建档" in r.message for r in refusals)
    assert Enrollment.objects.count() == 1 and Beneficiary.objects.count() == 1


def test_twenty_people_enrolled_at_once_get_distinct_case_numbers(cast, unit_org, unit2_org):
    project, other = live_project(unit_org), live_project(unit2_org)
    calls = [
        lambda n=n: enroll(project, cast["unit"], name=f"甲{n}", id_number=make_id(serial=f"{n:03d}"))
        for n in range(10)
    ]
    # The same people in another unit's project at the same moment: one person key each.
    calls += [
        lambda n=n: enroll(other, cast["unit2"], name=f"乙{n}", id_number=make_id(serial=f"{n:03d}")) for n in range(10)
    ]
    results = race(*calls)
    assert all(isinstance(r, Enrollment) for r in results), results
    assert sorted(Enrollment.objects.filter(project=project).values_list("sequence", flat=True)) == list(range(1, 11))
    assert Beneficiary.objects.count() == 10 and Enrollment.objects.count() == 20
