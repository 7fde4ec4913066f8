"""The dashboard's and the directory's query counts stay flat from 10 to 1,000 projects."""

from decimal import Decimal as D

import pytest
from django.db import transaction

from projects.models import Project, Round, RubricTemplate
from projects.services.workflow import project_create_many
from tests.factories import CommunityFactory, RoundFactory, ServiceCategoryFactory
from tests.helpers import grow_served_projects, measure

pytestmark = pytest.mark.django_db
URLS = [
    "/",
    "/?round=2014",
    "/projects/",
    "/projects/?round=2014&sort=-amount&page=3",
    "/projects/?grade=good&q=测试",
]


def grow_plain_projects(round_, unit, by, n: int) -> None:
    """``n`` running projects in new places and categories, inserted in bulk (the import's path)."""
    categories = [ServiceCategoryFactory() for _ in range(3)]
    communities = [CommunityFactory() for _ in range(4)]
    projects = [
        Project(
            title=f"批量项目{i}",
            round=round_,
            implementing_unit=unit,
            category=categories[i % 3],
            subdistrict=communities[i % 4].parent,
            community=communities[i % 4],
            target_group="老人",
            requested_amount=D("20000.00"),
            service_model=["sw_volunteer", "agency_community", "government_agency"][i % 3],
        )
        for i in range(n)
    ]
    with transaction.atomic():
        project_create_many(projects=projects, by=by)
    Project.objects.filter(title__startswith="批量项目").update(
        status=Project.Status.IN_PROGRESS, approved_amount=D("15000.00")
    )


@pytest.mark.parametrize("role", ["civil", "unit"])
def test_portal_query_counts_are_flat(client, cast, unit_org, superuser, role):
    round_ = RoundFactory(year=2014, status=Round.Status.IN_PROGRESS, budget=D("50000000.00"))
    template = RubricTemplate.objects.create(name="评分", kind="final")
    grow_served_projects(round_, unit_org, cast["unit"], 10, start=100, template=template)
    client.force_login(cast[role])
    small = measure(client, URLS)
    grow_plain_projects(round_, unit_org, superuser, 990)
    assert Project.objects.count() == 1000
    client.force_login(cast[role])
    assert measure(client, URLS) == small
