from django.db import migrations

# (code, name, recipient kind, quota per round, order)
AWARD_TYPES = [
    ("excellent-project", "优秀项目", "project", 10, 10),
    ("excellent-social-worker", "优秀社工", "person", None, 20),
    ("excellent-volunteer", "优秀志愿者", "person", None, 30),
    ("excellent-case", "优秀案例", "project", None, 40),
    ("advanced-unit", "先进单位", "organization", None, 50),
]


def create_award_types(apps, schema_editor):
    AwardType = apps.get_model("awards", "AwardType")
    for code, name, kind, quota, order in AWARD_TYPES:
        AwardType.objects.get_or_create(
            code=code, defaults={"name": name, "recipient_kind": kind, "quota": quota, "order": order}
        )


def delete_award_types(apps, schema_editor):
    apps.get_model("awards", "AwardType").objects.filter(code__in=[row[0] for row in AWARD_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(create_award_types, delete_award_types)]
