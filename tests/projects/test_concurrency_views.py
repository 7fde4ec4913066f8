"""Twenty people pressing the same button at once, through the admin views, on PostgreSQL.

Each thread posts the form its user would send with its own ``django.test.Client`` (its own session)
and its own database connection (``race``). Exactly one wins where one may; the others get a Chinese
answer saying somebody else was first (a message on a redirect, or the form again with its error),
and nobody an error page: a view that raises fails the test (the test client re-raises it).
"""

import datetime
import secrets
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from projects import roles
from projects.audit import AuditAction
from projects.figures import project_money, round_money
from projects.models import AuditEntry, Beneficiary, Enrollment, FormSubmission, Instalment, Project, Round
from projects.services import project_sign
from tests.casework_factories import case_add_form, live_project, make_id
from tests.factories import OrganizationFactory, RoundFactory, ServiceCategoryFactory, UserFactory, project_in_state
from tests.helpers import EMPTY_PROJECT_INLINES
from tests.projects.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share no real connections on SQLite"),
]

N = 20
S = Project.Status


def signed_in(*users) -> list[Client]:
    """A browser of its own for each user, signed in before the race starts."""
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def posting(client: Client, url: str, data: dict):
    return lambda: client.post(url, data)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def answered(results) -> list:
    """The responses, after checking every thread got one (no exception, no error page)."""
    failures = [r for r in results if isinstance(r, BaseException) or r.status_code >= 400]
    assert failures == [], failures
    return results


def test_twenty_approvals_of_one_project_give_one_transition(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    project = project_in_state(S.RECOMMENDED, round=round_)
    url = reverse("admin:projects_project_transition", args=[project.pk, "approve"])
    # Twenty officers had the confirmation page open at version 0.
    data = {"version": "0", "amount": "20000", "comment": "同意"}
    results = answered(race(*(posting(client, url, data) for client in signed_in(*[cast["civil"]] * N))))

    done = [r for r in results if any("已审定" in m for m in messages_of(r))]
    others = [r for r in results if r not in done]
    assert len(done) == 1
    for response in others:
        # Either the page was already stale when the request arrived, or it lost at the conditional update.
        assert response.status_code == 302
        assert any("已被他人处理" in m for m in messages_of(response)), messages_of(response)
    project.refresh_from_db()
    assert (project.status, project.version, project.approved_amount) == (S.APPROVED, 1, Decimal("20000.00"))
    assert AuditEntry.objects.transitions().filter(project=project).count() == 1
    assert Project.history.filter(id=project.pk, status=S.APPROVED).count() == 1
    assert round_money(round_).approved == Decimal("20000.00")


def test_twenty_approvals_in_one_round_never_exceed_its_budget(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN, budget=Decimal("30000.00"))
    projects = [project_in_state(S.RECOMMENDED, round=round_, requested_amount=Decimal("20000.00")) for _ in range(N)]
    data = {"version": "0", "amount": "20000", "comment": ""}
    calls = [
        posting(client, reverse("admin:projects_project_transition", args=[project.pk, "approve"]), data)
        for client, project in zip(signed_in(*[cast["civil"]] * N), projects, strict=True)
    ]
    results = answered(race(*calls))

    assert sum(r.status_code == 302 for r in results) == 1
    for response in (r for r in results if r.status_code == 200):
        assert "超出“2014年度七彩工程”预算：剩余预算 10,000.00 元" in response.content.decode()
    assert Project.objects.filter(status=S.APPROVED).count() == 1
    assert round_money(round_).remaining == Decimal("10000.00")


def test_twenty_releases_of_one_instalment_release_it_once(cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=Decimal("100000.00"))
    project = project_in_state(S.APPROVED, round=round_, implementing_unit=unit_org)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    first = project.instalments.get(sequence=1)
    url = reverse("admin:projects_instalment_release", args=[first.pk])
    data = {"version": "0", "released_on": "2014-03-20", "voucher_number": "JCMZ-2014-007"}
    results = answered(race(*(posting(client, url, data) for client in signed_in(*[cast["civil"]] * N))))

    done = [r for r in results if any("已登记" in m for m in messages_of(r))]
    others = [r for r in results if r not in done]
    assert len(done) == 1
    for response in others:
        assert response.status_code == 302
        assert any("已被他人处理" in m for m in messages_of(response)), messages_of(response)
    first.refresh_from_db()
    assert (first.status, first.version, first.voucher_number) == (Instalment.Status.RELEASED, 1, "JCMZ-2014-007")
    assert project.instalments.filter(status=Instalment.Status.RELEASED).count() == 1
    assert project_money(project).disbursed == first.amount  # the money figure counts it once
    assert Instalment.history.filter(id=first.pk, status=Instalment.Status.RELEASED).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.INSTALMENT_RELEASE).count() == 1


def test_twenty_identical_case_openings_give_one_case(cast, unit_org):
    project = live_project(unit_org)
    url = reverse("admin:projects_enrollment_add")
    # Twenty workers of the unit fill in the same person, each on a new-case form of their own.
    forms = [
        case_add_form(project, name="王秀英", id_number=make_id(), _submission=secrets.token_urlsafe(24))
        for _ in range(N)
    ]
    clients = signed_in(*[cast["unit"]] * N)
    results = answered(race(*(posting(client, url, data) for client, data in zip(clients, forms, strict=True))))

    opened = [r for r in results if r.status_code == 302]
    refused = [r for r in results if r.status_code == 200]
    assert len(opened) == 1 and len(refused) == N - 1
    for response in refused:
        assert "该服务对象已在本项目建档" in response.content.decode()
    assert Enrollment.objects.count() == 1 and Beneficiary.objects.count() == 1
    assert Enrollment.objects.get().code == f"{project.code}/001"
    assert AuditEntry.objects.filter(action=AuditAction.CASE_OPEN).count() == 1


def test_twenty_units_creating_projects_at_once_get_twenty_codes(cast):
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    category = ServiceCategoryFactory()
    units = [OrganizationFactory() for _ in range(N)]
    officers = [UserFactory(role=roles.IMPLEMENTING_UNIT, organization=unit) for unit in units]
    url = reverse("admin:projects_project_add")

    def form(unit):
        return {
            "title": f"{unit.name}的项目",
            "round": round_.pk,
            "category": category.pk,
            "service_model": "sw_volunteer",
            "target_group": "独居老人",
            "requested_amount": "20000",
            "target_beneficiaries": "40",
            "_submission": secrets.token_urlsafe(24),
            **EMPTY_PROJECT_INLINES,
        }

    clients = signed_in(*officers)
    results = answered(race(*(posting(client, url, form(unit)) for client, unit in zip(clients, units, strict=True))))

    assert all(r.status_code == 302 for r in results)
    projects = Project.objects.filter(round=round_)
    assert sorted(projects.values_list("code", flat=True)) == [f"QC-2014-{n:03d}" for n in range(1, N + 1)]
    assert {p.implementing_unit_id for p in projects} == {unit.pk for unit in units}
    assert AuditEntry.objects.filter(action=AuditAction.PROJECT_CREATE).count() == N


def test_one_project_form_posted_twenty_times_saves_one_project(cast, unit_org):
    """The same form sent twenty times (a double click, a resent page, several tabs): one project.

    A project has no natural uniqueness rule (a unit may apply twice with one title); the form's
    one-time token is what makes the same submission save once.
    """
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    url = reverse("admin:projects_project_add")
    data = {
        "title": "阳光长者关爱项目",
        "round": round_.pk,
        "category": ServiceCategoryFactory().pk,
        "service_model": "sw_volunteer",
        "target_group": "独居老人",
        "requested_amount": "20000",
        "target_beneficiaries": "40",
        "_submission": secrets.token_urlsafe(24),
        **EMPTY_PROJECT_INLINES,
    }
    results = answered(race(*(posting(client, url, data) for client in signed_in(*[cast["unit"]] * N))))

    assert all(r.status_code == 302 for r in results)
    repeats = [r for r in results if any("重复提交未再保存" in m for m in messages_of(r))]
    assert len(repeats) == N - 1
    project = Project.objects.get()
    assert project.code == "QC-2014-001" and project.implementing_unit == unit_org
    # The repeats are shown the project the first one saved.
    assert {r["Location"] for r in repeats} == {reverse("admin:projects_project_change", args=[project.pk])}
    assert FormSubmission.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.PROJECT_CREATE).count() == 1
