"""Issue 9, step 2 of 3: copy who each person is from the shared person record onto every case.

Each case gets the name, gender, birth date, community and special group that the shared record
held (every unit serving the person was shown them before, so nothing new is disclosed). The
phone number is copied only onto the cases of the unit that registered the person: it is the one
value a later unit could only see through a reveal, so it stays with the unit that recorded it.
Cases are numbered within their project (``QC-2013-001/001`` …) by intake date. Units and
evaluators lose the permissions on the person record, which is programme staff's alone from now on.
"""

from django.core.exceptions import ValidationError
from django.db import migrations

from projects.role_grants import grant, revoke
from projects.validators import normalize_phone

PERSON_KEY_PERMISSIONS = {
    "实施单位": ["view_beneficiary", "add_beneficiary", "change_beneficiary"],
    "评估专家": ["view_beneficiary"],
}


def clean_phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError:
        return (value or "")[:20]


def forwards(apps, schema_editor):
    Enrollment = apps.get_model("projects", "Enrollment")
    PersonalDataAccess = apps.get_model("projects", "PersonalDataAccess")
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
        registered_here = case.project.implementing_unit_id == person.registered_by_id
        case.phone = clean_phone(person.phone) if registered_here else ""
        batch.append(case)
        if len(batch) >= 2000:
            Enrollment.objects.bulk_update(
                batch, ["sequence", "code", "name", "gender", "date_of_birth", "community", "special_group", "phone"]
            )
            batch = []
    if batch:
        Enrollment.objects.bulk_update(
            batch, ["sequence", "code", "name", "gender", "date_of_birth", "community", "special_group", "phone"]
        )
    for log in PersonalDataAccess.objects.filter(beneficiary__isnull=False).select_related("beneficiary"):
        log.record = log.beneficiary.code or ""
        log.save(update_fields=["record"])
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
