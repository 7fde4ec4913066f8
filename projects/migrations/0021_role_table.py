"""The role groups hold exactly the role table of ``projects.roles`` (issue 10).

From here on, what each role may do is that one table; a change to it comes with a migration like
this one (see the ``projects.roles`` docstring). On a database migrated from the earlier grants this
removes the permissions of the workflow log and the personal-data access log, whose models 0020
deleted (their rows outlive the models), and any permission given by hand beyond the table.
"""

from django.db import migrations

from projects.roles import apply_role_table

# The digest of the table this migration was written for; tests/projects/test_roles.py checks that
# the latest migration applying the table carries the current one, so an edit cannot skip its migration.
ROLE_TABLE_DIGEST = "261a9441983fe014"


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0020_drop_old_logs"),
        ("awards", "0006_awards_only_by_confirmation"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    # Nothing to undo: the grants of the earlier migrations are what the table holds.
    operations = [migrations.RunPython(apply_role_table, migrations.RunPython.noop)]
