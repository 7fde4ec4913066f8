from django.db import migrations

from projects.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "社工委": ["view_nomination", "decide_nomination"],
    "民政/社工办": ["view_nomination"],
    "协会管理员": ["view_nomination", "add_nomination"],
}


def forwards(apps, schema_editor):
    grant(apps, "awards", ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, "awards", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("awards", "0004_evaluations_awards"), ("projects", "0011_evaluation_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
