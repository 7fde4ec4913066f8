"""copy_into_history writes the rows bulk_history_create would, by INSERT … SELECT."""

import pytest

from projects.history import copy_into_history
from projects.models import Project
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def tracked(row) -> dict:
    return {field.attname: getattr(row, field.attname) for field in Project.history.model.tracked_fields}


def test_the_copied_rows_are_the_rows_simple_history_would_write(django_assert_max_num_queries):
    user = UserFactory()
    projects = ProjectFactory.create_batch(3)
    Project.history.all().delete()
    Project.history.bulk_history_create(projects[:1], default_user=user)
    expected = Project.history.get()
    with django_assert_max_num_queries(1):
        assert copy_into_history(Project, [project.pk for project in projects], user=user) == 3
    copies = {row.id: row for row in Project.history.exclude(pk=expected.pk)}
    assert set(copies) == {project.pk for project in projects}
    copy = copies[projects[0].pk]
    assert tracked(copy) == tracked(expected)
    assert (copy.history_type, copy.history_user_id, copy.history_change_reason) == (
        expected.history_type,
        expected.history_user_id,
        expected.history_change_reason,
    )
    assert abs(copy.history_date - expected.history_date).total_seconds() < 60


def test_more_records_than_one_batch(monkeypatch):
    monkeypatch.setattr("projects.history.BATCH", 2)
    projects = ProjectFactory.create_batch(5)
    Project.history.all().delete()
    assert copy_into_history(Project, [project.pk for project in projects], user=None, reason="导入") == 5
    assert set(Project.history.values_list("history_change_reason", flat=True)) == {"导入"}
