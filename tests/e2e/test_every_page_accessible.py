"""axe-core finds no violation of any impact (minor and moderate too), and nothing scrolls
sideways at phone width, on every page of every role (issue #16): anonymous, a member, an
ambassador and a board member (both with a second factor), at desktop and at phone width.

The pages are tests/every_page.py's: every URL of the authorisation matrix the role may open
(so a new page is checked as soon as the matrix knows it), a ballot of every kind with its
vote form, a weighted named ballot the ambassador may split, closed and counted ballots with
their results and approval pages, search with and without results. Forms are checked in the
states a visitor meets: the split form with a wrong sum, the register import's preview after
an upload, the proxy form (on the open ballot, where the member already holds a proxy), the
board's attendance, moderation and ask pages.

One browser session per role and viewport visits them all (the whole file runs in about two
minutes here). Every violation of every page is listed before the test fails.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.test_accessibility import (  # noqa: F401 - fixtures and settings
    AXE_PATH,
    OVERFLOW_JS,
    VIEWPORTS,
    axe_page,
    axe_source,
)
from tests.every_page import PAGE_ROLES, every_page
from tests.security.test_authorisation_matrix import world  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def violations(page, what: str) -> list[str]:
    """axe-core (every rule, every impact) and sideways scrolling, as lines for a report."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_PATH)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = [
        f"{what} ({page.url}) [{v['impact']}] {v['id']}: {v['help']} -> "
        + "; ".join(" >> ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in results["violations"]
    ]
    if sticking_out := page.evaluate(OVERFLOW_JS):
        lines.append(f"{what} ({page.url}) scrolls sideways because of {sticking_out}")
    return lines


def _html_pages(role: str, people, pages) -> list[tuple[str, str]]:
    """The pages that are whole HTML documents (not JSON, a file, or a fragment that a page
    fetches into itself, like the ask page's similar questions: those are checked in their
    page), found with Django's client first: cheaper than finding out in the browser."""
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    html = []
    for what, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (role, what, path, response.status_code)
        if response.get("Content-Type", "").startswith("text/html") and (
            b"<html" in response.content
        ):
            html.append((what, path))
    return html


def _log_in(page, role: str, people) -> None:
    if role == "anonymous":
        return
    client = Client()
    client.force_login(people[role])
    page.goto("/healthz")  # the site's address, for the cookie
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.url}]
    )


def _states(page, role: str, people, pages) -> list[str]:
    """The forms in the states the pages alone do not show."""
    found = []
    if role == "ambassador":
        page.goto(next(path for what, path in pages if what == "split vote form"))
        parts = page.locator("[data-split-part]")
        parts.nth(0).fill("200")
        parts.nth(1).fill("150")
        page.get_by_role("button", name="Verder naar bevestigen").click()
        expect(page.get_by_role("alert").first).to_be_visible()
        found += violations(page, "split form with a wrong sum")
    if role == "board":
        page.goto("/bestuur/ledenregister/")
        region = people["member"].membership.region
        csv = (
            "membership_number,name,email,region,role,weight\n"
            f"M-99001,Xorq Q,xorq.q@example.nl,{region.code},member,\n"
            f"M-99002,Xorq R,not-an-address,{region.code},member,\n"
        )
        page.locator("input[type=file]").set_input_files(
            files=[{"name": "leden.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
        )
        page.get_by_role("button", name="Controleren").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found += violations(page, "register import after an upload")
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role", PAGE_ROLES)
def test_every_page_of_every_role_has_no_accessibility_violations(
    axe_page,  # noqa: F811
    world,  # noqa: F811
    role,
    viewport,
):
    people = world[0]
    pages = _html_pages(role, people, every_page(world)[role])
    assert len(pages) >= (8 if role == "anonymous" else 25), pages
    page = axe_page(viewport)
    _log_in(page, role, people)
    found = []
    for what, path in pages:
        page.goto(path)
        assert page.url.removeprefix(page.url.split("/", 3)[2]).endswith(path.lstrip("/")), (
            f"{what}: {path} went to {page.url}"
        )
        found += violations(page, what)
    found += _states(page, role, people, pages)
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)
