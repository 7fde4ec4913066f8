"""The role table of ``projects.roles`` is the truth: the database, the migrations and the README follow it."""

import io
import re
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects import roles
from projects.roles import ROLE_PERMISSIONS, apply_role_table, role_table_digest

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"


def held(role: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_the_table_names_every_role_and_nothing_else():
    assert set(ROLE_PERMISSIONS) == set(roles.ALL_ROLES)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_after_migrating_each_group_holds_exactly_its_row_of_the_table(role):
    assert held(role) == ROLE_PERMISSIONS[role]


def test_who_may_approve_a_project_is_read_from_the_table():
    assert [role for role, names in ROLE_PERMISSIONS.items() if "projects.approve_project" in names] == [
        roles.CIVIL_AFFAIRS
    ]


def test_applying_the_table_adds_what_is_missing_and_removes_what_is_beyond():
    committee = Group.objects.get(name=roles.COMMITTEE)
    committee.permissions.remove(permission("projects.view_project"))
    committee.permissions.add(permission("projects.approve_project"), permission("auth.view_user"))
    Group.objects.get(name=roles.EVALUATOR).delete()

    apply_role_table(apps)

    assert all(held(role) == names for role, names in ROLE_PERMISSIONS.items())
    assert roles.database_differences() == {}


def test_roles_check_reports_a_group_that_differs():
    Group.objects.get(name=roles.ASSOCIATION).permissions.add(permission("projects.release_instalment"))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("roles", "--check", stderr=errors)
    assert "beyond  projects.release_instalment" in errors.getvalue()
    assert roles.database_differences() == {roles.ASSOCIATION: {"lacks": [], "beyond": ["projects.release_instalment"]}}


def test_the_latest_migration_applying_the_table_carries_its_digest():
    """Editing the table without a migration would leave every existing database behind."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    applying = [
        migration
        for migration, _backwards in plan
        if hasattr(sys.modules[type(migration).__module__], "ROLE_TABLE_DIGEST")
    ]
    assert applying, "no migration applies the role table"
    latest = applying[-1]
    recorded = sys.modules[type(latest).__module__].ROLE_TABLE_DIGEST
    assert recorded == role_table_digest(), (
        f"The role table changed since {latest.app_label}.{latest.name}: add a migration that runs "
        f'apply_role_table and sets ROLE_TABLE_DIGEST = "{role_table_digest()}" (see projects/roles.py).'
    )


def test_roles_prints_each_role_with_chinese_names():
    out = io.StringIO()
    call_command("roles", stdout=out)
    text = out.getvalue()
    sections = dict(re.findall(r"^(\S+) \(\d+ permissions\)\n((?:  .*\n)+)", text, re.MULTILINE))
    assert set(sections) == set(roles.ALL_ROLES)
    assert re.search(r"projects\.approve_project\s+审定项目及金额", sections[roles.CIVIL_AFFAIRS])
    assert re.search(r"projects\.view_project\s+查看项目", sections[roles.EVALUATOR])
    assert "approve_project" not in sections[roles.ASSOCIATION]
    for role, names in ROLE_PERMISSIONS.items():
        assert set(re.findall(r"^  (\S+)", sections[role], re.MULTILINE)) == names


def test_the_readme_role_block_is_the_commands_output():
    out = io.StringIO()
    call_command("roles", "--markdown", stdout=out)
    generated = out.getvalue()
    readme = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- roles:begin -->.*?<!-- roles:end -->\n", readme, re.DOTALL)
    assert found, "README.md has no <!-- roles:begin --> … <!-- roles:end --> block"
    assert found.group(0) == generated, "README.md's role block is stale: paste `manage.py roles --markdown` into it"
    assert "| 项目 `projects.project` | 查看，导出项目 | 查看，修改，导入项目，导出项目，审定项目及金额" in generated


def test_the_readme_names_the_role_table_in_its_layout():
    layout = README.read_text(encoding="utf-8").split("## Layout", 1)[1]
    row = next(line for line in layout.splitlines() if line.startswith("| Who may approve a project"))
    assert "`projects/roles.py`" in row
