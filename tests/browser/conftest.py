"""End-to-end tests in Debian's Chromium (never a downloaded browser) against live_server."""

import os
import shutil
from pathlib import Path

import pytest

# live_server runs Django in a thread while Playwright's sync API holds an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not shutil.which(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def shots():
    """Save a full-page screenshot of a step: var/screenshots/<name>.png (git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return shoot
