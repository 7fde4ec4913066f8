from django.db import migrations

from projects.role_grants import grant, revoke

# Frozen for this migration: later issues add their permissions in migrations of their own.
V, A, C, D = "view", "add", "change", "delete"
ALL_MODELS = ["organization", "round", "servicecategory", "project", "agreement", "projecttransition"]
ROLE_PERMISSIONS = {
    "社工委": [f"{V}_{m}" for m in ALL_MODELS],
    "民政/社工办": [
        *(f"{V}_{m}" for m in ALL_MODELS),
        f"{A}_round",
        f"{C}_round",
        f"{A}_servicecategory",
        f"{C}_servicecategory",
        f"{A}_organization",
        f"{C}_organization",
        f"{C}_project",
        f"{A}_agreement",
        f"{C}_agreement",
        "approve_project",
        "sign_project",
        "start_project",
        "terminate_project",
        "archive_project",
    ],
    "协会管理员": [
        *(f"{V}_{m}" for m in ALL_MODELS),
        f"{A}_organization",
        f"{C}_organization",
        f"{A}_agreement",
        f"{C}_agreement",
        "review_project",
        "sign_project",
    ],
    "实施单位": [
        *(f"{V}_{m}" for m in ALL_MODELS),
        f"{A}_project",
        f"{C}_project",
        f"{D}_project",
        "submit_project",
        "start_project",
    ],
    "评估专家": [f"{V}_{m}" for m in ["organization", "round", "servicecategory", "project", "projecttransition"]],
}


def assign_permissions(apps, schema_editor):
    grant(apps, "projects", ROLE_PERMISSIONS)


def remove_permissions(apps, schema_editor):
    revoke(apps, "projects", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_history_workflow"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(assign_permissions, remove_permissions)]
