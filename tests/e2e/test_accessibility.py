"""Accessibility (issue #8, item 7): axe-core runs in Chromium on the main pages, at desktop
and at phone width, and finds no serious or critical WCAG 2.1 A/AA violation.

axe-core comes from the npm registry, pinned in tests/e2e/axe/package-lock.json and installed
by `make test` (`npm ci --prefix tests/e2e/axe`); the `axe_source` fixture installs it once
itself when it is missing (a plain `pytest` run on a fresh checkout).

The site's Content-Security-Policy allows scripts from 'self' (plus a nonce) only, so an
inline <script> with axe would be refused. Rather than turning the policy off for these
contexts (`bypass_csp=True`, which would also let through inline styles the real site
blocks, so axe could judge a page members never see), the browser context answers one
same-origin URL (AXE_PATH) itself with axe's file, and the page loads it as a 'self' script:
the pages are checked with their real policy in force. The server never sees that URL.

The pages are served by uvicorn (`asgi_server`), so the live pages (ballot, board dashboard,
projector) are checked once their WebSocket is connected and fully rendered."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ballots import services
from tests.conftest import skip_or_fail
from tests.e2e.helpers import log_in
from tests.factories import (
    PASSWORD,
    PositionPaperFactory,
    QuestionFactory,
    RegionFactory,
    add_totp,
    board_member,
    choice,
    member,
    open_ballot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise serves static files with a synchronous iterator; harmless under uvicorn.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
}
# Reflow (WCAG 1.4.10), which axe does not check: at phone width nothing may make the page
# scroll sideways. Lists what sticks out past the viewport's right edge.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > width + 1 && el.checkVisibility())
        .map(el => [el.tagName.toLowerCase(), ...el.classList].join('.'))
        .slice(0, 10);
}"""
QUESTION = "Tekent de vereniging het akkoord?"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_FILE.exists() and (npm := shutil.which("npm")):
        subprocess.run(
            [npm, "ci", "--prefix", str(AXE_DIR), "--ignore-scripts", "--no-audit", "--no-fund"],
            check=False,
            timeout=300,
        )
    if not AXE_FILE.exists():
        skip_or_fail(f"axe-core is not installed: run `npm ci --prefix {AXE_DIR}` (needs npm)")
    return AXE_FILE.read_text(encoding="utf-8")


@pytest.fixture
def axe_page(asgi_page, axe_source):
    """A page (own browser context) that can load axe from AXE_PATH; takes a viewport name."""

    def new_page(viewport: str = "desktop"):
        page = asgi_page(**VIEWPORTS[viewport])
        page.context.route(
            f"**{AXE_PATH}",
            lambda route: route.fulfill(
                status=200, content_type="text/javascript; charset=utf-8", body=axe_source
            ),
        )
        return page

    return new_page


def assert_accessible(page, what: str) -> None:
    """Run axe on the page as it stands; fail listing every serious or critical violation."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_PATH)
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })""",
        WCAG_21_AA,
    )
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    lines = []
    for violation in blocking:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            target = " >> ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:300]
            lines.append(f"    - {target}: {summary}")
    assert not blocking, f"{what} ({page.url}): axe found\n" + "\n".join(lines)
    sticking_out = page.evaluate(OVERFLOW_JS)
    assert not sticking_out, f"{what} ({page.url}) scrolls sideways because of {sticking_out}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages(axe_page, viewport):
    question = QuestionFactory(question="Wat verandert er voor de waarneming in de ANW?")
    paper = PositionPaperFactory(title="Standpunt van de werkgroep over het akkoord")
    page = axe_page(viewport)
    for url, what in (
        ("/", "home"),
        ("/faq/", "FAQ index"),
        (question.get_absolute_url(), "FAQ question"),
        ("/faq/standpunten/", "positions list"),
        (paper.get_absolute_url(), "position paper"),
        ("/stemmingen/controleren/", "verification page"),
        ("/accounts/login/", "login page"),
    ):
        page.goto(url)
        assert_accessible(page, what)
    # The login form after a failed attempt: the error and the fields that caused it.
    page.get_by_label("E-mailadres").fill("niemand@example.nl")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("klopt niet")
    assert_accessible(page, "login page with an error")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_vote_flow_receipt_and_results(axe_page, viewport):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    others = [member(region=region) for _ in range(2)]
    ballot = open_ballot(question=QUESTION, result_visibility="everyone", secrecy="named")
    for other in others:
        services.cast_vote(ballot_id=ballot.pk, user=other, choice=choice(ballot, "Voor").pk)

    page = axe_page(viewport)
    log_in(page, "anna@example.nl", PASSWORD)
    assert_accessible(page, "home, logged in")
    page.goto(ballot.get_absolute_url())
    expect(page.locator("[data-live-connection]")).to_have_text("live")
    assert_accessible(page, "ballot page with the vote form")

    page.get_by_label("Tegen").check()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    expect(page.get_by_role("button", name="Bevestig mijn stem")).to_be_visible()
    assert_accessible(page, "review and confirm step")
    page.get_by_role("button", name="Bevestig mijn stem").click()
    code = page.locator("#receipt-code")
    expect(code).to_have_text(re.compile(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}"))
    assert_accessible(page, "receipt")
    code = code.inner_text().strip()

    services.close_ballot(ballot)
    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    expect(page.locator(".outcome")).to_have_text(re.compile(r"^Aangenomen"))
    assert_accessible(page, "results of the closed ballot")
    page.goto(f"/stemmingen/{ballot.pk}/ontvangstcode/")
    page.get_by_label("Uw ontvangstcode").fill(code)
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("status")).to_contain_text("Uw stem is meegeteld")
    assert_accessible(page, "receipt check after closing")


def test_board_live_dashboard_and_projector(axe_page):
    region = RegionFactory(code="utrecht", name="Utrecht")
    voters = [member(region=region) for _ in range(3)]
    board = board_member(email="bestuur@example.nl", region=region)
    secret = add_totp(board)
    ballot = open_ballot(question=QUESTION, result_visibility="board", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)

    page = axe_page()
    log_in(page, "bestuur@example.nl", PASSWORD, totp_secret=secret)
    page.goto(f"/stemmingen/{ballot.pk}/live/")
    expect(page.locator("[data-live-connection]")).to_have_text("live")
    assert_accessible(page, "board live dashboard")

    page.goto(f"/stemmingen/{ballot.pk}/projectie/")
    expect(page.locator("[data-live-connection]")).to_have_text("live")
    assert_accessible(page, "projector, ballot open")

    services.cast_vote(ballot_id=ballot.pk, user=voters[1], choice=choice(ballot, "Tegen").pk)
    services.close_ballot(ballot)
    expect(page.locator('[data-live-field="outcome"]')).to_be_visible()
    expect(page.locator("[data-live-connection]")).to_have_text("einduitslag")
    assert_accessible(page, "projector, final result")
