import pytest
from django.core.management import call_command
from django.db import transaction

from projects import roles
from tests.factories import OrganizationFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore what the migrations wrote (serialized_rollback).

    Without it, the flush after the test recreates content types under new ids and leaves no role groups, and
    the next transactional test (or the content-type cache) breaks in ways that depend on the order of tests.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores uploads in a folder of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_figures(request, monkeypatch):
    """Each test starts with an empty cache; in a test whose transaction never commits (all but the
    transactional ones), a change makes a new data version at once rather than at the commit."""
    from django.core.cache import cache

    from projects import data_version

    cache.clear()
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not transactional:
        monkeypatch.setattr(data_version, "AT_COMMIT", False)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def unit_org(db):
    return OrganizationFactory(name="阳光社工（测试）")


@pytest.fixture
def unit2_org(db):
    return OrganizationFactory(name="心桥社工（测试）")


@pytest.fixture
def cast(db, unit_org, unit2_org):
    """One user per role plus an outsider unit (healthchecks' alice / bob / charlie)."""
    association = OrganizationFactory(name="社工协会（测试）", type="association")
    civil_affairs = OrganizationFactory(name="民政局（测试）", type="government")
    committee = OrganizationFactory(name="社工委（测试）", type="government")
    evaluation = OrganizationFactory(name="评估中心（测试）", type="other")
    return {
        "committee": UserFactory(username="committee", role=roles.COMMITTEE, organization=committee),
        "civil": UserFactory(username="civil", role=roles.CIVIL_AFFAIRS, organization=civil_affairs),
        "association": UserFactory(username="association", role=roles.ASSOCIATION, organization=association),
        "unit": UserFactory(username="unit", role=roles.IMPLEMENTING_UNIT, organization=unit_org),
        "unit2": UserFactory(username="unit2", role=roles.IMPLEMENTING_UNIT, organization=unit2_org),
        "evaluator": UserFactory(username="evaluator", role=roles.EVALUATOR, organization=evaluation),
    }


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    """The demo district (``seed_demo``), seeded once for the tests of a module that ask for it.

    It lives in a transaction that is rolled back after the module; each test still runs in a
    savepoint of its own, so what a test changes is gone before the next. Not for transactional tests.
    Once seeded, the district is there for the module's later tests too, whether they ask or not: a
    test that needs a database without it belongs in another module (tests/qicai/test_seed_command.py).
    The browser tests seed their own (they are transactional), once per journey.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
