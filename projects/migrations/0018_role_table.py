"""The role groups hold exactly the role table of ``projects.roles`` (issue 10).

From here on, what each role may do is that one table; a change to it comes with a migration like
this one (see the ``projects.roles`` docstring). On a database migrated from the earlier grants this
changes nothing but permissions given by hand beyond the table, which it removes.
"""

from django.db import migrations

from projects.roles import apply_role_table

# The digest of the table this migration was written for; tests/projects/test_roles.py checks that
# the latest migration applying the table carries the current one, so an edit cannot skip its migration.
ROLE_TABLE_DIGEST = "f5799744138ec1ae"


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0017_plausible_values_everywhere"),
        ("awards", "0006_awards_only_by_confirmation"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    # Nothing to undo: the grants of the earlier migrations are what the table holds.
    operations = [migrations.RunPython(apply_role_table, migrations.RunPython.noop)]
