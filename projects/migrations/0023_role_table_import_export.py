"""Issue 11: importing and exporting lists are permissions of their own, granted by the role table."""

from django.db import migrations

from projects.roles import apply_role_table

ROLE_TABLE_DIGEST = "77a7877751718597"


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0022_import_export_permissions"),
        ("awards", "0007_import_export_permissions"),
    ]
    operations = [migrations.RunPython(apply_role_table, migrations.RunPython.noop)]
