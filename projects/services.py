"""Writes to the portfolio. Views, admin classes and commands call these; they never write models directly."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from projects.models import Project

CODE_ATTEMPTS = 5


def project_code(*, year: int, sequence: int) -> str:
    return f"QC-{year}-{sequence:03d}"


def project_create(*, project: Project) -> Project:
    """Save a new project with the next code of its round (``QC-2013-001``).

    Two people creating projects in the same round at once may read the same
    highest sequence; the unique (round, sequence) constraint turns the loser's
    insert into an IntegrityError, and it retries with the next number.
    """
    for attempt in range(CODE_ATTEMPTS):
        highest = Project.objects.filter(round_id=project.round_id).aggregate(m=Max("sequence"))["m"] or 0
        project.sequence = highest + 1
        project.code = project_code(year=project.round.year, sequence=project.sequence)
        try:
            with transaction.atomic():
                project.save(force_insert=True)
            return project
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
            project.pk = None
    raise AssertionError("unreachable")
