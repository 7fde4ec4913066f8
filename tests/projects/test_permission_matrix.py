"""Every role (plus an anonymous visitor and the outsider unit) × every transition: allowed or refused.

The other guarded actions (releases, agreements, scans, evaluations, reveals, awards …) are in
test_permission_matrix_actions.py."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from projects.models import AuditEntry, Project, Round
from projects.services import TRANSITION_SERVICES, WorkflowError
from projects.workflow import TRANSITIONS
from tests.factories import RoundFactory, UserFactory, project_in_state

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "committee", "civil", "association", "unit", "unit2", "evaluator", "superuser"]
ALLOWED = {
    "submit": {"unit", "superuser"},
    "recommend": {"association", "superuser"},
    "return": {"association", "superuser"},
    "reject": {"association", "superuser"},
    "approve": {"civil", "superuser"},
    "sign": {"association", "civil", "superuser"},
    "start": {"civil", "unit", "superuser"},
    "terminate": {"civil", "superuser"},
    "archive": {"civil", "superuser"},
}
ARGUMENTS = {
    "approve": {"amount": Decimal("15000.00")},
    "sign": {"signed_date": datetime.date(2014, 2, 20)},
}


def test_the_matrix_covers_every_manual_transition():
    manual = {action for action, transition in TRANSITIONS.items() if transition.manual}
    assert set(ALLOWED) == manual == set(TRANSITION_SERVICES)


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("actor", ACTORS)
def test_transition_permission(cast, unit_org, actor, action):
    users = {**cast, "anonymous": AnonymousUser(), "superuser": UserFactory(is_superuser=True)}
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    source = sorted(TRANSITIONS[action].sources)[0]
    project = project_in_state(source, round=round_, implementing_unit=unit_org)
    arguments = {"comment": "审核意见：请按要求办理", **ARGUMENTS.get(action, {})}

    service = TRANSITION_SERVICES[action]
    if actor in ALLOWED[action]:
        service(project=project, by=users[actor], **arguments)
        project.refresh_from_db()
        assert project.status == TRANSITIONS[action].target
        assert AuditEntry.objects.filter(project=project, action=f"project.{action}").count() == 1
    else:
        with pytest.raises(WorkflowError) as error:
            service(project=project, by=users[actor], **arguments)
        assert error.value.message  # a Chinese sentence for the user, never a stack trace
        project.refresh_from_db()
        assert project.status == source
        assert not AuditEntry.objects.transitions().filter(project=project).exists()


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_no_transition_from_a_wrong_state(cast, action):
    superuser = UserFactory(is_superuser=True)
    round_ = RoundFactory(year=2014, status=Round.Status.OPEN)
    for status in set(Project.Status) - TRANSITIONS[action].sources:
        project = project_in_state(status, round=round_)
        with pytest.raises(WorkflowError, match="不能执行"):
            TRANSITION_SERVICES[action](project=project, by=superuser, comment="意见", **ARGUMENTS.get(action, {}))
        project.refresh_from_db()
        assert project.status == status
