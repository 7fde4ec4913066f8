"""The losers of a race that arrive after the winner committed: a Chinese "already handled" answer.

The race tests (``test_concurrency_views``, PostgreSQL only) cannot choose whether a loser's request
starts before or after the winner commits; these tests take the second path on purpose, on every
database: the page was loaded, somebody else pressed the button first, then this user posts.
"""

import datetime
import secrets
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from projects.models import Enrollment, Instalment, Project, Round
from projects.services import instalment_release, project_approve, project_sign
from tests.casework_factories import case_add_form, enroll, live_project, make_id
from tests.factories import RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
S = Project.Status


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_approval_posted_after_another_says_it_was_handled(client, cast):
    project = project_in_state(S.RECOMMENDED, round=RoundFactory(year=2014, status=Round.Status.OPEN))
    project_approve(project=project, by=cast["civil"], amount="20000", expected_version=0)
    client.force_login(cast["civil"])
    url = reverse("admin:projects_project_transition", args=[project.pk, "approve"])
    response = client.post(url, {"version": "0", "amount": "15000", "comment": ""})
    assert response.status_code == 302
    assert messages_of(response) == ["该项目已被他人处理，本次操作未生效。请查看最新状态。"]
    project.refresh_from_db()
    assert (project.version, project.approved_amount) == (1, Decimal("20000.00"))


def test_release_posted_after_another_says_it_was_handled(client, cast, unit_org):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=Decimal("100000.00"))
    project = project_in_state(S.APPROVED, round=round_, implementing_unit=unit_org)
    project_sign(project=project, by=cast["association"], signed_date=datetime.date(2014, 3, 5))
    first = project.instalments.get(sequence=1)
    instalment_release(
        instalment=first,
        by=cast["civil"],
        released_on=datetime.date(2014, 3, 20),
        voucher_number="JCMZ-2014-007",
        expected_version=0,
    )
    client.force_login(cast["civil"])
    url = reverse("admin:projects_instalment_release", args=[first.pk])
    response = client.post(url, {"version": "0", "released_on": "2014-03-21", "voucher_number": "JCMZ-2014-008"})
    assert response.status_code == 302
    assert messages_of(response) == ["该期款项已被他人处理，本次登记未生效。请刷新后查看。"]
    first.refresh_from_db()
    assert (first.status, first.version, first.voucher_number) == (Instalment.Status.RELEASED, 1, "JCMZ-2014-007")
    # Opening the page again (not a stale post) still says plainly why there is nothing to do.
    response = client.get(url)
    assert response.status_code == 302 and "已拨付" in messages_of(response)[-1]


def test_case_opening_posted_after_another_says_it_exists(client, cast, unit_org):
    project = live_project(unit_org)
    enroll(project, cast["unit"], name="王秀英", id_number=make_id())
    client.force_login(cast["unit"])
    data = case_add_form(project, name="王秀英", id_number=make_id(), _submission=secrets.token_urlsafe(24))
    response = client.post(reverse("admin:projects_enrollment_add"), data)
    assert response.status_code == 200
    assert "该服务对象已在本项目建档" in response.content.decode()
    assert Enrollment.objects.count() == 1
