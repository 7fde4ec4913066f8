import datetime

from projects.models import Enrollment, Project, Round
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
    """Open a case through the service, as the admin's new-case form does."""
    identity = {"gender": "unknown" if id_number else "female", "special_group": "elderly", **identity}
    return enrollment_open(
        enrollment=Enrollment(project=project, name=name, **identity, **INTAKE), by=by, id_number=id_number
    )


def case_add_form(project, **overrides) -> dict:
    """The new-case (个案建档) form as a unit fills it in, for posting to the admin."""
    data = {
        "project": project.pk,
        "name": "孙建国",
        "gender": "male",
        "id_number": "",
        "special_group": "elderly",
        "intake_date": "2014-05-12",
        "consent_on": "2014-05-12",
        "subsistence": "none",
        "risk_level": "medium",
    }
    return {**data, **overrides}


def case_page_form(case, *, follow_ups: int = 0, needs: int = 0, **overrides) -> dict:
    """The case page's form with the case's own values and empty inlines, for posting to the admin."""
    data = {
        "name": case.name,
        "gender": case.gender,
        "special_group": case.special_group,
        "intake_date": case.intake_date.isoformat(),
        "consent_on": case.consent_on.isoformat(),
        "subsistence": "none",
        "risk_level": "low",
        "needs-TOTAL_FORMS": str(needs),
        "needs-INITIAL_FORMS": "0",
        "follow_ups-TOTAL_FORMS": str(follow_ups),
        "follow_ups-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}
