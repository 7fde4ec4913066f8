import pytest
from django.core.management import call_command

from projects.models import Project, Round

pytestmark = pytest.mark.django_db


def test_seed_if_empty_skips_a_database_with_rounds(db, capsys):
    Round.objects.create(year=2020, title="既有批次", budget=1)
    call_command("seed_demo", "--if-empty")
    assert not Project.objects.exists()
    assert "skipped" in capsys.readouterr().out
