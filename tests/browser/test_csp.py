"""The strict Content-Security-Policy in a real browser: pages and their scripts work with no 'unsafe-inline'.

Chromium enforces the header the server sends; every page of the walk listens for ``securitypolicyviolation``
(an init script, reporting through an exposed function so nothing is lost across navigations) and the console
is read for CSP errors and script errors. The walk signs in as several roles, through the real sign-in pages,
and uses the scripts that run under the policy: the admin's theme switch, the project page's tabs, an
autocomplete (select2) opened and searched, a date widget's calendar opened and a day picked, a changelist's
filters and its action bar, the import page, the to-do list, the dashboard's charts (``data:`` images) and
their tables, the dossier. Any violation fails the test, with the page it came from.
"""

import pytest
from playwright.sync_api import expect

from projects.models import Project
from projects.states import ProjectStatus
from tests.browser.test_journey import PASSWORD, demo  # noqa: F401  (demo is a fixture)

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation([event.violatedDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber,
                         event.sample].join(" | "));
}, true);
"""


class Watched:
    """A signed-in browser context whose pages report every CSP violation, CSP console error and script error."""

    def __init__(self, browser, live_server):
        self.live_server = live_server
        self.problems: list[str] = []
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        self.context.expose_function("__cspViolation", lambda text: self.problems.append(f"violation: {text}"))
        self.context.add_init_script(LISTEN)
        self.context.on("page", self.watch)
        self.page = self.context.new_page()

    def watch(self, page):
        def console(message):
            text = message.text
            if "Failed to load resource" in text:
                return  # a failed load is reported with its address by ``response``
            if "Content Security Policy" in text or "Content-Security-Policy" in text or message.type == "error":
                self.problems.append(f"console {message.type} on {page.url}: {text}")

        def response(answer):
            if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
                self.problems.append(f"{answer.status} for {answer.url} on {page.url}")

        page.on("console", console)
        page.on("response", response)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))

    def goto(self, path):
        response = self.page.goto(f"{self.live_server.url}{path}")
        assert response.status == 200, (path, response.status)
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
        return self.page

    def sign_in(self, username, path="/admin/login/"):
        page = self.goto(path)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main [type=submit], #login-form [type=submit]")
        page.wait_for_load_state()
        return page

    def close(self):
        self.context.close()


def show_section_of(page, selector):
    """Click the tab of the project page's section that holds ``selector``."""
    panel = page.locator(f"[data-tab-panel]:has({selector})")
    if panel.count():
        page.locator(f"[role=tab][aria-controls='{panel.get_attribute('id')}']").click()
    expect(page.locator(selector)).to_be_attached()


@pytest.fixture
def watched(browser, live_server):
    opened = []

    def open_as(username=None, path="/admin/login/"):
        session = Watched(browser, live_server)
        opened.append(session)
        if username:
            session.sign_in(username, path)
        return session

    yield open_as
    for session in opened:
        session.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_listener_catches_what_the_policy_blocks(watched):
    """The harness itself: an inline style and an inline script put into a page are reported."""
    session = watched()
    page = session.goto("/admin/login/")
    page.evaluate(
        """() => {
            const box = document.createElement("div");
            box.innerHTML = '<p style="color: red">x</p>';
            document.body.append(box);
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran === undefined")  # the inline script did not run
    directives = " ".join(session.problems)
    assert "style-src" in directives and "script-src" in directives, session.problems


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_and_their_scripts_work_under_the_strict_policy(watched, demo):  # noqa: F811
    # Anonymous: the sign-in pages (the admin's has the light/dark theme switch), the public 公示.
    visitor = watched()
    page = visitor.goto("/admin/login/")
    page.locator("button.theme-toggle").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") in ("dark", "light", "auto")
    visitor.goto("/accounts/login/")
    visitor.goto("/public/2013/")
    assert visitor.problems == [], visitor.problems

    # A leader (committee) in the portal: the dashboard's charts are data: images and they load.
    leader = watched("committee", "/accounts/login/")
    page = leader.goto("/")
    charts = page.locator(".chart-card img")
    expect(charts.first).to_be_visible()
    assert page.evaluate("[...document.querySelectorAll('.chart-card img')].every(i => i.naturalWidth > 0)")
    page.locator(".chart-card summary").first.click()
    expect(page.locator(".chart-card table").first).to_be_visible()
    leader.goto("/projects/?round=2013")
    leader.goto("/projects/QC-2013-001/")
    page = leader.goto("/accounts/two-factor/setup/")  # the QR code is an inline SVG: paths, no style
    expect(page.locator("svg.two-factor-qr-code")).to_be_visible()
    assert leader.problems == [], leader.problems

    # The superuser in the workbench.
    admin = watched("admin")
    admin.goto("/admin/")
    admin.goto("/admin/todo/")

    # The project page and its tabs: one panel at a time, chosen by its tab.
    project = Project.objects.get(code="QC-2013-001")
    page = admin.goto(f"/admin/projects/project/{project.pk}/change/")
    tabs = page.get_by_role("tab")
    assert tabs.count() >= 3
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        panel = page.locator("#" + tab.get_attribute("aria-controls"))
        expect(panel).to_be_visible()
        assert page.locator("[data-tab-panel]:visible").count() == 1
    admin.goto(f"/admin/projects/project/{project.pk}/history/")

    # A draft's form: the autocomplete opened and searched, the calendar opened and a day picked. (No form
    # offers related-object popups: projects/admin/base.py turns off their add and change links.)
    draft = Project.objects.filter(status=ProjectStatus.DRAFT).order_by("pk").first()
    page = admin.goto(f"/admin/projects/project/{draft.pk}/change/")
    show_section_of(page, "#id_implementing_unit")
    page.locator("#id_implementing_unit + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("社会工作")
    expect(page.locator(".select2-results__option").first).to_contain_text("社会工作")
    page.keyboard.press("Escape")
    show_section_of(page, "#id_start_date")
    page.locator("#id_start_date ~ .datetimeshortcuts a[id^=calendarlink]").click()
    calendar = page.locator(".calendarbox:visible")
    expect(calendar).to_be_visible()
    calendar.locator("td a").first.click()
    expect(calendar).to_be_hidden()
    assert page.input_value("#id_start_date")
    # A changelist: a filter, the action bar (select all, the count), the import page.
    page = admin.goto("/admin/projects/project/")
    page.locator("#changelist-filter a").nth(1).click()
    page.wait_for_load_state()
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("选")
    page = admin.goto("/admin/projects/enrollment/")
    admin.goto("/admin/projects/importjob/new/projects/")
    assert admin.problems == [], admin.problems

    # Civil affairs: the to-do list, a case list with its date drill-down, a case.
    civil = watched("civil")
    page = civil.goto("/admin/todo/")
    page = civil.goto("/admin/projects/enrollment/")
    link = page.locator(".xfull a, #changelist-form a").first
    link.click()
    page.wait_for_load_state()
    assert civil.problems == [], civil.problems
