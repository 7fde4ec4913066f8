from django.db import migrations

from projects.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "社工委": ["view_awardtype", "view_awardrecord"],
    "民政/社工办": ["view_awardtype", "view_awardrecord", "add_awardrecord", "change_awardrecord"],
    "协会管理员": ["view_awardtype", "view_awardrecord"],
    "实施单位": ["view_awardtype", "view_awardrecord"],
}


def assign_permissions(apps, schema_editor):
    grant(apps, "awards", ROLE_PERMISSIONS)


def remove_permissions(apps, schema_editor):
    revoke(apps, "awards", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("awards", "0002_award_types"), ("projects", "0004_role_permissions")]
    operations = [migrations.RunPython(assign_permissions, remove_permissions)]
