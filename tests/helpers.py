"""Helpers shared by the tests: posting the admin's forms by hand, exports, growing tables, counting queries."""

import datetime
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from projects.models import (
    Activity,
    ActivityStaff,
    ActivityVolunteer,
    Evaluation,
    FollowUp,
    Project,
    SocialWorker,
    Volunteer,
)
from projects.services import project_submit
from tests.casework_factories import enroll, make_id
from tests.factories import (
    AgreementFactory,
    AwardRecordFactory,
    AwardTypeFactory,
    CommunityFactory,
    ProjectFactory,
    RoundFactory,
    ServiceCategoryFactory,
    SubdistrictFactory,
    complete_project,
    project_in_state,
)

# The management forms of every inline on the project page, for posting the project form by hand.
PROJECT_INLINES = [
    "audit_entries",
    "budget_lines",
    "social_funds",
    "instalments",
    "agreements",
    "evaluations",
    "awards",
]
EMPTY_PROJECT_INLINES = {
    key: "0" for prefix in PROJECT_INLINES for key in (f"{prefix}-TOTAL_FORMS", f"{prefix}-INITIAL_FORMS")
}


# -- uploads --------------------------------------------------------------------------------------


def image_bytes(file_format: str, size: tuple[int, int] = (40, 20)) -> bytes:
    """A real, small image file (``"PNG"`` or ``"JPEG"``), for uploads judged by their content."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, file_format)
    return buffer.getvalue()


# -- exports ------------------------------------------------------------------------------------


def export(client, model: str, *, file_format: str = "csv", query: str = "") -> HttpResponse:
    """Fill in an admin export form as a user does: every column ticked, ``file_format`` chosen.

    ``model`` is ``"app_label.model_name"``; ``query`` the list's filters (``round__id__exact=2``). The
    form must open and offer the format, and the export must succeed. The streamed download is read to
    the end and returned as a plain response: a CSV body is ``response.content.decode("utf-8-sig")``
    (it starts with a BOM).
    """
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_export") + (f"?{query}" if query else "")
    form = client.get(url)
    assert form.status_code == 200, f"{url}: {form.status_code}"
    page = form.content.decode()
    assert re.search(rf'name="format" value="{re.escape(file_format)}"', page), f"{url} offers no {file_format} export"
    columns = re.findall(r'name="columns" value="(\w+)"', page)
    response = client.post(url, {"format": file_format, "columns": columns})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    if not response.streaming:
        return response
    return HttpResponse(b"".join(response.streaming_content), headers=dict(response.headers))


# -- growing the tables, for query counts that must stay flat ------------------------------------


def grow_listed_projects(n: int) -> None:
    """``n`` projects of the 2013 round, each in a new community with an agreement and an award record:
    more rows in every admin list."""
    round_ = RoundFactory(year=2013)
    for _ in range(n):
        community = CommunityFactory()
        project = ProjectFactory(round=round_, subdistrict=community.parent, community=community)
        AgreementFactory(project=project, round=project.round)
        AwardRecordFactory(project=project, round=project.round)


def grow_applications(unit, round_, n: int) -> None:
    """``n`` complete applications of ``unit`` in ``round_``, each in a new community, submitted by the unit."""
    submitter = unit.memberships.first().user
    for _ in range(n):
        community = CommunityFactory()
        project = complete_project(
            round=round_, implementing_unit=unit, subdistrict=community.parent, community=community
        )
        project_submit(project=project, by=submitter)


def grow_cases(project, by, n: int, *, start: int) -> None:
    """``n`` people enrolled in ``project`` by ``by`` (ID serials from ``start``), each at an activity of its own."""
    for i in range(n):
        case = enroll(project, by, name=f"测试{start + i}", id_number=make_id(serial=f"{start + i:03d}"))
        Activity.objects.create(project=project, type="group", title=f"活动{i}", date="2014-06-01").attendees.add(case)


def grow_served_projects(round_, unit, by, n: int, *, start: int, template) -> None:
    """``n`` running projects of ``unit`` with what a summary counts: a case (enrolled by ``by``) with a
    follow-up, an activity with staff and volunteer hours, a finalised final grade and an award each,
    spread over two categories, two subdistricts and both service models."""
    day = datetime.date(2014, 6, 1)
    award = AwardTypeFactory(name=f"奖项{start}", code=f"award-{start}")
    categories = [ServiceCategoryFactory(), ServiceCategoryFactory()]
    places = [SubdistrictFactory(), SubdistrictFactory()]
    worker = SocialWorker.objects.create(name="社工", employer=unit)
    volunteer = Volunteer.objects.create(name="义工", organization=unit, registered_on="2014-01-01")
    for i in range(n):
        project = project_in_state(
            Project.Status.IN_PROGRESS,
            round=round_,
            implementing_unit=unit,
            category=categories[i % 2],
            subdistrict=places[i % 2],
            service_model=["sw_volunteer", "agency_community"][i % 2],
        )
        case = enroll(project, by, name=f"测试{start + i}", id_number=make_id(serial=f"{start + i:03d}"))
        FollowUp.objects.create(enrollment=case, date=day, note="探访")
        activity = Activity.objects.create(project=project, type="group", title="小组", date=day, participants=8)
        ActivityVolunteer.objects.create(activity=activity, volunteer=volunteer, hours=Decimal("2.5"))
        ActivityStaff.objects.create(activity=activity, social_worker=worker, hours=Decimal("1.5"))
        Evaluation.objects.create(
            project=project,
            kind="final",
            template=template,
            due_date=day,
            status=Evaluation.Status.FINALISED,
            grade="good",
            score=Decimal("80"),
        )
        AwardRecordFactory(round=round_, award_type=award, project=project, awarded_on=day)


# -- query counts ---------------------------------------------------------------------------------


def count_queries(read: Callable[[], object]) -> int:
    """How many database queries ``read()`` makes."""
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


def measure(client, urls: Iterable[str]) -> dict[str, int]:
    """How many queries each page takes, by URL; every page must answer 200.

    Measured at two sizes (before and after growing the tables), the counts must be equal.
    """

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"

    return {url: count_queries(lambda url=url: get(url)) for url in urls}
