"""The portal in a real browser: a leader (committee) signs in, reads the dashboard, switches round, opens
a chart's table, filters the directory in two clicks and opens a dossier; a visitor reads the 2013 公示
without signing in. Every page is checked with axe-core (WCAG 2.1 A and AA) at 1440 and 390 px."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import PASSWORD, demo  # noqa: F401  (demo is a fixture)

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def accessibility_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: ``rule: selector`` per node."""
    # Evaluated through the DevTools protocol: an injected <script> element would be refused by the page's
    # Content-Security-Policy (script-src 'self', no inline scripts).
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => {
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')));
        }"""
    )


def check(page, shots, name):
    assert accessibility_violations(page) == [], name
    shots(page, name)


def sign_in(browser, live_server, username, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("2013年度")
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_leader_reads_the_dashboard_and_finds_a_project(browser, live_server, demo, shots, size):  # noqa: F811
    phone = size == "phone"
    page = sign_in(browser, live_server, "committee", WIDTHS[size])
    expect(page.locator(".figure-card").first).to_contain_text("60")
    check(page, shots, f"p01-dashboard-{size}")

    # Switch round: 2012's story.
    page.select_option("#round-select", "2012")
    page.click("form button:text-is('查看')")
    expect(page.locator("h1")).to_contain_text("2012年度")
    expect(page.locator(".figure-card").first).to_contain_text("50")

    # Open a chart's table: the numbers beside the drawing.
    chart = page.locator(".chart-card").nth(1)
    chart.locator("summary").click()
    expect(chart.locator("table")).to_be_visible()
    check(page, shots, f"p02-dashboard-2012-{size}")

    # The directory in two clicks: a year, then a colour category.
    if phone:
        page.click(".navbar-toggler")
    page.click("nav .nav-link:text-is('项目名录')")
    page.click(".chip:text-is('2013')")
    page.locator(".chip-row").nth(1).locator(".chip").nth(1).click()
    rows = page.locator(".project-table tbody tr")
    expect(rows.first).to_contain_text("QC-2013-")
    count = rows.count()
    assert 5 <= count <= 12
    expect(page.locator(".project-table tfoot")).to_contain_text(f"合计 {count} 个项目")
    check(page, shots, f"p03-directory-{size}")

    # A dossier.
    code = rows.first.locator("td.code a").inner_text()
    rows.first.locator("td.code a").click()
    expect(page.locator("h1")).to_contain_text(code)
    check(page, shots, f"p04-dossier-{size}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_visitor_reads_the_2013_disclosure_without_signing_in(browser, live_server, demo, shots, size):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport=WIDTHS[size])
    page = context.new_page()
    page.goto(f"{live_server.url}/public/2013/")
    expect(page.locator("h1")).to_contain_text("2013")
    expect(page.locator("body")).to_contain_text("1,000,000.00")
    check(page, shots, f"p05-public-{size}")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    check(page, shots, f"p06-login-{size}")
