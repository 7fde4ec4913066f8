"""Two people acting at once on PostgreSQL: threads, each with its own database connection."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from projects.models import AuditEntry, Project, Round
from projects.services import StaleTransition, WorkflowError, project_approve, project_create
from tests.factories import OrganizationFactory, RoundFactory, ServiceCategoryFactory, project_in_state

pytestmark = [
    # serialized_rollback restores the rows data migrations made (role groups) after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share no real connections on SQLite"),
]


def race(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_approvals_of_one_project_give_one_transition(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    project = project_in_state(Project.Status.RECOMMENDED, round=round_)
    # Both loaded the page before either pressed the button.
    first, second = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    results = race(
        lambda: project_approve(project=first, by=cast["civil"], amount="20000", expected_version=0),
        lambda: project_approve(project=second, by=cast["civil"], amount="15000", expected_version=0),
    )
    assert sum(isinstance(r, Project) for r in results) == 1
    assert sum(isinstance(r, StaleTransition) for r in results) == 1
    assert "已被他人处理" in next(r for r in results if isinstance(r, StaleTransition)).message
    project.refresh_from_db()
    assert project.status == Project.Status.APPROVED
    assert project.version == 1
    assert AuditEntry.objects.transitions().filter(project=project).count() == 1


def test_two_approvals_in_one_round_never_exceed_its_budget(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN, budget=Decimal("30000.00"))
    a = project_in_state(Project.Status.RECOMMENDED, round=round_, requested_amount=Decimal("20000.00"))
    b = project_in_state(Project.Status.RECOMMENDED, round=round_, requested_amount=Decimal("20000.00"))
    results = race(
        lambda: project_approve(project=a, by=cast["civil"], amount="20000"),
        lambda: project_approve(project=b, by=cast["civil"], amount="20000"),
    )
    assert sum(isinstance(r, Project) for r in results) == 1
    refused = next(r for r in results if isinstance(r, WorkflowError))
    assert "剩余预算 10,000.00 元" in refused.message
    assert Project.objects.filter(status=Project.Status.APPROVED).count() == 1


def test_twenty_new_projects_in_one_round_get_twenty_codes(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    category = ServiceCategoryFactory()
    units = [OrganizationFactory() for _ in range(20)]

    def create(unit):
        project = Project(
            title=f"{unit.name}的项目",
            round=round_,
            implementing_unit=unit,
            category=category,
            target_group="独居老人",
            requested_amount=Decimal("20000.00"),
        )
        return lambda: project_create(project=project, by=cast["civil"])

    results = race(*(create(unit) for unit in units))
    assert [r for r in results if not isinstance(r, Project)] == []
    codes = sorted(Project.objects.filter(round=round_).values_list("code", flat=True))
    assert codes == [f"QC-2014-{n:03d}" for n in range(1, 21)]
    assert sorted(r.code for r in results) == codes
