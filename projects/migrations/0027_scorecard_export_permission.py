"""Issue 11: civil affairs exports the scorecards it enters (the scores import reads the file back)."""

from django.db import migrations

from projects.roles import apply_role_table

ROLE_TABLE_DIGEST = "8e0d4987c0eb0444"


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0026_audit_scorecard_record"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="scorecard",
            options={
                "ordering": ["evaluation", "evaluator"],
                "permissions": [("import_scorecard", "导入评分表"), ("export_scorecard", "导出评分表")],
                "verbose_name": "评分表",
                "verbose_name_plural": "评分表",
            },
        ),
        migrations.RunPython(apply_role_table, migrations.RunPython.noop),
    ]
