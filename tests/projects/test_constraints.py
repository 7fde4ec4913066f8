"""Every database constraint rejects what it should (checked in the database, not only in forms)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from awards.models import AwardRecord
from projects.models import Agreement, Organization, Project, Round
from tests.factories import (
    AgreementFactory,
    AwardRecordFactory,
    AwardTypeFactory,
    CommunityFactory,
    OrganizationFactory,
    ProjectFactory,
    RoundFactory,
    valid_credit_code,
)

pytestmark = pytest.mark.django_db


def rejects(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_credit_code_unique_when_present_but_blank_may_repeat():
    OrganizationFactory(credit_code=valid_credit_code(1))
    rejects(lambda: OrganizationFactory(credit_code=valid_credit_code(1)))
    OrganizationFactory(credit_code="")
    OrganizationFactory(credit_code="")


def test_community_needs_a_subdistrict():
    rejects(lambda: OrganizationFactory(type=Organization.Type.COMMUNITY, parent=None))
    CommunityFactory()


def test_organization_cannot_be_its_own_parent():
    org = OrganizationFactory()
    rejects(lambda: Organization.objects.filter(pk=org.pk).update(parent=org))


def test_round_budget_and_year():
    rejects(lambda: RoundFactory(year=2040, budget=Decimal("-0.01")))
    rejects(lambda: RoundFactory(year=1999))
    RoundFactory(year=2040)
    rejects(lambda: Round.objects.create(year=2040, title="重复", budget=1))


def test_project_amounts_never_negative():
    project = ProjectFactory()
    rejects(lambda: Project.objects.filter(pk=project.pk).update(requested_amount=Decimal("-1")))
    rejects(lambda: Project.objects.filter(pk=project.pk).update(approved_amount=Decimal("-0.01")))
    Project.objects.filter(pk=project.pk).update(approved_amount=Decimal("0"))


def test_project_end_never_before_start():
    project = ProjectFactory(start_date=datetime.date(2013, 10, 1))
    rejects(lambda: Project.objects.filter(pk=project.pk).update(end_date=datetime.date(2013, 9, 30)))
    Project.objects.filter(pk=project.pk).update(end_date=datetime.date(2013, 10, 1))


def test_project_sequence_unique_per_round():
    project = ProjectFactory()
    other = ProjectFactory(round=project.round)
    assert other.sequence == project.sequence + 1
    rejects(lambda: Project.objects.filter(pk=other.pk).update(sequence=project.sequence))


def test_project_codes_follow_the_round():
    round_ = RoundFactory(year=2013)
    first, second = ProjectFactory(round=round_), ProjectFactory(round=round_)
    assert (first.code, second.code) == ("QC-2013-001", "QC-2013-002")
    assert ProjectFactory(round=RoundFactory(year=2014)).code == "QC-2014-001"


def test_agreement_project_matches_kind():
    project = ProjectFactory()
    rejects(lambda: AgreementFactory(kind=Agreement.Kind.PROJECT, project=None, round=project.round))
    rejects(lambda: AgreementFactory(kind=Agreement.Kind.FRAMEWORK, project=project))
    AgreementFactory(kind=Agreement.Kind.FRAMEWORK, project=None, round=project.round)


def test_agreement_amount_term_and_signature():
    rejects(lambda: AgreementFactory(amount=Decimal("-5")))
    rejects(lambda: AgreementFactory(term_start=datetime.date(2013, 10, 1), term_end=datetime.date(2013, 9, 1)))
    rejects(lambda: AgreementFactory(status=Agreement.Status.SIGNED, signed_date=None))
    org = OrganizationFactory()
    rejects(lambda: AgreementFactory(party_a=org, party_b=org))


def test_one_live_framework_per_round_and_one_live_agreement_per_project():
    round_ = RoundFactory()
    first = AgreementFactory(kind=Agreement.Kind.FRAMEWORK, project=None, round=round_)
    rejects(lambda: AgreementFactory(kind=Agreement.Kind.FRAMEWORK, project=None, round=round_))
    Agreement.objects.filter(pk=first.pk).update(status=Agreement.Status.TERMINATED)
    AgreementFactory(kind=Agreement.Kind.FRAMEWORK, project=None, round=round_)

    agreement = AgreementFactory()
    rejects(lambda: AgreementFactory(project=agreement.project))
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.TERMINATED)
    AgreementFactory(project=agreement.project)


def test_award_record_has_exactly_one_recipient():
    project = ProjectFactory()
    award_type = AwardTypeFactory()
    base = {"round": project.round, "award_type": award_type, "awarded_on": datetime.date(2013, 9, 16)}
    rejects(lambda: AwardRecord.objects.create(**base))
    rejects(lambda: AwardRecord.objects.create(**base, project=project, person_name="张三"))
    rejects(lambda: AwardRecord.objects.create(**base, project=project, organization=project.implementing_unit))
    rejects(lambda: AwardRecord.objects.create(**base, organization=project.implementing_unit, person_name="张三"))
    AwardRecord.objects.create(**base, person_name="张三")
    AwardRecord.objects.create(**base, organization=project.implementing_unit)
    AwardRecord.objects.create(**base, project=project)


def test_award_record_same_recipient_twice_and_ranks():
    record = AwardRecordFactory(rank=1)
    rejects(lambda: AwardRecordFactory(project=record.project, round=record.round, award_type=record.award_type))
    rejects(lambda: AwardRecordFactory(round=record.round, award_type=record.award_type, rank=1))
    rejects(lambda: AwardRecordFactory(rank=0))
    person = {"round": record.round, "award_type": record.award_type, "project": None}
    AwardRecordFactory(**person, person_name="李四")
    rejects(lambda: AwardRecordFactory(**person, person_name="李四"))
