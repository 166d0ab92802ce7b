"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser) against
pytest-django's live_server, or against `asgi_server` where a test needs WebSockets.
Failures leave a screenshot in var/e2e-failures/."""

import os
import re
import socket
import threading
import time
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


def _screenshot_if_failed(request, page, suffix: str = "") -> None:
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.nodeid)
        page.screenshot(path=str(FAILURE_DIR / f"{name}{suffix}.png"), full_page=True)


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    _screenshot_if_failed(request, page)
    context.close()


@pytest.fixture
def asgi_server(transactional_db):
    """The project's ASGI application (HTTP and WebSockets) under uvicorn, in a background
    thread with its own event loop; yields its base URL. pytest-django's live_server speaks
    WSGI only, so it cannot serve the live tally sockets."""
    import uvicorn

    from config.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app=application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    # Server.run makes the thread's own event loop; signal handlers stay with the main thread.
    thread = threading.Thread(target=server.run, name="asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the ASGI test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def asgi_page(browser, asgi_server, request):
    """Make pages against `asgi_server`, each in its own browser context (its own cookies:
    one logged-in person per page)."""
    made = []

    def new_page(**options):
        context = browser.new_context(base_url=asgi_server, locale="nl-NL", **options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        made.append((context, page))
        return page

    yield new_page
    for number, (context, page) in enumerate(made, start=1):
        _screenshot_if_failed(request, page, suffix=f"-{number}")
        context.close()
