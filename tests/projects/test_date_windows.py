"""Dates default sensibly and lie within the period they belong to: signing and releasing in a 2013 round
cannot be dated 2026, and the forms offer a date of the round when today lies outside it."""

import datetime

import pytest

from projects.forms import SignForm
from projects.models import Agreement, Instalment, Project
from projects.services import WorkflowError, agreement_sign_framework, instalment_release, project_sign
from projects.states import Action
from projects.validators import default_in_window
from projects.workflow import TRANSITIONS
from tests.factories import AgreementFactory, RoundFactory, project_in_state

pytestmark = pytest.mark.django_db
LATE = datetime.date(2026, 11, 1)


@pytest.fixture
def round_2013(db):
    return RoundFactory(year=2013, period_start=datetime.date(2013, 9, 16), period_end=datetime.date(2014, 9, 30))


def test_the_default_is_today_inside_the_window_else_the_rounds_start(round_2013):
    today = datetime.date.today()
    assert default_in_window(today.year) == today
    assert default_in_window(2013, datetime.date(2013, 9, 16)) == datetime.date(2013, 9, 16)
    assert default_in_window(2013) == datetime.date(2013, 1, 1)
    assert default_in_window(2013, datetime.date(1999, 1, 1)) == datetime.date(2012, 1, 1)  # into the window


def test_signing_a_2013_project_in_2026_is_refused_and_the_form_offers_2013(cast, unit_org, round_2013):
    project = project_in_state(Project.Status.APPROVED, round=round_2013, implementing_unit=unit_org)
    with pytest.raises(WorkflowError) as refused:
        project_sign(project=project, by=cast["civil"], signed_date=LATE)
    assert refused.value.message.startswith("签订日期：日期应在2012年1月1日至2015年12月31日之间")
    form = SignForm(project=project, transition=TRANSITIONS[Action.SIGN])
    assert form.fields["signed_date"].initial == datetime.date(2013, 9, 16)


def test_a_framework_agreement_of_2013_cannot_be_signed_in_2026(cast, round_2013):
    agreement = AgreementFactory(kind=Agreement.Kind.FRAMEWORK, round=round_2013, project=None)
    with pytest.raises(WorkflowError) as refused:
        agreement_sign_framework(agreement=agreement, by=cast["civil"], signed_date=LATE)
    assert "签订日期：日期应在" in refused.value.message


def test_a_release_is_dated_within_the_rounds_window(cast, unit_org, round_2013):
    project = project_in_state(Project.Status.IN_PROGRESS, round=round_2013, implementing_unit=unit_org)
    AgreementFactory(project=project, status=Agreement.Status.SIGNED, signed_date=datetime.date(2013, 9, 20))
    instalment = Instalment.objects.create(
        project=project,
        sequence=1,
        name="首期",
        percent=40,
        amount=project.approved_amount * 4 / 10,
        condition="signed",
    )
    with pytest.raises(WorkflowError) as refused:
        instalment_release(instalment=instalment, by=cast["civil"], released_on=LATE, voucher_number="PZ-1")
    assert refused.value.message.startswith("拨付日期：日期应在")
    instalment.refresh_from_db()
    assert instalment.status == Instalment.Status.PLANNED
    released = instalment_release(
        instalment=instalment, by=cast["civil"], released_on=datetime.date(2013, 10, 8), voucher_number="PZ-1"
    )
    assert released.status == Instalment.Status.RELEASED


def test_a_follow_up_lies_between_the_intake_and_the_projects_end_and_defaults_inside(client, cast, unit_org):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from projects.models import FollowUp
    from tests.casework_factories import enroll, live_project

    project = live_project(unit_org, start_date=datetime.date(2014, 3, 1), end_date=datetime.date(2015, 2, 28))
    case = enroll(project, cast["unit"])
    after_end = FollowUp(enrollment=case, date=datetime.date(2015, 3, 2), method="visit")
    with pytest.raises(ValidationError) as refused:
        after_end.clean()
    assert "跟踪日期不能晚于项目结束日期（2015年2月28日）" in str(refused.value)
    FollowUp(enrollment=case, date=datetime.date(2015, 2, 28), method="visit").clean()  # its last day is fine
    client.force_login(cast["unit"])
    page = client.get(reverse("admin:projects_enrollment_change", args=[case.pk])).content.decode()
    assert 'name="follow_ups-0-date" value="2015-02-28"' in page  # the project has ended: its last day
