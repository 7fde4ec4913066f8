"""The README's tours, followed literally in Chromium at 1440 px on the demo data (issue 17).

Each ``<!-- tour ROLE -->`` block of README.md is a numbered walk-through. In each step, in the order
written: "Sign in as `user`" signs in on the portal's login page; a **bold** name is a link or button to
click (its exact name first, else the first whose name contains it; a 下载 link is a download); a «quoted»
text must then be visible; a picture ``![…](docs/tour/NAME.png)`` after a step is taken at that point — the
page as it is, or, after a PDF download, a page of that PDF — so the README's pictures are the product's.
"""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import PASSWORD, demo  # noqa: F401  (demo is a fixture)

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TOURS = dict(re.findall(r"<!-- tour (\w+) -->\n(.*?)<!-- /tour -->", README.read_text(), re.S))
TOKEN = re.compile(r"Sign in as `(?P<user>\w+)`|\*\*(?P<click>.+?)\*\*|«(?P<see>.+?)»|!\[[^\]]*\]\((?P<shot>[^)]+)\)")
PDF_PAGE = 3  # the annual report's page of figures


def steps(text: str) -> list[str]:
    """The numbered steps, each with its continuation lines and the pictures after it."""
    found: list[str] = []
    for line in text.splitlines():
        if re.match(r"\d+\. ", line):
            found.append(line)
        elif found:
            found[-1] += "\n" + line
    return found


def target(page, name: str):
    for role in ("link", "button", "tab"):
        exact = page.get_by_role(role, name=name, exact=True)
        if exact.count():
            return exact.first
    for role in ("link", "button"):
        loose = page.get_by_role(role, name=name)
        if loose.count():
            return loose.first
    raise AssertionError(f"nothing to click named {name!r} on {page.url}")


def sign_in(page, live_server, user: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_be_visible()


def picture(page, path: Path, pdf: Path | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if pdf is None:
        page.screenshot(path=str(path))
        return
    stem = path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-f", str(PDF_PAGE), "-l", str(PDF_PAGE), "-r", "80", "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("role", list(TOURS))
def test_the_readme_tour_works_as_written(browser, live_server, demo, role, tmp_path):  # noqa: F811
    assert {"civil", "association", "unit", "evaluator", "committee"} <= set(TOURS)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    pdf = None
    for number, step in enumerate(steps(TOURS[role]), start=1):
        for token in TOKEN.finditer(step):
            where = f"{role} step {number}: {token.group(0)}"
            if token["user"]:
                sign_in(page, live_server, token["user"])
            elif token["click"]:
                name = token["click"]
                if name.startswith("下载"):
                    with page.expect_download() as download:
                        target(page, name).click()
                    pdf = tmp_path / download.value.suggested_filename
                    download.value.save_as(pdf)
                else:
                    target(page, name).click()
                    page.wait_for_load_state()
            elif token["see"]:
                expect(page.get_by_text(token["see"]).first, where).to_be_visible()
            elif token["shot"]:
                picture(page, ROOT / token["shot"], pdf if pdf and pdf.suffix == ".pdf" else None)
    context.close()
