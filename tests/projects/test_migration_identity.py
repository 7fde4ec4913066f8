"""The move of identity from the shared person onto each case (migrations 0013–0015) loses nothing."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("projects", "0012_reevaluation_after_failure")]
AFTER = [("projects", "0015_person_key_only")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_people_and_cases_keep_their_identity(back_to_latest):
    old = migrate(BEFORE)
    Organization = old.get_model("projects", "Organization")
    Round = old.get_model("projects", "Round")
    Category = old.get_model("projects", "ServiceCategory")
    Project = old.get_model("projects", "Project")
    Beneficiary = old.get_model("projects", "Beneficiary")
    Enrollment = old.get_model("projects", "Enrollment")
    SocialWorker = old.get_model("projects", "SocialWorker")
    first_unit = Organization.objects.create(name="甲机构", short_name="甲", type="agency")
    second_unit = Organization.objects.create(name="乙机构", short_name="乙", type="agency")
    subdistrict = Organization.objects.create(name="江城街道", short_name="江城街道", type="subdistrict")
    community = Organization.objects.create(name="江城社区", short_name="江城", type="community", parent=subdistrict)
    round_ = Round.objects.create(year=2013, title="2013年度", budget=1)
    category = Category.objects.create(name="红·矫正", colour_name="红", colour="#C0392B", target_group="矫正", order=1)

    def project(unit, sequence):
        return Project.objects.create(
            code=f"QC-2013-{sequence:03d}",
            sequence=sequence,
            title="项目",
            round=round_,
            implementing_unit=unit,
            category=category,
            target_group="社区矫正人员",
            status="in_progress",
        )

    a, b = project(first_unit, 1), project(second_unit, 2)
    person = Beneficiary.objects.create(
        code="FW00000001",
        name="王秀英",
        gender="female",
        date_of_birth=datetime.date(1958, 3, 17),
        id_number="320105195803171220",
        phone="138 1234 5678",
        community=community,
        special_group="correction",
        registered_by=first_unit,
    )
    intake = {"intake_date": datetime.date(2013, 11, 1), "consent_on": datetime.date(2013, 11, 1)}
    Enrollment.objects.create(beneficiary=person, project=a, **intake)
    Enrollment.objects.create(beneficiary=person, project=b, **intake)
    SocialWorker.objects.create(name="社工", employer=first_unit, phone="+86 139 0000 1111")
    # Values entered before the rules existed: a landline without area code, typos in dates.
    legacy = Beneficiary.objects.create(
        code="FW00000002",
        name="李桂兰",
        id_number="",
        phone="8456 1234",
        special_group="elderly",
        registered_by=old.get_model("projects", "Organization").objects.get(name="乙机构"),
        date_of_birth=datetime.date(2999, 1, 1),
    )
    odd = Enrollment.objects.create(
        beneficiary=legacy,
        project=a,
        intake_date=datetime.date(9999, 12, 31),
        consent_on=datetime.date(9999, 12, 31),
        household_size=0,
    )
    FollowUp = old.get_model("projects", "FollowUp")
    FollowUp.objects.create(enrollment=odd, date=datetime.date(1, 1, 1), note="探访")
    SocialWorker.objects.create(name="社工乙", employer=first_unit, phone="abc<script>")

    new = migrate(AFTER)
    Enrollment = new.get_model("projects", "Enrollment")
    Beneficiary = new.get_model("projects", "Beneficiary")
    repaired = Enrollment.objects.get(beneficiary__code="FW00000002")
    assert repaired.intake_date == repaired.consent_on == timezone.localdate(repaired.created_at)
    assert repaired.household_size is None and repaired.date_of_birth is None
    # Registered by a unit that has no case of the person: the phone goes to the earliest case, as it was.
    assert repaired.phone == "8456 1234"
    assert new.get_model("projects", "FollowUp").objects.get().date == timezone.localdate(repaired.created_at)
    assert new.get_model("projects", "SocialWorker").objects.get(name="社工乙").phone == "abc<script>"
    cases = {e.project.code: e for e in Enrollment.objects.exclude(pk=repaired.pk).select_related("project")}
    for case in cases.values():
        assert (case.name, case.gender, case.date_of_birth, case.community_id, case.special_group) == (
            "王秀英",
            "female",
            datetime.date(1958, 3, 17),
            community.pk,
            "correction",
        )
        assert case.code == f"{case.project.code}/{case.sequence:03d}"
    # The phone stays with the unit that recorded it, normalised.
    assert cases["QC-2013-001"].phone == "13812345678" and cases["QC-2013-002"].phone == ""
    key = Beneficiary.objects.get(code="FW00000001")
    assert (key.code, key.id_number) == ("FW00000001", "320105195803171220")
    assert new.get_model("projects", "SocialWorker").objects.get(name="社工").phone == "13900001111"
    Group = new.get_model("auth", "Group")
    unit_perms = set(Group.objects.get(name="实施单位").permissions.values_list("codename", flat=True))
    assert "view_beneficiary" not in unit_perms and "view_enrollment" in unit_perms
