"""The demo district reads as real to a Chinese reader: names that agree with the gender of the ID number,
birth dates and phone numbers that look like people's, amounts an office would approve, a main agency in
good standing, something in every role's 待办, and the projects' history in the workflow log."""

import datetime
import itertools
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.urls import reverse

from awards.models import Nomination
from projects.audit import AuditAction
from projects.models import (
    AgencyStanding,
    AuditEntry,
    ComplianceNote,
    Enrollment,
    Evaluation,
    EvaluationKind,
    Instalment,
    Organization,
    Project,
    Round,
    SocialFund,
    SocialWorker,
    Volunteer,
)
from projects.models.casework import Gender
from projects.states import ProjectStatus
from qicai.demo import UNIT2_AGENCY, UNIT_AGENCY, given_names
from qicai.todo import todo_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "committee", "civil", "association", "unit", "unit2", "evaluator"]
# Mobile prefixes Chinese operators had in use by 2014 (China Mobile, China Unicom, China Telecom).
REAL_PREFIXES = {
    *(f"13{digit}" for digit in range(10)),
    *("145", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("170", "176", "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189"),
}
MOBILE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def seeded(db, demo_district):
    """The demo district, seeded once for this module (see ``demo_district``)."""


def people():
    """Everyone the demo names with a gender: the cases, the social workers and the volunteers."""
    return [
        *Enrollment.objects.values_list("code", "name", "gender"),
        *SocialWorker.objects.values_list("pk", "name", "gender"),
        *Volunteer.objects.values_list("pk", "name", "gender"),
    ]


def test_gender_agrees_with_the_id_number_and_the_name(seeded):
    cases = Enrollment.objects.exclude(beneficiary__id_number="").values_list(
        "code", "gender", "date_of_birth", "beneficiary__id_number"
    )
    assert len(cases) > 400
    for code, gender, born, id_number in cases:
        assert gender == (Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE), (code, id_number)
        assert id_number[6:14] == f"{born:%Y%m%d}", (code, id_number)
    assert not Enrollment.objects.exclude(gender__in=[Gender.MALE, Gender.FEMALE]).exists()
    male, female = given_names(Gender.MALE), given_names(Gender.FEMALE)
    assert not male & female
    for key, name, gender in people():
        assert name[1:] in (male if gender == Gender.MALE else female), (key, name, gender)


def test_birth_dates_vary_like_people_s(seeded):
    births = [born for (born,) in Enrollment.objects.values_list("date_of_birth").distinct()]
    assert len(births) > 400
    month_days = Counter((born.month, born.day) for born in births)
    assert len(month_days) > 250
    assert sum(born.month == born.day for born in births) < len(births) * 0.08  # chance gives about 3%
    assert month_days.most_common(1)[0][1] <= 10  # as chance gives, not a pattern
    assert len({born.year for born in births}) > 50
    # The generations: elderly people born before 1960, idle youth after 1985.
    elderly = Enrollment.objects.filter(special_group="elderly").values_list("date_of_birth", flat=True)
    youth = Enrollment.objects.filter(special_group="youth").values_list("date_of_birth", flat=True)
    assert max(elderly).year < 1960 and min(youth).year >= 1985


def test_phone_numbers_look_real_and_are_not_sequential(seeded):
    phones = [
        *Enrollment.objects.values_list("phone", flat=True),
        *SocialWorker.objects.values_list("phone", flat=True),
        *Volunteer.objects.values_list("phone", flat=True),
    ]
    for phone in phones:
        assert MOBILE.fullmatch(phone) and phone[:3] in REAL_PREFIXES, phone
    assert len({phone[:3] for phone in phones}) >= 15
    # One number per person: a person served in two projects keeps the number both units recorded.
    per_person = Enrollment.objects.values("beneficiary").distinct().count()
    assert Enrollment.objects.values("phone").distinct().count() == per_person
    staff = [*SocialWorker.objects.values_list("phone", flat=True), *Volunteer.objects.values_list("phone", flat=True)]
    assert len(set(staff)) == len(staff) and not set(staff) & set(Enrollment.objects.values_list("phone", flat=True))
    numbers = sorted(int(phone) for phone in set(phones))
    assert sum(b - a < 100 for a, b in itertools.pairwise(numbers)) < 3
    # The organisations' numbers are landlines of the city, no two alike.
    landlines = list(Organization.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(landlines) >= 20 and len(set(landlines)) == len(landlines)
    for phone in landlines:
        assert re.fullmatch(r"025-[58]\d{7}", phone), phone


def test_approved_amounts_are_round_figures_that_add_up(seeded):
    for year, total in [(2012, Decimal("800000.00")), (2013, Decimal("1000000.00"))]:
        amounts = list(Project.objects.filter(round__year=year).values_list("approved_amount", flat=True))
        assert amounts and all(amount % 1000 == 0 for amount in amounts), year
        assert sum(amounts) == total
        assert len(set(amounts)) >= 6  # not one pattern repeated
        assert all(Decimal("10000") <= amount <= Decimal("30000") for amount in amounts)
    assert not [p for p in Project.objects.filter(round__year=2013) if p.requested_amount % 500]
    funds = SocialFund.objects.filter(project__round__year=2013)
    assert funds.aggregate(total=Sum("amount"))["total"] == Decimal("300000.00")
    assert all(fund.amount % 1000 == 0 for fund in funds)


def test_the_main_demo_units_are_members_and_a_suspension_says_why(seeded, client):
    User = get_user_model()
    for username, agency in [("unit", UNIT_AGENCY), ("unit2", UNIT2_AGENCY)]:
        organization = User.objects.get(username=username).membership.organization
        assert organization.name == agency
        assert organization.standing.membership_status == AgencyStanding.Membership.MEMBER
        assert not organization.compliance_notes.filter(resolved=False).exists()
    suspended = AgencyStanding.objects.filter(membership_status=AgencyStanding.Membership.SUSPENDED)
    assert suspended.exists()
    client.force_login(User.objects.get(username="association"))
    for standing in suspended.select_related("organization"):
        explanation = standing.organization.compliance_notes.get(resolved=False)
        assert explanation.kind == ComplianceNote.Kind.RECTIFICATION and "暂停会籍" in explanation.note
        page = client.get(reverse("admin:projects_organization_change", args=[standing.organization_id]))
        assert explanation.note in page.content.decode()
        # It runs no live project while suspended.
        assert not Project.objects.filter(
            implementing_unit=standing.organization, status=ProjectStatus.IN_PROGRESS
        ).exists()


def test_every_role_finds_something_in_its_todo(seeded):
    User = get_user_model()
    counts = {
        username: {item.action: item.count for item in todo_for(User.objects.get(username=username))}
        for username in ROLES
    }
    for username, items in counts.items():
        assert any(items.values()), (username, items)
    assert counts["evaluator"]["score"] >= 1
    assert counts["committee"]["decide_nomination"] >= 1


def test_an_open_2013_evaluation_waits_for_evaluator(seeded):
    evaluator = get_user_model().objects.get(username="evaluator")
    evaluation = Evaluation.objects.get(evaluators=evaluator, status=Evaluation.Status.OPEN)
    project = evaluation.project
    assert project.round.year == 2013 and evaluation.kind == EvaluationKind.MIDTERM
    assert project.status == ProjectStatus.IN_PROGRESS
    assert project.start_date < evaluation.due_date <= project.end_date
    assert evaluation.evaluators.count() == 3
    assert not evaluation.scorecards.filter(evaluator=evaluator).exists()
    assert evaluation.scorecards.filter(status="submitted").count() == 1  # one expert has scored already
    assert project.implementing_unit.name not in {UNIT_AGENCY, UNIT2_AGENCY}


def test_a_nomination_waits_for_the_committee(seeded):
    pending = Nomination.objects.get(status=Nomination.Status.PENDING)
    assert pending.round.year == 2013 and pending.reason
    assert AuditEntry.objects.filter(action=AuditAction.NOMINATION_CREATE, object_id=str(pending.pk)).exists()


def test_every_project_past_draft_has_its_history_in_the_workflow_log(seeded):
    projects = Project.objects.filter(round__year__in=[2012, 2013, 2014]).exclude(status=ProjectStatus.DRAFT)
    assert projects.count() == 50 + 60 + 5
    log = {}
    for entry in AuditEntry.objects.filter(project__in=projects).select_related("actor").for_timeline():
        log.setdefault(entry.project_id, []).append(entry)
    for project in projects:
        entries = log[project.pk]
        assert entries[0].action == AuditAction.PROJECT_CREATE, project.code
        transitions = [entry for entry in entries if entry.from_status or entry.to_status]
        assert transitions, project.code
        status = ProjectStatus.DRAFT
        for entry in transitions:
            assert entry.from_status == status, (project.code, entry.action, entry.from_status, status)
            status = entry.to_status
        assert status == project.status, project.code
        for entry in entries:
            assert entry.actor is not None and entry.actor.get_full_name(), (project.code, entry.action)
            # Dated in the programme's years, between the year before the round and the one after.
            assert project.round.year - 1 <= entry.at.year <= project.round.year + 1, (project.code, entry.at)
    # Who did what: units submit and start, the association recommends, civil affairs approves.
    actors = {
        action: set(
            AuditEntry.objects.filter(project__in=projects, action=action).values_list("actor__username", flat=True)
        )
        for action in [AuditAction.PROJECT_RECOMMEND, AuditAction.PROJECT_APPROVE]
    }
    assert actors == {AuditAction.PROJECT_RECOMMEND: {"association"}, AuditAction.PROJECT_APPROVE: {"civil"}}
    submitters = AuditEntry.objects.filter(project__in=projects, action=AuditAction.PROJECT_SUBMIT)
    for entry in submitters.select_related("project", "actor__membership"):
        assert entry.actor.membership.organization_id == entry.project.implementing_unit_id, entry.project.code


def test_nothing_in_the_demo_s_audit_trail_is_dated_today(seeded):
    """The seed writes the past: no audit row, nomination, evaluation or project carries the day it was seeded."""
    assert not AuditEntry.objects.filter(at__year__gt=2014).exists()
    assert not Nomination.objects.filter(created_at__year__gt=2014).exists()
    assert not Evaluation.objects.filter(created_at__year__gt=2014).exists()
    assert not Project.objects.filter(updated_at__year__gt=2014).exists()  # the open data's lastModified
    assert not Instalment.objects.filter(released_at__year__gt=2014).exists()
    approvals = AuditEntry.objects.filter(action=AuditAction.PROJECT_APPROVE, project__round__year=2013)
    assert {entry.at.date() for entry in approvals} == {datetime.date(2013, 9, 5)}  # the approval meeting
    round_2013 = Round.objects.get(year=2013)
    assert all(entry.at.date() < round_2013.launch_date for entry in approvals)


def test_the_demo_s_access_log_has_an_unusual_reading_day(seeded):
    """异常查阅 has something to show: the committee's 72 case files on 11 April 2014, not unit's nine."""
    from projects.access_log import unusual_reading

    flagged = unusual_reading(datetime.date(2014, 4, 1), datetime.date(2014, 4, 30))
    assert [(row.user.username, row.day, row.reads) for row in flagged] == [
        ("committee", datetime.date(2014, 4, 11), 72)
    ]
    everyone = unusual_reading(datetime.date(2014, 4, 1), datetime.date(2014, 4, 30), flagged_only=False)
    assert {(row.user.username, row.reads) for row in everyone} == {("committee", 72), ("unit", 9)}
