"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser) against
pytest-django's live_server. Failures leave a screenshot in var/e2e-failures/."""

import os
import re
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import skip_or_fail

FAILURE_DIR = Path(__file__).resolve().parents[2] / "var" / "e2e-failures"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(monkeypatch):
    """One Playwright per test: its sync API keeps an event loop running in this thread,
    which would break later tests that use async_to_sync if it outlived the test."""
    # With that loop running, Django refuses ORM calls from this thread; the calls the tests
    # make (factories, reading the outbox) are synchronous and safe (STACK.md, trap 6).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        skip_or_fail(f"Chromium not found at {executable} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        # ORM calls made while Playwright's loop ran used connections bound to that loop's
        # context; close them now, or PostgreSQL refuses to drop the test database.
        connections.close_all()
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.nodeid)
        page.screenshot(path=str(FAILURE_DIR / f"{name}.png"), full_page=True)
    context.close()
