"""Every workbench page, as every demo role, at 1440 and 390 px: the page never scrolls sideways, and no table
squeezes a column to a character a line.

The pages come from the admin site's registry and each user's own permissions, not from a hand list, so a new
model or a new custom page is walked without touching this file: for each registered model the role may view,
its list, the first record of its list (its change or view page), its add page when the role may add, and its
custom pages (``get_urls``). Pages that are one template whoever opens them (Django's history, past version,
deletion and app pages, the password form, a list's export) are walked once, as the superuser. A custom URL this
walk does not know how to reach fails the test until it is taught (``CUSTOM_PAGES``) or listed as no page at all
(``NOT_PAGES``: downloads, POSTs that redirect).

Horizontal overflow of the page is ``scrollWidth > clientWidth`` of the document: content that scrolls inside
its own box (``overflow-x: auto``) is fine. A squeezed cell is one narrower than two characters whose text
wraps onto three lines or more. Each page is loaded once and measured at one width, then resized and measured
at the other (media queries follow the viewport; no page script lays out by width on load), which halves the
walk. Every failure is collected and reported together, with the elements that stick out.

``QICAI_SHOTS=/tmp/shots`` saves a full-page screenshot of every page at both widths: look at them.
"""

import datetime
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandlerMixin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from awards import permissions as award_permissions
from awards.constants import EXCELLENT_PROJECT
from awards.models import AwardType, Nomination
from awards.services import nomination_create
from projects import permissions
from projects.imports.jobs import import_job_start
from projects.imports.registry import IMPORTERS, importer_for
from projects.models import Evaluation, Organization, Project, Round, RubricTemplate
from projects.services import evaluation_assign, evaluation_create, evaluation_to_offer
from projects.states import ProjectStatus
from tests.browser.test_import_export_journey import office_workbook
from tests.browser.test_journey import PASSWORD, demo  # noqa: F401  (demo is a fixture)

ROLES = ("admin", "committee", "civil", "association", "unit", "unit2", "evaluator")
WIDTHS = ((1440, 900), (390, 844))
SHOTS = os.environ.get("QICAI_SHOTS")
# Django's own pages of a model; every other named URL of a model admin is a custom page.
STANDARD = ("changelist", "add", "change", "history", "delete", "autocomplete")


@dataclass(frozen=True)
class Page:
    name: str  # what the failure list and the screenshot call it
    url: str
    # A page reached by posting a form (a lookup, a reveal): the form on ``url`` to submit, and what to type.
    submit: str = ""
    fill: dict = field(default_factory=dict)


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


# -- custom pages: how to reach each, from the user's permissions --------------------------------------------
# Each takes (user, request, model_admin) and returns the pages to visit (none when the role cannot reach it).


def transition_pages(user, request, model_admin):
    """One confirmation page per transition the user may take now, on the first project that offers it."""
    first = {}
    for project in model_admin.get_queryset(request).order_by("code"):
        for transition in permissions.available_transitions(user, project):
            first.setdefault(transition.action, project)
    return [
        Page(f"transition {action}", admin_url("projects_project_transition", project.pk, action))
        for action, project in first.items()
    ]


def first_page(name, url_name, candidates, allowed):
    """The page of the first candidate the user may act on, if any."""
    obj = next((obj for obj in candidates if allowed(obj)), None)
    return [] if obj is None else [Page(name, admin_url(url_name, obj.pk))]


def rectification_pages(user, request, model_admin):
    projects = model_admin.get_queryset(request).filter(needs_rectification=True)
    return first_page(
        "rectification",
        "projects_project_rectification",
        projects,
        lambda p: permissions.can_clear_rectification(user, p),
    )


def evaluate_pages(user, request, model_admin):
    """发起评估: the first running project that waits for an evaluation the user may open."""
    projects = model_admin.get_queryset(request).filter(status__in=[ProjectStatus.IN_PROGRESS]).order_by("code")
    return first_page(
        "start evaluation",
        "projects_project_evaluate",
        projects,
        lambda p: evaluation_to_offer(user, p) is not None,
    )


def unusual_reading_pages(user, request, model_admin):
    """异常查阅: for those who read the access log, every day of the last week listed (flagged or not)."""
    if not permissions.can_read_access_log(user):
        return []
    return [Page("unusual reading", admin_url("projects_auditentry_unusual_reading") + "?all=1")]


def enrollment_close_pages(user, request, model_admin):
    cases = model_admin.get_queryset(request)
    return first_page("close", "projects_enrollment_close", cases, lambda e: permissions.can_change_case(user, e))


def enrollment_lookup_pages(user, request, model_admin):
    """POST only (nothing searched lands in a URL): typed into the list's lookup form, a name from the list."""
    case = first_listed(model_admin, request)
    if case is None:
        return []
    changelist = admin_url("projects_enrollment_changelist")
    return [Page("lookup", changelist, submit="form.lookup-form", fill={"#lookup-q": case.name})]


def reveal_pages(user, request, model_admin):
    """POST only: the first reveal button on the first record whose full values the user may reveal."""
    for record in model_admin.get_queryset(request)[:20]:
        if permissions.can_reveal_personal_data(user, record):
            url = admin_url(f"projects_{model_admin.opts.model_name}_change", record.pk)
            return [Page("reveal", url, submit=".reveal-box form")]
    return []


def agreement_sign_pages(user, request, model_admin):
    agreements = model_admin.get_queryset(request)
    return first_page("sign", "projects_agreement_sign", agreements, lambda a: permissions.can_sign_framework(user, a))


def agreement_terminate_pages(user, request, model_admin):
    agreements = model_admin.get_queryset(request)
    return first_page(
        "terminate", "projects_agreement_terminate", agreements, lambda a: permissions.can_terminate_agreement(user, a)
    )


def ranking_pages(user, request, model_admin):
    """The ranking of the first round with finalised final evaluations (the one with something to rank)."""
    if not permissions.sees_whole_portfolio(user):
        return []
    rounds = model_admin.get_queryset(request).order_by("-year")
    finalised = Evaluation.objects.filter(kind="final", status=Evaluation.Status.FINALISED)
    return first_page(
        "ranking", "projects_round_ranking", rounds, lambda r: finalised.filter(project__round=r).exists()
    )


def release_pages(user, request, model_admin):
    instalments = model_admin.get_queryset(request)
    return first_page("release", "projects_instalment_release", instalments, lambda i: permissions.can_release(user, i))


def score_pages(user, request, model_admin):
    """The user's scorecard: an open evaluation it is assigned to first (the form), else any assigned one."""
    evaluations = sorted(model_admin.get_queryset(request), key=lambda e: e.status != Evaluation.Status.OPEN)
    return first_page(
        "score", "projects_evaluation_score", evaluations, lambda e: permissions.is_assigned_evaluator(user, e)
    )


def finalise_pages(user, request, model_admin):
    evaluations = model_admin.get_queryset(request).filter(status=Evaluation.Status.OPEN)
    return first_page(
        "finalise", "projects_evaluation_finalise", evaluations, lambda e: permissions.can_finalise(user, e)
    )


def scorecards_export_pages(user, request, model_admin):
    if not (permissions.can_export_scorecards(user) and model_admin.has_view_permission(request)):
        return []
    return [Page("scorecards export", admin_url("projects_evaluation_scorecards_export"))]


def import_upload_pages(user, request, model_admin):
    return [
        Page(f"upload {key}", admin_url("projects_importjob_upload", key))
        for key in sorted(IMPORTERS)
        if importer_for(key, user).may_import()
    ]


def nomination_pages(action):
    def pages(user, request, model_admin):
        nominations = model_admin.get_queryset(request)
        return first_page(
            action, f"awards_nomination_{action}", nominations, lambda n: award_permissions.can_decide(user, n)
        )

    return pages


def user_password_pages(user, request, model_admin):
    user_ = first_listed(model_admin, request)
    if user_ is None or not model_admin.has_change_permission(request, user_):
        return []
    return [Page("password", admin_url("auth_user_password_change", user_.pk))]


def history_record_pages(user, request, model_admin):
    """django-simple-history's page of one past version: the first record's latest."""
    obj = first_listed(model_admin, request)
    record = obj and obj.history.order_by("-history_id").first()
    if record is None:
        return []
    name = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_simple_history"
    return [Page("past version", admin_url(name, obj.pk, record.history_id))]


def export_pages(user, request, model_admin):
    opts = model_admin.opts
    if not model_admin.has_export_permission(request):
        return []
    return [Page("export", admin_url(f"{opts.app_label}_{opts.model_name}_export"))]


CUSTOM_PAGES = {
    "projects_project_transition": transition_pages,
    "projects_project_rectification": rectification_pages,
    "projects_project_evaluate": evaluate_pages,
    "projects_enrollment_close": enrollment_close_pages,
    "projects_auditentry_unusual_reading": unusual_reading_pages,
    "projects_enrollment_lookup": enrollment_lookup_pages,
    "projects_enrollment_reveal": reveal_pages,
    "projects_socialworker_reveal": reveal_pages,
    "projects_volunteer_reveal": reveal_pages,
    "projects_agreement_sign": agreement_sign_pages,
    "projects_agreement_terminate": agreement_terminate_pages,
    "projects_round_ranking": ranking_pages,
    "projects_instalment_release": release_pages,
    "projects_evaluation_score": score_pages,
    "projects_evaluation_finalise": finalise_pages,
    "projects_evaluation_scorecards_export": scorecards_export_pages,
    "projects_importjob_upload": import_upload_pages,
    "awards_nomination_confirm": nomination_pages("confirm"),
    "awards_nomination_decline": nomination_pages("decline"),
    "auth_user_password_change": user_password_pages,
}
# Named URLs that are no page: a file download, or a POST that redirects to a page walked anyway.
NOT_PAGES = {
    "projects_activity_photo_upload": "POST, back to the activity",
    "projects_activity_photo": "an image",
    "projects_agreement_scan": "a download",
    "projects_agreement_scan_upload": "POST, back to the agreement",
    "projects_round_ranking_export": "a download",
    "projects_round_money_export": "a download",
    "projects_rubrictemplate_revise": "POST, on to the new version",
    "projects_evaluation_assign": "POST, back to the evaluation",
    "projects_importjob_template": "a download",
    "projects_importjob_confirm": "POST, back to the job",
    "projects_importjob_abandon": "POST, back to the job",
    "awards_awardrecord_award_list": "a download",
    "awards_nomination_propose": "POST, back to the list",
}


def first_listed(model_admin, request):
    """The first record of the user's list, in the list's own order and scope."""
    return next(iter(model_admin.get_changelist_instance(request).result_list[:1]), None)


def workbench_pages(user, *, generic: bool = True) -> tuple[list[Page], list[str]]:
    """Every workbench page ``user`` can reach, and the custom URLs nobody taught this walk.

    ``generic`` adds the pages that are one template for every model and role: Django's own (an app's index, a
    record's history and past version, a deletion's confirmation, the password form) and a list's export (its
    columns as check boxes)."""
    request = as_request(user)
    pages = [Page("index", admin_url("index")), Page("todo", admin_url("todo"))]
    if generic:
        pages.append(Page("password change", admin_url("password_change")))
        pages += [
            Page(f"{label} app", admin_url("app_list", label)) for label in sorted(admin.site._build_app_dict(request))
        ]
    unknown = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        if not model_admin.has_view_or_change_permission(request):
            continue
        found = []
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        found.append(Page("list", admin_url(f"{prefix}_changelist")))
        obj = first_listed(model_admin, request)
        if obj is not None:
            found.append(Page("change", admin_url(f"{prefix}_change", obj.pk)))
            if generic:
                found.append(Page("history", admin_url(f"{prefix}_history", obj.pk)))
            if generic and model_admin.has_delete_permission(request, obj):
                found.append(Page("delete", admin_url(f"{prefix}_delete", obj.pk)))
        if model_admin.has_add_permission(request):
            found.append(Page("add", admin_url(f"{prefix}_add")))
        for pattern in model_admin.get_urls():
            name = pattern.name or ""
            if not name or name.removeprefix(f"{prefix}_") in STANDARD or name in NOT_PAGES:
                continue
            if name == f"{prefix}_export":
                found += export_pages(user, request, model_admin) if generic else []
            elif name == f"{prefix}_simple_history":
                found += history_record_pages(user, request, model_admin) if generic else []
            elif name in CUSTOM_PAGES:
                found += CUSTOM_PAGES[name](user, request, model_admin)
            else:
                unknown.append(name)
        pages += [replace(page, name=f"{model._meta.label_lower} {page.name}") for page in found]
    return pages, sorted(set(unknown))


# -- in the browser --------------------------------------------------------------------------------------------

MEASURE = """() => {
    const root = document.documentElement, limit = root.clientWidth;
    const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    // Table cells squeezed below two characters, their text wrapping a character or two a line.
    const squeezed = [];
    for (const cell of document.querySelectorAll('#content td, #content th')) {
        const text = cell.innerText.trim();
        if (text.length < 3 || !cell.getClientRects().length) continue;
        const style = getComputedStyle(cell), em = parseFloat(style.fontSize);
        const box = cell.getBoundingClientRect();
        const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const lines = (box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom))
            / (parseFloat(style.lineHeight) || em * 1.4);
        if (inner < 2.2 * em && lines > 2.5) squeezed.push(`${describe(cell)} "${text.slice(0, 8)}"`);
    }
    const culprits = [];
    if (root.scrollWidth > limit) {
        const scrolls = el => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
        for (const el of document.body.querySelectorAll('*')) {
            const right = el.getBoundingClientRect().right;
            const parent = el.parentElement;
            if (right <= limit + 1 || parent.getBoundingClientRect().right > limit + 1) continue;
            let boxed = false;
            for (let up = parent; up && up !== document.body; up = up.parentElement) if (scrolls(up)) boxed = true;
            if (!boxed) culprits.push(describe(el) + ' to ' + Math.round(right) + ' px');
        }
    }
    return {scroll: root.scrollWidth, client: limit, culprits: culprits.slice(0, 3), squeezed: squeezed.slice(0, 3)};
}"""


def sign_in(browser, base_url: str, username: str):
    width, height = WIDTHS[0]
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_selector("#site-name")
    assert "/login/" not in page.url, f"{username} could not sign in"
    return page


def open_page(page, base_url: str, target: Page) -> str:
    """Load ``target`` (submitting its form, if it has one); return what went wrong, '' when nothing did."""
    response = page.goto(base_url + target.url)
    if target.submit and response.status == 200:
        for selector, text in target.fill.items():
            page.fill(selector, text)
        with page.expect_navigation() as navigation:
            page.locator(target.submit).first.locator("[type=submit]").first.click()
        response = navigation.value
    if response.request.redirected_from is not None:
        return f"redirected to {page.url}"
    return "" if response.status == 200 else f"HTTP {response.status} at {page.url}"


def shot_name(username: str, width: int, target: Page) -> str:
    return f"{username}-{width}-{re.sub(r'[^A-Za-z0-9]+', '-', target.name).strip('-').lower()}.png"


def walk(page, base_url: str, username: str, pages: list[Page]) -> list[str]:
    """Open each page at one width and measure it, then at the other; the next page opens at the width the last
    one ended at (a resize is cheaper than a load)."""
    failures, widths = [], list(WIDTHS)
    for target in pages:
        problem = open_page(page, base_url, target)
        if problem:
            failures.append(f"{username} {target.name} {target.url}: {problem}")
            continue
        for width, height in widths:
            page.set_viewport_size({"width": width, "height": height})
            measured = page.evaluate(MEASURE)
            where = f"{username} @{width}px {target.name} {target.url}"
            if measured["scroll"] > measured["client"]:
                culprits = "; ".join(measured["culprits"])
                failures.append(f"{where}: body {measured['scroll']} px wide in {measured['client']} px ({culprits})")
            if measured["squeezed"]:
                failures.append(
                    f"{where}: table cells squeezed to a character a line: " + "; ".join(measured["squeezed"])
                )
            if SHOTS:
                page.screenshot(path=str(Path(SHOTS) / shot_name(username, width, target)), full_page=True)
        widths.reverse()
    page.context.close()
    return failures


# -- the work in flight the demo lacks, so that its pages exist ------------------------------------------------


@pytest.fixture
def work_in_flight(demo):  # noqa: F811
    put_work_in_flight()


@pytest.fixture
def cached_static_files(monkeypatch):
    """Static files with a max-age, as WhiteNoise serves them in production: the test server sends them without
    one, and the browser fetched all twenty of them again for every page (a third of the walk's time)."""
    serve = StaticFilesHandlerMixin.serve

    def serve_cacheable(self, request):
        response = serve(self, request)
        response["Cache-Control"] = "max-age=3600"
        return response

    monkeypatch.setattr(StaticFilesHandlerMixin, "serve", serve_cacheable)


def put_work_in_flight():
    """An open mid-term evaluation with `evaluator` assigned (the scorecard form, 定级), a pending nomination
    (the committee's confirm and decline), a project under rectification and civil's dry-run import with errors."""
    User = get_user_model()
    civil, evaluator, association = (User.objects.get(username=n) for n in ("civil", "evaluator", "association"))
    running = Project.objects.filter(round__year=2013, status=ProjectStatus.IN_PROGRESS).order_by("code")
    evaluation = evaluation_create(
        by=civil,
        project=running[0],
        kind="midterm",
        template=RubricTemplate.objects.filter(kind="midterm").order_by("-version").first(),
        due_date=datetime.date(2014, 3, 31),
    )
    evaluation_assign(evaluation=evaluation, evaluator=evaluator, by=civil)
    nomination_create(
        nomination=Nomination(
            round=Round.objects.get(year=2013),
            award_type=AwardType.objects.get(code=EXCELLENT_PROJECT),
            project=running[1],
            reason="服务成效突出，社区反响良好。",
        ),
        by=association,
    )
    # As a failed evaluation leaves it (evaluation_finalise); the walk only needs the state.
    Project.objects.filter(pk=running[2].pk).update(needs_rectification=True, rectification_note="补齐个案档案。")
    units = list(Organization.objects.filter(type="agency").order_by("name").values_list("name", flat=True))[:5]
    upload = SimpleUploadedFile("2014年申报汇总.xlsx", office_workbook(units, fixed=False))
    import_job_start(importer_key="projects", upload=upload, by=civil)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_workbench_page_scrolls_sideways(browser, live_server, work_in_flight, cached_static_files):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
    User = get_user_model()
    failures, unknown = [], set()
    for username in ROLES:
        # Pages that are one template whoever opens them are walked once, as the superuser, who reaches them all.
        pages, untaught = workbench_pages(User.objects.get(username=username), generic=username == "admin")
        unknown.update(untaught)
        failures += walk(sign_in(browser, live_server.url, username), live_server.url, username, pages)
    if unknown:
        failures.append(
            f"custom admin URLs this walk cannot reach (teach CUSTOM_PAGES or NOT_PAGES): {sorted(unknown)}"
        )
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
