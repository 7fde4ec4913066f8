"""Every admin page as every role, on the demo district: none answers 500, none shows personal data unmasked.

Walks each registered model admin's list, object pages (change/view, history, historical versions),
autocomplete JSON and exports as each demo account, and asserts:

- no page answers 500 (issue 9: the read-only view pages of activities and case stories crashed for
  every programme-staff role and for a unit on its completed project);
- no page, JSON answer or export shows a full ID number, a full birth date or a full phone number of a
  person, social worker or volunteer, unless it is a logged reveal (a unit's own unmasked export).
"""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from projects.models import AuditEntry, Enrollment, Project, RubricTemplate, SocialWorker, Volunteer
from projects.services import evaluation_assign, evaluation_create
from tests.helpers import export

pytestmark = pytest.mark.django_db
ROLES = ["admin", "committee", "civil", "association", "unit", "unit2", "evaluator"]
OBJECTS_PER_MODEL = 2


@pytest.fixture(scope="module")
def district(demo_district):
    """The demo district plus one open mid-term evaluation assigned to ``evaluator`` (so it has a scope)."""
    User = get_user_model()
    civil, evaluator = User.objects.get(username="civil"), User.objects.get(username="evaluator")
    project = Project.objects.get(code="QC-2013-001")
    template = RubricTemplate.objects.filter(kind="midterm").order_by("-version").first()
    evaluation = evaluation_create(
        project=project, kind="midterm", template=template, due_date=datetime.date(2014, 4, 30), by=civil
    )
    evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=civil)
    return {"evaluation": evaluation}


def secrets() -> dict[str, set[str]]:
    """Every full value that must never appear unrevealed: ID numbers, birth dates, mobile numbers."""
    ids = set(Enrollment.objects.exclude(beneficiary__id_number="").values_list("beneficiary__id_number", flat=True))
    births = set()
    for born in Enrollment.objects.exclude(date_of_birth=None).values_list("date_of_birth", flat=True):
        births |= {born.isoformat(), f"{born.year}年{born.month}月{born.day}日"}
    phones = set()
    for model in (Enrollment, SocialWorker, Volunteer):
        phones |= set(model.objects.exclude(phone="").values_list("phone", flat=True))
    return {"ID number": ids, "birth date": births, "phone": phones}


# What could be one of the secrets: 18-character numbers, mobile numbers, landlines, dates.
TOKENS = re.compile(
    r"(?<![0-9])\d{17}[\dX](?![0-9])|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"
    r"|\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月\d{1,2}日"
)


def leaks(body: str, hidden: dict[str, set[str]]) -> list[str]:
    tokens = set(TOKENS.findall(body))
    return [f"{kind} {value}" for kind, values in hidden.items() for value in tokens & values]


def request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def object_urls(model_admin, user) -> list[str]:
    """The change/view page, history and the latest historical version of a few objects the user may see."""
    opts = model_admin.opts
    request = request_for(user)
    if not model_admin.has_view_or_change_permission(request):
        return []
    queryset = model_admin.get_queryset(request).order_by("pk")
    picks = list(queryset[:OBJECTS_PER_MODEL]) + list(queryset.reverse()[:OBJECTS_PER_MODEL])
    if opts.model is Enrollment or opts.model._meta.model_name in {"activity", "casestory", "followup"}:
        # A unit's completed 2012 project: its records are read-only pages (they crashed before).
        path = "project" if hasattr(opts.model, "project") else "enrollment__project"
        picks += list(queryset.filter(**{f"{path}__status": "completed"})[:2])
    urls = []
    for obj in {o.pk: o for o in picks}.values():
        base = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/"
        urls += [base + "change/", base + "history/"]
        history = getattr(obj, "history", None)
        if history is not None and hasattr(history, "latest") and history.exists():
            urls.append(base + f"history/{history.latest().history_id}/")
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_opens_and_shows_nothing_unmasked(client, district, role):
    user = get_user_model().objects.get(username=role)
    client.force_login(user)
    hidden = secrets()
    walked, failures = 0, []

    def check(url, body_of=lambda r: r.content.decode(errors="replace")):
        nonlocal walked
        response = client.get(url)
        walked += 1
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
            return None
        found = leaks(body_of(response), hidden)
        if found:
            failures.append(f"{url}: {', '.join(sorted(found)[:3])}")
        return response

    check(reverse("admin:index"))
    check(reverse("admin:todo"))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        response = check(f"/admin/{opts.app_label}/{opts.model_name}/")
        if response is None or response.status_code != 200:
            continue
        for url in object_urls(model_admin, user):
            check(url)
        for field in getattr(model_admin, "autocomplete_fields", []):
            check(
                f"/admin/autocomplete/?app_label={opts.app_label}&model_name={opts.model_name}&field_name={field}&term="
            )
        if hasattr(model_admin, "get_export_resource_classes") and user.has_perm(
            f"{opts.app_label}.export_{opts.model_name}"
        ):
            # Exporting a list is a permission of its own (IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export").
            before = AuditEntry.objects.filter(action="personal_data.export").count()
            body = export(client, opts.label_lower).content.decode("utf-8-sig")
            walked += 1
            revealed = (
                AuditEntry.objects.filter(action="personal_data.export").count() > before
            )  # a logged, unmasked export
            if not revealed and leaks(body, hidden):
                failures.append(f"export of {opts.model_name}: {sorted(leaks(body, hidden))[:3]}")
    assert walked > 30
    assert not failures, "\n".join(failures)


def test_a_unit_opens_the_read_only_pages_of_its_completed_project(client, demo_district):
    """The crash of issue 9: KeyError 'project' in the activity and case-story forms on view pages."""
    from projects.models import Activity, CaseStory

    client.force_login(get_user_model().objects.get(username="unit"))
    unit = get_user_model().objects.get(username="unit").membership.organization
    activity = Activity.objects.filter(project__implementing_unit=unit, project__status="completed").first()
    story = CaseStory.objects.filter(project__status="completed").first()
    assert client.get(reverse("admin:projects_activity_change", args=[activity.pk])).status_code == 200
    client.force_login(get_user_model().objects.get(username="association"))
    assert client.get(reverse("admin:projects_activity_change", args=[activity.pk])).status_code == 200
    assert client.get(reverse("admin:projects_casestory_change", args=[story.pk])).status_code == 200


# -- the masking rule, tested by rebuilding ------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def count_candidates(
    *, pattern: str, gender: str | None, birth_year: int | None = None, birth_date=None, area_codes=("320105",)
) -> tuple[int, set[str] | None]:
    """How many 18-character ID numbers agree with what was seen: a masked pattern (``*`` unknown), the
    gender, the birth year or date. An attacker knows the district's area codes and the check rule.

    Returns the count and, when it is small enough to list, the candidates themselves.
    """
    if birth_date is not None:
        dates = [birth_date]
    elif birth_year is not None:
        start = datetime.date(birth_year, 1, 1)
        dates = [start + datetime.timedelta(days=n) for n in range((datetime.date(birth_year + 1, 1, 1) - start).days)]
    else:
        dates = [datetime.date(1900, 1, 1) + datetime.timedelta(days=n) for n in range(366 * 100)]

    def fits(text: str, offset: int) -> bool:
        return all(p == "*" or p == c for p, c in zip(pattern[offset : offset + len(text)], text, strict=True))

    areas = [a for a in area_codes if fits(a, 0)]
    dates = [d for d in dates if fits(d.strftime("%Y%m%d"), 6)]
    parity = {"male": 1, "female": 0}.get(gender or "")
    sequences = [f"{n:03d}" for n in range(1000) if (parity is None or n % 2 == parity) and fits(f"{n:03d}", 14)]
    if pattern[17] == "*":
        total = len(areas) * len(dates) * len(sequences)
        return total, None
    found = {
        first17 + check
        for area in areas
        for date in dates
        for sequence in sequences
        if (check := check_character(first17 := f"{area}{date:%Y%m%d}{sequence}")) == pattern[17]
    }
    return len(found), found if len(found) < 100 else None


def test_the_rebuild_counter_catches_the_old_mask():
    """The mask of before (first 4 and last 4, full birth date) left about one candidate."""
    true_id = "320105195803171239"
    old = true_id[:4] + "*" * 10 + true_id[-4:]
    count, found = count_candidates(pattern=old, gender="male", birth_date=datetime.date(1958, 3, 17))
    assert count < 10 and true_id in found


SEEN_ROW = re.compile(r"(\d{6}\*{12})")


@pytest.mark.parametrize("role", ["committee", "civil", "unit", "unit2", "evaluator"])
def test_at_least_ten_thousand_candidates_remain_for_every_person(client, district, role):
    """Take what a non-revealing user gets from the case list, page and export, and rebuild the ID numbers."""
    user = get_user_model().objects.get(username=role)
    client.force_login(user)
    cases = list(Enrollment.objects.visible_to(user).exclude(beneficiary__id_number="").order_by("code")[:12])
    assert cases, role
    may_export = user.has_perm("projects.export_enrollment")
    exported = export(client, "projects.enrollment").content.decode("utf-8-sig") if may_export else ""
    unmasked_export = AuditEntry.objects.filter(actor=user, action="personal_data.export").exists()
    for case in cases:
        page = client.get(reverse("admin:projects_enrollment_change", args=[case.pk])).content.decode()
        assert case.code in page
        seen = page
        if not unmasked_export:  # a logged, unmasked export is a reveal: not part of what is seen without one
            seen += "\n".join(line for line in exported.splitlines() if line.startswith(case.code))
        masks = set(SEEN_ROW.findall(seen))
        assert masks == {case.beneficiary.id_number[:6] + "*" * 12}, (role, case.code, masks)
        years = {int(y) for y in re.findall(r"(?<!\d)(19\d\d|20[01]\d)年(?!\d)", seen)}
        assert years == {case.date_of_birth.year}, (role, case.code, years)
        full_dates = [
            d
            for d in (case.date_of_birth.isoformat(), f"{case.date_of_birth:%Y年}{case.date_of_birth.month}月")
            if d in seen
        ]
        assert not full_dates, (role, case.code, full_dates)
        # The gender is shown: the attacker knows it.
        count, _ = count_candidates(pattern=masks.pop(), gender=case.gender, birth_year=years.pop())
        assert count >= 10_000, (role, case.code, count)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_every_portal_page_opens_and_shows_nothing_unmasked(client, district, role):
    """The portal: dashboard (each round), directory, export, dossiers of projects in scope, the public pages."""
    hidden = secrets()
    urls = ["/public/", "/public/2012/", "/public/2013/", "/public/2013/print/", "/public/fields/"]
    urls += ["/public/2013/projects.csv", "/public/2013/projects.json"]
    if role != "anonymous":
        user = get_user_model().objects.get(username=role)
        client.force_login(user)
        urls += ["/", "/?round=2012", "/?round=2014", "/projects/", "/projects/?round=2012&grade=excellent"]
        visible = Project.objects.visible_to(user).order_by("pk")
        picks = [*visible[:3], *visible.filter(status="completed")[:2], *visible.reverse()[:2]]
        urls += [f"/projects/{project.code}/" for project in {p.pk: p for p in picks}.values()]
        if user.has_perm("projects.export_project"):
            urls.append("/projects/export/?format=csv")
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500 or response.status_code not in (200, 302):
            failures.append(f"{url}: {response.status_code}")
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found = leaks(body.decode("utf-8-sig", errors="replace"), hidden)
        if found:
            failures.append(f"{url}: {', '.join(sorted(found)[:3])}")
    assert failures == []
