"""Figures kept under the data version (projects.data_version): kept while nothing changes, made anew
after any change, never shared across scopes, the number written once per transaction at its commit."""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from projects import data_version
from projects.audit import AuditAction, log_action, log_case_read
from projects.models import DataVersion, Enrollment, Project, Round, RubricTemplate
from tests.factories import RoundFactory
from tests.helpers import count_queries, grow_served_projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=D("50000000.00"))
    template = RubricTemplate.objects.create(name="评分", kind="final")
    grow_served_projects(round_, unit_org, cast["unit"], 3, start=100, template=template)
    return round_


def summary(client):
    response = client.get("/?round=2014")
    assert response.status_code == 200
    return response.context["summary"]


def people_served(client) -> int:
    return summary(client).service.people_served


def test_the_dashboard_is_kept_until_the_data_change(client, cast, served):
    client.force_login(cast["civil"])
    cold = count_queries(lambda: summary(client))
    warm = count_queries(lambda: summary(client))
    assert warm < cold - 20  # the summaries' queries are gone; the data version is read
    before = summary(client).money.approved
    # A save through the model (no service, no audit row): its signal makes a new version.
    project = Project.objects.filter(round=served).first()
    project.approved_amount += D("1000.00")
    project.save()
    assert summary(client).money.approved == before + D("1000.00")


def test_an_audited_update_makes_a_new_version_and_reading_does_not(cast, served):
    start = data_version.current()
    log_case_read(user=cast["civil"], enrollment=Enrollment.objects.first())  # the access log reads, changes nothing
    log_action(action=AuditAction.LOGIN, actor=cast["civil"])
    assert data_version.current() == start
    project = Project.objects.first()
    Project.objects.filter(pk=project.pk).update(title="改名")  # an update() sends no signal …
    log_action(action=AuditAction.PROJECT_ARCHIVE, actor=cast["civil"], obj=project)  # … the service's audit row counts
    assert data_version.current() == start + 1


def test_a_units_figures_are_its_own(client, cast, served, unit2_org):
    client.force_login(cast["unit"])
    own = people_served(client)
    assert own > 0
    client.force_login(cast["unit2"])  # another unit, with no projects: never the first unit's kept figures
    response = client.get("/")
    assert response.status_code == 200
    assert response.context.get("summary") is None or response.context["summary"].service.people_served == 0


def test_the_todo_count_follows_the_data_and_the_users_rights(client, cast, served):
    civil = cast["civil"]
    client.force_login(civil)
    first = client.get("/projects/").context["portal"].todo_count
    Project.objects.filter(round=served).update(status=Project.Status.RECOMMENDED)
    data_version.changed()  # as the transition's audit row does
    second = client.get("/projects/").context["portal"].todo_count
    assert second != first
    # Rights are part of the key: losing the recommend/approve permissions changes the count at once.
    civil.groups.clear()
    civil.user_permissions.add(Permission.objects.get(codename="view_project"))
    civil = type(civil).objects.get(pk=civil.pk)
    client.force_login(civil)
    assert client.get("/projects/").context["portal"].todo_count != second


def test_the_directorys_filters_offer_new_places_after_a_change(client, cast, served):
    client.force_login(cast["civil"])
    page = client.get("/projects/").content.decode()
    project = Project.objects.filter(round=served).first()
    place = project.subdistrict
    place.name = "新设街道"
    place.save()
    assert "新设街道" not in page
    assert "新设街道" in client.get("/projects/").content.decode()


def test_the_number_is_written_once_at_the_commit(monkeypatch, django_capture_on_commit_callbacks, served):
    monkeypatch.setattr(data_version, "AT_COMMIT", True)
    start = data_version.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for project in Project.objects.all()[:3]:
            project.save()
        assert data_version.current() == start  # not before the commit
    assert len(callbacks) == 1  # one new number for the transaction, however many rows it wrote
    assert data_version.current() == start + 1
    assert DataVersion.objects.get(pk=1).changed_at.date() <= datetime.date.today() + datetime.timedelta(days=1)


def test_a_kept_dossier_is_never_shown_outside_its_scope_or_standing(client, cast, served):
    project = Project.objects.filter(round=served).first()
    url = f"/projects/{project.code}/"
    client.force_login(cast["civil"])
    civil_page = client.get(url).content.decode()
    client.force_login(cast["unit"])
    pages = []
    first = count_queries(lambda: pages.append(client.get(url).content.decode()))
    again = count_queries(lambda: pages.append(client.get(url).content.decode()))
    assert again < first - 5  # kept for the unit
    body = pages[0].split("<main")[1]
    assert pages[1].split("<main")[1] == body
    assert civil_page.split("<main")[1] != body  # each standing its own page (the unit sees no evaluators …)
    client.force_login(cast["unit2"])
    assert client.get(url).status_code == 404  # the scope is checked on every request, kept page or not
