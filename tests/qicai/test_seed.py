"""The demo district (seed_demo): the README's figures, in the tables and as the round report reads them."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum

from awards.constants import EXCELLENT_PROJECT
from awards.models import AwardRecord
from projects import roles
from projects.models import Agreement, Enrollment, Organization, Project, Round, ServiceCategory
from projects.selectors import round_summary
from qicai.summaries import round_report

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "admin": None,
    "committee": roles.COMMITTEE,
    "civil": roles.CIVIL_AFFAIRS,
    "association": roles.ASSOCIATION,
    "unit": roles.IMPLEMENTING_UNIT,
    "unit2": roles.IMPLEMENTING_UNIT,
    "evaluator": roles.EVALUATOR,
}


def snapshot():
    """Every row of every project-owned model, without the timestamps."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"projects", "awards", "auth"}:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"created_at", "updated_at"}]
        rows[model._meta.label] = sorted(map(repr, model.objects.values_list(*fields)))
    return rows


@pytest.fixture
def seeded(db, demo_district):
    """The demo district, seeded once for this module (see ``demo_district``)."""


def test_seed_gives_the_programme_figures(seeded):
    r2012, r2013 = Round.objects.get(year=2012), Round.objects.get(year=2013)
    assert r2012.projects.count() == 50
    assert not r2012.projects.exclude(status=Project.Status.COMPLETED).exists()
    assert r2012.projects.filter(start_date__year=2012, start_date__month=9).count() == 50
    assert r2013.projects.count() == 60
    assert r2013.budget == Decimal("1000000.00")
    assert r2013.projects.aggregate(total=Sum("approved_amount"))["total"] == Decimal("1000000.00")

    framework = Agreement.objects.get(round=r2013, kind=Agreement.Kind.FRAMEWORK)
    assert framework.status == Agreement.Status.SIGNED
    assert framework.party_a.name == "江城区人民政府"
    assert framework.party_b.type == Organization.Type.ASSOCIATION
    # Every 2013 project is approved; 58 are contracted with a signed agreement, and two wait
    # for the association's signature on a drafted agreement (so signing and release can be shown).
    assert not r2013.projects.filter(approved_amount__isnull=True).exists()
    signed = Agreement.objects.filter(round=r2013, kind=Agreement.Kind.PROJECT, status=Agreement.Status.SIGNED)
    assert signed.count() == 58
    contracted = r2013.projects.exclude(status=Project.Status.APPROVED)
    assert set(signed.values_list("project", flat=True)) == set(contracted.values_list("pk", flat=True))
    drafts = Agreement.objects.filter(round=r2013, kind=Agreement.Kind.PROJECT, status=Agreement.Status.DRAFT)
    assert sorted(drafts.values_list("project__code", flat=True)) == ["QC-2013-059", "QC-2013-060"]
    assert sorted(r2013.projects.filter(status=Project.Status.APPROVED).values_list("code", flat=True)) == [
        "QC-2013-059",
        "QC-2013-060",
    ]

    awards = AwardRecord.objects.filter(round=r2012, award_type__code=EXCELLENT_PROJECT)
    assert awards.count() == 10
    assert sorted(awards.values_list("rank", flat=True)) == list(range(1, 11))
    assert not awards.exclude(project__round=r2012).exists()


def test_seed_builds_the_district(seeded):
    T = Organization.Type
    assert Organization.objects.filter(type=T.SUBDISTRICT).count() >= 8
    assert not Organization.objects.filter(type=T.SUBDISTRICT, children__isnull=True).exists()
    assert Organization.objects.filter(type=T.AGENCY).count() >= 20
    assert Organization.objects.filter(type=T.ENTERPRISE).count() >= 5
    for short in ["区社工委", "区民政局", "区社工办", "区社工协会"]:
        assert Organization.objects.filter(short_name=short).exists()
    assert ServiceCategory.objects.count() == 7
    for organization in Organization.objects.exclude(credit_code=""):
        organization.full_clean()


def test_seed_creates_one_user_per_role(seeded, settings):
    User = get_user_model()
    for username, role in DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password(settings.QICAI_DEMO_PASSWORD)
        assert user.membership.organization
        if role:
            assert list(user.groups.values_list("name", flat=True)) == [role]
        else:
            assert user.is_superuser
    unit, unit2 = User.objects.get(username="unit"), User.objects.get(username="unit2")
    assert unit.membership.organization != unit2.membership.organization
    for user in (unit, unit2):
        assert Project.objects.filter(implementing_unit=user.membership.organization).count() >= 3


def test_seed_twice_changes_nothing(seeded):
    before = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == before


def test_seed_has_an_open_round_with_applications_in_the_workflow(seeded):
    from projects.todo import todo_for

    r2014 = Round.objects.get(year=2014)
    assert r2014.status == Round.Status.OPEN
    statuses = sorted(r2014.projects.values_list("status", flat=True))
    assert statuses == ["draft", "recommended", "recommended", "returned", "submitted", "submitted"]
    assert all(p.audit_entries.transitions().exists() for p in r2014.projects.exclude(status="draft"))
    User = get_user_model()
    counts = {role: {i.action: i.count for i in todo_for(User.objects.get(username=role))} for role in DEMO_USERS}
    assert counts["association"]["recommend"] == 2
    assert counts["civil"]["approve"] == 2
    assert counts["unit"]["submit"] == 2


def test_seed_has_casework_with_people_served_twice(seeded):
    from django.db.models import Count

    from projects.models import Activity, Beneficiary, Enrollment, FollowUp
    from projects.validators import normalize_id_number

    assert Enrollment.objects.filter(project__round__year=2013).count() == 58 * 6
    assert Enrollment.objects.filter(project__round__year=2012, status="closed").count() == 50 * 4
    served_twice = Beneficiary.objects.annotate(n=Count("enrollments")).filter(n__gt=1)
    assert served_twice.exists()
    assert Beneficiary.objects.count() < Enrollment.objects.count()
    for person in Beneficiary.objects.exclude(id_number=""):
        assert normalize_id_number(person.id_number) == person.id_number
    assert FollowUp.objects.count() > Enrollment.objects.count()
    assert Activity.objects.filter(volunteers__isnull=False).exists()
    unit = get_user_model().objects.get(username="unit")
    assert Enrollment.objects.visible_to(unit).exists()
    assert not Enrollment.objects.visible_to(unit).exclude(project__implementing_unit=unit.membership.organization)


def test_seeded_money_position(seeded):
    from projects.figures import leverage
    from projects.models import Instalment, InstalmentCondition

    r2013 = Round.objects.with_money().get(year=2013)
    assert r2013.approved_total == Decimal("1000000.00") == r2013.budget
    assert r2013.disbursed_total == Decimal("388000.00")  # 首期 40% of the 58 contracted projects
    assert leverage(r2013.social_total, r2013.approved_total) == Decimal("0.30")
    r2012 = Round.objects.with_money().get(year=2012)
    assert r2012.disbursed_total == r2012.approved_total == Decimal("800000.00")
    for project in Project.objects.filter(round__year__in=[2012, 2013]).prefetch_related("budget_lines"):
        assert sum(line.amount for line in project.budget_lines.all()) == project.requested_amount
    for project in Project.objects.filter(instalments__isnull=False).distinct():
        assert sum(i.amount for i in project.instalments.all()) == project.approved_amount
    assert InstalmentCondition.SIGNED in set(Instalment.objects.values_list("condition", flat=True))


def test_seeded_2012_ranking_top_ten_are_its_award_records(seeded):
    from awards.models import Nomination
    from projects.services import round_ranking

    round_2012 = Round.objects.get(year=2012)
    evaluations, distribution = round_ranking(round_2012)
    assert len(evaluations) == 50 and sum(distribution.values()) == 50
    top_ten = [e.project_id for e in evaluations[:10]]
    records = AwardRecord.objects.filter(round=round_2012, award_type__code="excellent-project").order_by("rank")
    assert top_ten == [r.project_id for r in records]
    assert evaluations[9].score > evaluations[10].score  # no tie at the cut
    assert Nomination.objects.filter(round=round_2012, status="confirmed").count() == 10


def test_the_summaries_read_the_readme_figures(seeded):
    """The round report (qicai.summaries) reads the demo rounds as the README states them."""
    r2013 = Round.objects.get(year=2013)
    summary = round_summary(r2013)
    assert summary.projects == 60 and summary.money.approved == Decimal("1000000.00") == summary.money.budget
    assert summary.money.leverage == Decimal("0.30")
    assert summary.service.cases == Enrollment.objects.filter(project__round=r2013).count()
    r2012 = Round.objects.get(year=2012)
    report = round_report(r2012)
    assert report.summary.projects == 50 and sum(report.summary.grades["结项评估"].values()) == 50
    assert sum(report.summary.awards.values()) == AwardRecord.objects.filter(round=r2012).count() == 10
    assert len(report.breakdowns["category"]) == ServiceCategory.objects.count()
