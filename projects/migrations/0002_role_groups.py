from django.db import migrations

# Frozen copy of projects.roles.ALL_ROLES: a migration must not follow later edits of app code.
ROLES = ("社工委", "民政/社工办", "协会管理员", "实施单位", "评估专家")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, delete_groups)]
