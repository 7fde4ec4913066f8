from django.db import migrations

from projects.role_grants import grant, revoke

V, A, C, D = "view", "add", "change", "delete"
EVALUATION = ["rubrictemplate", "rubriccriterion", "evaluation", "scorecard", "scoreitem"]
STANDING = ["agencystanding", "compliancenote"]
ROLE_PERMISSIONS = {
    "社工委": [f"{V}_{m}" for m in EVALUATION + STANDING],
    "民政/社工办": [
        *(f"{V}_{m}" for m in EVALUATION + STANDING),
        f"{A}_rubrictemplate",
        f"{C}_rubrictemplate",
        *(f"{p}_rubriccriterion" for p in (A, C, D)),
        f"{A}_evaluation",
        f"{C}_evaluation",
        "assign_evaluators",
        "finalise_evaluation",
        "clear_rectification",
    ],
    "协会管理员": [
        f"{V}_rubrictemplate",
        f"{V}_rubriccriterion",
        f"{V}_evaluation",
        f"{A}_agencystanding",
        f"{C}_agencystanding",
        f"{V}_agencystanding",
        *(f"{p}_compliancenote" for p in (V, A, C, D)),
    ],
    "实施单位": [f"{V}_{m}" for m in EVALUATION],
    "评估专家": [
        *(f"{V}_{m}" for m in EVALUATION),
        f"{A}_scorecard",
        f"{C}_scorecard",
        f"{A}_scoreitem",
        f"{C}_scoreitem",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, "projects", ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, "projects", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_evaluations_awards")]
    operations = [migrations.RunPython(forwards, backwards)]
