"""Issue 9, step 2 of 3: copy who each person is from the shared person record onto every case,
and repair values the constraints of step 3 will refuse.

Each case gets the name, gender, birth date, community and special group that the shared record
held (every unit serving the person was shown them before, so nothing new is disclosed). The phone
number goes only onto the case that registered the person — the case of the unit recorded as
registering them, else the person's earliest case: it is the one value a later unit could see only
through a logged reveal, so it stays with the unit that recorded it. A phone number that cannot be
normalised is kept as it was (the form asks for a valid one when it is next edited). Cases are
numbered within their project (``QC-2013-001/001`` …) by intake date.

Values the new database constraints refuse (a date of year 9999 or 0001, consent after intake, a
household of 0 or of millions) are repaired, each repair logged (model, id, field, old → new value)
to the ``qicai.migrations`` logger: a date the database cannot hold becomes the record's creation
date (or empty where the field may be empty), consent after intake becomes the intake date.

Units and evaluators lose the permissions on the person record, which is programme staff's alone
from now on.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import migrations
from django.utils import timezone

from projects.role_grants import grant, revoke
from projects.validators import normalize_phone

log = logging.getLogger("qicai.migrations")

PERSON_KEY_PERMISSIONS = {
    "实施单位": ["view_beneficiary", "add_beneficiary", "change_beneficiary"],
    "评估专家": ["view_beneficiary"],
}
# The fixed windows of the constraints added in step 3 (kept here as they were then).
EARLIEST = datetime.date(2000, 1, 1)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
EARLIEST_VOLUNTEER = datetime.date(1980, 1, 1)
LATEST = datetime.date(2100, 12, 31)
MAX_HOUSEHOLD = 30
MAX_PARTICIPANTS = 10000
IDENTITY = ["sequence", "code", "name", "gender", "date_of_birth", "community", "special_group", "phone"]


def clean_phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError:
        return value or ""


def registering_case_ids(Enrollment) -> set[int]:
    """Per person, the case that registered them: its unit is ``registered_by``, else the earliest."""
    chosen = {}
    cases = Enrollment.objects.order_by("intake_date", "pk").values_list(
        "pk", "beneficiary_id", "beneficiary__registered_by_id", "project__implementing_unit_id"
    )
    for pk, person, registered_by, unit in cases:
        if person not in chosen or (unit == registered_by and chosen[person][1] != registered_by):
            chosen[person] = (pk, unit)
    return {pk for pk, _unit in chosen.values()}


def copy_identity(apps):
    Enrollment = apps.get_model("projects", "Enrollment")
    with_phone = registering_case_ids(Enrollment)
    cases = Enrollment.objects.select_related("beneficiary", "project").order_by("project_id", "intake_date", "pk")
    batch, project_id, sequence = [], None, 0
    for case in cases.iterator(chunk_size=2000):
        if case.project_id != project_id:
            project_id, sequence = case.project_id, 0
        sequence += 1
        person = case.beneficiary
        case.sequence = sequence
        case.code = f"{case.project.code}/{sequence:03d}"
        case.name = person.name
        case.gender = person.gender
        case.date_of_birth = person.date_of_birth
        case.community_id = person.community_id
        case.special_group = person.special_group
        case.phone = clean_phone(person.phone) if case.pk in with_phone else ""
        batch.append(case)
        if len(batch) >= 2000:
            Enrollment.objects.bulk_update(batch, IDENTITY)
            batch = []
    if batch:
        Enrollment.objects.bulk_update(batch, IDENTITY)


def created_on(record) -> datetime.date:
    made = getattr(record, "created_at", None)
    return timezone.localdate(made) if made else EARLIEST


def outside(value, earliest=EARLIEST) -> bool:
    return value is not None and not earliest <= value <= LATEST


def repair(record, field, value) -> None:
    log.warning(
        "repaired %s #%s %s: %r -> %r", record._meta.model_name, record.pk, field, getattr(record, field), value
    )
    setattr(record, field, value)
    type(record).objects.filter(pk=record.pk).update(**{field: value})


def repair_implausible(apps):
    Enrollment = apps.get_model("projects", "Enrollment")
    for case in Enrollment.objects.all().iterator():
        if outside(case.intake_date):
            repair(case, "intake_date", created_on(case))
        if outside(case.consent_on) or (case.consent_on and case.consent_on > case.intake_date):
            repair(case, "consent_on", case.intake_date)
        if outside(case.closed_on) or (case.closed_on and case.closed_on < case.intake_date):
            repair(case, "closed_on", max(case.intake_date, min(timezone.localdate(case.updated_at), LATEST)))
        if outside(case.date_of_birth, EARLIEST_BIRTH):
            repair(case, "date_of_birth", None)
        if case.household_size is not None and not 1 <= case.household_size <= MAX_HOUSEHOLD:
            repair(case, "household_size", None)
    for model_name, fields in [
        ("FollowUp", ["date"]),
        ("Activity", ["date"]),
        ("SocialFund", ["received_on"]),
        ("CaseStory", ["consent_on"]),
    ]:
        Model = apps.get_model("projects", model_name)
        for record in Model.objects.all().iterator():
            for field in fields:
                if outside(getattr(record, field)):
                    repair(record, field, created_on(record))
    Activity = apps.get_model("projects", "Activity")
    for activity in Activity.objects.filter(participants__gt=MAX_PARTICIPANTS):
        repair(activity, "participants", MAX_PARTICIPANTS)
    Volunteer = apps.get_model("projects", "Volunteer")
    for volunteer in Volunteer.objects.all().iterator():
        if outside(volunteer.registered_on, EARLIEST_VOLUNTEER):
            repair(volunteer, "registered_on", min(max(volunteer.registered_on, EARLIEST_VOLUNTEER), LATEST))
    Project = apps.get_model("projects", "Project")
    for project in Project.objects.all().iterator():
        for field in ("start_date", "end_date"):
            if outside(getattr(project, field)):
                repair(project, field, None)


def forwards(apps, schema_editor):
    copy_identity(apps)
    repair_implausible(apps)
    PersonalDataAccess = apps.get_model("projects", "PersonalDataAccess")
    for access in PersonalDataAccess.objects.filter(beneficiary__isnull=False).select_related("beneficiary"):
        access.record = access.beneficiary.code or ""
        access.save(update_fields=["record"])
    for model_name in ("SocialWorker", "Volunteer", "Organization"):
        Model = apps.get_model("projects", model_name)
        for pk, phone in Model.objects.exclude(phone="").values_list("pk", "phone"):
            cleaned = clean_phone(phone)
            if cleaned != phone:
                Model.objects.filter(pk=pk).update(phone=cleaned)
    revoke(apps, "projects", PERSON_KEY_PERMISSIONS)


def backwards(apps, schema_editor):
    Beneficiary = apps.get_model("projects", "Beneficiary")
    Enrollment = apps.get_model("projects", "Enrollment")
    for person in Beneficiary.objects.all():
        case = Enrollment.objects.filter(beneficiary=person).order_by("intake_date", "pk").first()
        if case is None:
            continue
        person.name, person.gender, person.date_of_birth = case.name, case.gender, case.date_of_birth
        person.community_id, person.special_group = case.community_id, case.special_group
        person.phone = case.phone or person.phone
        person.save()
    grant(apps, "projects", PERSON_KEY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0013_case_identity_fields")]
    operations = [migrations.RunPython(forwards, backwards)]
