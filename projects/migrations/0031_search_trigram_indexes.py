"""Trigram indexes for the lists' ``?q=`` search, on PostgreSQL only (issue 16).

The admin searches with ``UPPER(column) LIKE UPPER('%term%')``, which no B-tree serves: at city scale every
search read the whole table. A GIN index of ``UPPER(column::text)`` with ``gin_trgm_ops`` (extension ``pg_trgm``)
serves exactly that expression. SQLite has neither, and its tables stay small: there these operations do
nothing. They are left out of the migration state (and of the models' ``Meta.indexes``, which must hold on
both databases), so the autodetector never sees them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (table, column, index name): searched columns holding codes (Latin letters and digits), the project's code
# which every list searches through (``project__code``) and the audit list's record (mostly case and project
# codes). Not Chinese text (titles): pg_trgm takes trigrams only of characters the database's LC_CTYPE calls
# letters, none in a "C" database, and none of a two-character term in any; measured at city scale, such an
# index answered '%亲子阅读%' in 73 ms by rechecking every row, where reading the table took 57 ms.
SEARCHED = [
    ("projects_auditentry", "object_repr", "audit_repr_trgm"),
    ("projects_project", "code", "project_code_trgm"),
]


class OnPostgreSQL(migrations.operations.base.Operation):
    """Runs ``operation`` against PostgreSQL only, without changing the migration state."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, operation):
        self.operation = operation

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"


def trigram_index(table, column, name):
    # The expression as Django's icontains sends it (UPPER("title"::text)), so the planner matches it.
    # (Django's GinIndex(OpClass(Upper(...))) rendered the operator class inside the expression's brackets.)
    return OnPostgreSQL(
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
            f'DROP INDEX IF EXISTS "{name}"',
        )
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0030_changelist_indexes")]

    operations = [
        OnPostgreSQL(TrigramExtension()),  # its reverse would ask SQLite for pg_extension
        *(trigram_index(*searched) for searched in SEARCHED),
    ]
