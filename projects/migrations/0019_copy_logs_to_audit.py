"""Issue 10: the workflow log (流转记录) and the personal-data access log become audit entries, timestamps kept."""

from django.db import migrations

from projects.role_grants import grant, revoke

REVEALED = {"id_number", "date_of_birth", "phone"}


def content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="projects", model=model)[0]


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("projects", "AuditEntry")
    AuditEntry._meta.get_field("at").auto_now_add = False  # keep when each thing happened
    ProjectTransition = apps.get_model("projects", "ProjectTransition")
    PersonalDataAccess = apps.get_model("projects", "PersonalDataAccess")
    Enrollment = apps.get_model("projects", "Enrollment")
    project_type, case_type = content_type(apps, "project"), content_type(apps, "enrollment")
    batch = []
    for log in ProjectTransition.objects.select_related("project").order_by("created_at", "pk").iterator():
        batch.append(
            AuditEntry(
                at=log.created_at,
                actor_id=log.actor_id,
                action=f"project.{log.action}",
                content_type=project_type,
                object_id=str(log.project_id),
                object_repr=f"{log.project.code} {log.project.title}"[:120],
                project_id=log.project_id,
                data={"from": log.from_status, "to": log.to_status, "comment": log.comment},
            )
        )
    cases = dict(Enrollment.objects.values_list("code", "pk"))
    case_projects = dict(Enrollment.objects.values_list("pk", "project_id"))
    for access in PersonalDataAccess.objects.order_by("at", "pk").iterator():
        case_id = cases.get(access.record)
        if access.field in REVEALED:
            action, data = "personal_data.reveal", {"field": access.field}
        elif access.field == "export":
            action, data = "personal_data.export", {"records": access.records}
        else:
            action, data = "personal_data.lookup", {}
        batch.append(
            AuditEntry(
                at=access.at,
                actor_id=access.user_id,
                action=action,
                content_type=case_type if case_id else None,
                object_id=str(case_id or ""),
                object_repr=access.record,
                project_id=case_projects.get(case_id),
                data=data,
            )
        )
    AuditEntry.objects.bulk_create(batch, batch_size=2000)
    # Whoever read the workflow log reads the audit trail (each within their scope).
    grant(apps, "projects", {role: ["view_auditentry"] for role in READERS})


READERS = ["社工委", "民政/社工办", "协会管理员", "实施单位", "评估专家"]


def backwards(apps, schema_editor):
    apps.get_model("projects", "AuditEntry").objects.all().delete()
    revoke(apps, "projects", {role: ["view_auditentry"] for role in READERS})


class Migration(migrations.Migration):
    dependencies = [("projects", "0018_audit_entries"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(forwards, backwards)]
