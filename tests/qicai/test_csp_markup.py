"""Every page works under the strict Content-Security-Policy: it carries the policy, and its markup has
nothing the policy blocks.

A crawler signs in as each role and follows every same-site link from the workbench's index, the to-do
list, every changelist (with its filters, sorting, pages and popups), every add page and the portal, up to
two pages of each shape of URL (``/admin/projects/project/N/change/`` with any N is one shape; a query
string's parameter names are part of it, so each filter is its own shape). Pages reached only by posting
(a form with errors, an action's confirmation, an import's dry run, a reveal, the popup's answer) and the
error, sign-in, lock-out and document status pages are asked for by name. On every HTML answer:

- the ``Content-Security-Policy`` header is there and strict (``policy_problems``);
- the body has no inline ``<script>`` (``type="application/json"`` of ``json_script`` is data and allowed),
  no ``<style>``, no ``style=`` or ``on…=`` attribute, no ``javascript:`` URL, no resource from elsewhere
  (``markup_problems``).
"""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects.models import Enrollment, ImportJob, Project, Round
from qicai.documents.kinds import KINDS
from qicai.models import GeneratedDocument
from tests.imports.test_projects_import import xlsx

pytestmark = pytest.mark.django_db

# The roles whose pages differ: everything editable, programme staff's read-only pages and decisions, a
# unit's own records (some read-only), an evaluator's scoring (tests/qicai/test_every_page.py opens every
# role's pages for 500s).
ROLES = ["admin", "civil", "unit", "evaluator"]
PER_SHAPE = 2
UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}
# Not pages: files, downloads, JSON, and what signs out or switches the language (POST only anyway).
NOT_PAGES = re.compile(
    r"\.(pdf|csv|json|xlsx|png|jpe?g|svg|js|css)$|/download/|/export/|/template/|/scan/$|/photo/"
    r"|^/admin/autocomplete/|^/admin/jsi18n/|/logout/|^/i18n/|^/static/|^/media/"
)


# -- what the policy and the markup must be ---------------------------------------------------------------


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def policy_problems(response) -> list[str]:
    """What is missing or loose in the response's Content-Security-Policy."""
    header = response.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy header"]
    policy = parse_policy(header)
    problems = []
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, policy.get("default-src"))
        if sources is None:
            problems.append(f"no {directive}")
        elif loose := UNSAFE & set(sources) or [s for s in sources if s.startswith(("'nonce-", "'sha"))]:
            problems.append(f"{directive} allows {sorted(loose)}")
    for directive in ("script-src-attr", "style-src-attr", "script-src-elem", "style-src-elem"):
        if directive in policy and UNSAFE & set(policy[directive]):
            problems.append(f"{directive} is loose")
    if policy.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if policy.get("frame-ancestors") != ["'none'"]:
        problems.append("frame-ancestors is not 'none'")
    if policy.get("base-uri") != ["'self'"]:
        problems.append("base-uri is not 'self'")
    if policy.get("default-src") != ["'self'"]:
        problems.append("default-src is not 'self'")
    return problems


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}


class Markup(HTMLParser):
    """Collects what a strict policy blocks, and the page's links (to crawl)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): (value or "") for name, value in attrs}
        where = f"<{tag}{' id=' + names['id'] if 'id' in names else ''}>"
        if tag == "script" and "src" not in names and names.get("type", "").lower() != "application/json":
            self.problems.append(f"inline script {where}")
        if tag == "script" and "src" in names and names.get("type", "").lower() == "application/json":
            self.problems.append(f"json script with a src {where}")
        if tag == "style":
            self.problems.append(f"<style> {where}")
        for name, value in names.items():
            if name == "style":
                self.problems.append(f"style attribute on {where}: {value[:60]}")
            elif name.startswith("on"):
                self.problems.append(f"event handler {name} on {where}")
            elif name in URL_ATTRIBUTES:
                target = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if target.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"javascript: URL in {name} of {where}")
                elif (
                    target.startswith(("http:", "https:", "//"))
                    and urlsplit(target).hostname not in ("testserver", None)
                    and (tag != "a" and name not in ("action", "formaction"))
                ):
                    self.problems.append(f"resource from elsewhere in {name} of {where}: {value[:60]}")
        if tag == "a" and names.get("href"):
            self.links.append(names["href"])

    handle_startendtag = handle_starttag


def markup_problems(html: str) -> tuple[list[str], list[str]]:
    """(what the policy blocks, the links) of an HTML page."""
    markup = Markup()
    markup.feed(html)
    markup.close()
    return markup.problems, markup.links


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False)


def page_problems(response) -> list[str]:
    if not is_html(response):
        return []
    return policy_problems(response) + markup_problems(response.content.decode(errors="replace"))[0]


# -- walking the site --------------------------------------------------------------------------------------


def shape(url: str) -> str:
    """The URL with its numbers and codes as ``N`` and its query values dropped."""
    parts = urlsplit(url)
    path = re.sub(r"[A-Z]{2}-\d{4}-[0-9A-Z-]+|\d+", "N", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"_changelist_filters"})
    return path + ("?" + "&".join(keys) if keys else "")


class Walk:
    """A crawl by one signed-in client: every page it reached, and what was wrong with each."""

    def __init__(self, client: Client):
        self.client = client
        self.seen: set[str] = set()
        self.shapes: Counter[str] = Counter()
        self.pages = 0
        self.failures: list[str] = []

    def check(self, url: str, response) -> list[str]:
        self.pages += 1
        if response.status_code >= 500:
            self.failures.append(f"{url}: {response.status_code}")
            return []
        problems = page_problems(response)
        self.failures += [f"{url}: {problem}" for problem in problems]
        return markup_problems(response.content.decode(errors="replace"))[1] if is_html(response) else []

    def get(self, url: str):
        response = self.client.get(url)
        self.check(url, response)
        return response

    def post(self, url: str, data: dict, **extra):
        response = self.client.post(url, data, **extra)
        self.check(f"POST {url}", response)
        return response

    def crawl(self, *seeds: str, limit: int = 2000):
        queue = deque(seeds)
        while queue and self.pages < limit:
            url = queue.popleft()
            if url in self.seen or NOT_PAGES.search(urlsplit(url).path):
                continue
            self.seen.add(url)
            key = shape(url)
            if self.shapes[key] >= PER_SHAPE and url not in seeds:
                continue
            self.shapes[key] += 1
            response = self.client.get(url)
            if response.status_code in (301, 302):
                queue.append(response["Location"])
                continue
            here = urlsplit(url)
            for link in self.check(url, response):
                parts = urlsplit(urljoin(url, link.split("#")[0]))
                if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
                    continue
                if here.query and parts.path == here.path:
                    continue  # from a filtered list, not its combinations with every other filter
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def seeds_for(user) -> list[str]:
    """Where a walk starts: the workbench and each model's list and add page, plain and as a popup."""
    urls = ["/admin/", "/admin/todo/", "/", "/projects/", "/accounts/password/", "/public/"]
    urls += ["/accounts/two-factor/", "/accounts/two-factor/setup/"]  # the set-up page draws its QR code inline
    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        urls += [base, base + "add/", base + "?_popup=1&_to_field=id", base + "add/?_popup=1&_to_field=id"]
    return urls


@pytest.fixture(scope="module")
def district(demo_district):
    """The demo district plus documents in every state, for the status pages."""
    User = get_user_model()
    civil = User.objects.get(username="civil")
    round_ = Round.objects.get(year=2013)
    statuses = GeneratedDocument.Status
    for number, status in enumerate([statuses.PENDING, statuses.READY, statuses.FAILED, statuses.OUTDATED]):
        GeneratedDocument.objects.create(
            kind="annual_report",
            round=round_,
            language="zh-hans",
            version=f"v{number}",
            status=status,
            total=3,
            done=1,
            pages=3 if status == statuses.READY else None,
            message="排版失败" if status == statuses.FAILED else "",
            requested_by=civil,
        )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_is_strict_csp_clean(client, district, role):
    user = get_user_model().objects.get(username=role)
    client.force_login(user)
    walk = Walk(client)
    documents = [f"/documents/rounds/{year}/{kind}/" for year in (2012, 2013) for kind in KINDS]
    documents += [f"/documents/generated/{pk}/" for pk in GeneratedDocument.objects.values_list("pk", flat=True)]
    walk.crawl(*seeds_for(user), *documents)
    assert walk.pages > 60, walk.pages
    assert walk.failures == [], "\n".join(walk.failures[:40])


def test_pages_reached_by_posting_are_clean(client, district):
    """A form with errors, an action's confirmation, an import's dry run, a reveal, the popup's answer."""
    User = get_user_model()
    walk = Walk(client)
    client.force_login(User.objects.get(username="unit"))
    walk.post(reverse("admin:projects_project_add"), {"title": ""})
    job_count = ImportJob.objects.count()
    walk.post(
        reverse("admin:projects_importjob_upload", args=["projects"]),
        {"file": xlsx([["项目名称", "年度"], ["没有年度的项目", "不是年份"]])},
    )
    if ImportJob.objects.count() > job_count:
        job = ImportJob.objects.latest("pk")
        walk.get(reverse("admin:projects_importjob_change", args=[job.pk]))
    walk.post(reverse("admin:projects_importjob_upload", args=["projects"]), {})  # no file: the form's error

    client.force_login(User.objects.get(username="admin"))
    project = Project.objects.order_by("pk").first()
    walk.post(
        reverse("admin:projects_project_changelist"),
        {"action": "delete_selected", "_selected_action": [project.pk], "index": 0},
    )
    popup = walk.post(
        reverse("admin:projects_organization_add") + "?_popup=1&_to_field=id",
        {"name": "弹窗里新建的单位", "type": "agency", "_popup": "1", "_to_field": "id"},
    )
    assert b"admin/js/popup_response.js" in popup.content, popup.content.decode()[-1500:]
    unit = User.objects.get(username="unit")
    client.force_login(unit)
    case = Enrollment.objects.visible_to(unit).exclude(beneficiary__id_number="").order_by("pk").first()
    response = walk.post(reverse("admin:projects_enrollment_reveal", args=[case.pk, "id_number"]), {})
    assert response.status_code == 200 and case.beneficiary.id_number in response.content.decode()
    assert walk.pages >= 5
    assert walk.failures == [], "\n".join(walk.failures)


def test_sign_in_lock_out_and_error_pages_are_clean(district):
    anonymous = Client()
    walk = Walk(anonymous)
    for url in ("/accounts/login/", "/admin/login/", "/public/", "/no-such-page/", "/admin/projects/project/"):
        walk.get(url)
    for _ in range(6):
        response = walk.post("/admin/login/", {"username": "civil", "password": "不是这个密码"})
    assert response.status_code == 429 or "锁定" in response.content.decode(), response.status_code
    unit = Client()
    unit.force_login(get_user_model().objects.get(username="unit"))
    walk.client = unit
    walk.get("/admin/projects/round/add/")  # 403
    walk.get(f"/admin/projects/project/{Project.objects.order_by('-pk')[0].pk + 999}/change/")  # 404
    strict = Client(enforce_csrf_checks=True)
    walk.client = strict
    walk.post("/admin/login/", {"username": "civil", "password": "x"})
    assert walk.pages >= 9
    assert walk.failures == [], "\n".join(walk.failures)


@pytest.mark.urls("tests.qicai.error_urls")
def test_the_server_error_page_is_clean(db):
    client = Client(raise_request_exception=False)
    response = client.get("/explode/")
    assert response.status_code == 500
    assert page_problems(response) == []


# -- the checker catches what it must ----------------------------------------------------------------------


def test_the_markup_checker_finds_what_the_policy_blocks():
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<script type="application/json" id="data">{"a": 1}</script>'
        '<style>p {}</style><p style="color: red" onclick="x()">'
        '<a href=" JavaScript:go()">x</a><a href="/admin/?q=1#top">y</a>'
        '<img src="https://example.com/x.png"><img src="data:image/svg+xml;base64,AAA"></p>'
    )
    problems, links = markup_problems(html)
    assert len(problems) == 6, problems
    assert [p.split()[0] for p in problems] == ["inline", "<style>", "style", "event", "javascript:", "resource"]
    assert links == [" JavaScript:go()", "/admin/?q=1#top"]


def test_the_policy_checker_refuses_loose_policies():
    class Answer(dict):
        get = dict.get

    strict = (
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'"
    )
    assert policy_problems(Answer({"Content-Security-Policy": strict})) == []
    loose = strict.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    assert policy_problems(Answer({"Content-Security-Policy": loose})) == ["style-src allows [\"'unsafe-inline'\"]"]
    no_script = strict.replace("script-src 'self'; ", "").replace("default-src 'self'", "default-src *")
    assert "script-src allows ['*']" in policy_problems(Answer({"Content-Security-Policy": no_script}))
    assert policy_problems(Answer({})) == ["no Content-Security-Policy header"]


def test_a_shape_forgets_numbers_codes_and_query_values():
    assert shape("/admin/projects/project/12/change/") == shape("/admin/projects/project/7/change/")
    assert shape("/projects/QC-2013-001/") == shape("/projects/QC-2012-045/")
    assert shape("/admin/projects/project/?status=a&o=1") == shape("/admin/projects/project/?o=2&status=b")
    assert shape("/admin/projects/project/?status=a") != shape("/admin/projects/project/?round=a")
