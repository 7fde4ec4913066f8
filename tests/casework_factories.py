import datetime

from projects.models import Project, Round
from projects.services import enrollment_open
from projects.validators import id_number_check_character
from tests.factories import RoundFactory, project_in_state

INTAKE = {"intake_date": datetime.date(2014, 5, 10), "consent_on": datetime.date(2014, 5, 10)}


def make_id(birth="19580317", serial="123") -> str:
    first17 = "320105" + birth + serial
    return first17 + id_number_check_character(first17)


def live_project(unit, **kwargs) -> Project:
    round_ = kwargs.pop("round", None) or RoundFactory(year=2014, status=Round.Status.IN_PROGRESS)
    return project_in_state(Project.Status.IN_PROGRESS, round=round_, implementing_unit=unit, **kwargs)


def enroll(project, by, *, name="王秀英", id_number="", **identity):
    return enrollment_open(
        project=project,
        by=by,
        identity={"name": name, "gender": "unknown" if id_number else "female", "special_group": "elderly", **identity},
        id_number=id_number,
        intake=dict(INTAKE),
    )
