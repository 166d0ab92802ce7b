"""The board runs a ballot from its own workspace (issue #14): a board member creates a
proposal ballot in the guided form, previews it as a voter, opens it; a member votes; the
board closes it. No Django admin URL (/beheer/...) is ever opened. axe-core finds no
violation of any impact on the workspace pages, at desktop and phone width."""

import datetime
import re
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ballots.models import Ballot, BallotStatus
from tests.e2e.helpers import log_in
from tests.e2e.test_accessibility import (  # fixtures and settings, not tests
    AXE_PATH,
    OVERFLOW_JS,
    VIEWPORTS,
    axe_page,  # noqa: F401 - a fixture
    axe_source,  # noqa: F401 - a fixture
)
from tests.factories import (
    PASSWORD,
    BallotFactory,
    QuestionFactory,
    RegionFactory,
    add_totp,
    board_member,
    member,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]
QUESTION = "Stemt u in met de nieuwe contributie?"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _local(moment) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def _never_the_admin(page, opened: list[str]) -> None:
    page.on("request", lambda request: opened.append(urlparse(request.url).path))


def test_board_creates_previews_opens_and_closes_a_ballot(browser, live_server):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    member(region=region)
    board = board_member(email="bestuur@example.nl", region=region)
    secret = add_totp(board)
    QuestionFactory(label="C", question="Hoe hoog is de contributie nu?")

    opened: list[str] = []
    board_context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = board_context.new_page()
    page.set_default_timeout(15_000)
    _never_the_admin(page, opened)
    log_in(page, "bestuur@example.nl", PASSWORD, totp_secret=secret)

    page.get_by_role("link", name="Bestuur").click()
    page.get_by_role("link", name="Werkruimte stemmingen").click()
    page.get_by_role("link", name="Nieuwe stemming").click()
    page.get_by_label("Vraag", exact=True).fill(QUESTION)
    page.get_by_label("Toelichting", exact=True).fill("De contributie gaat **omhoog**.")
    expect(page.locator("#description-preview strong")).to_have_text("omhoog")
    # A fourth option, then removed again: rows are plain buttons.
    page.get_by_role("button", name="Keuze toevoegen").click()
    expect(page.locator(".ws-option")).to_have_count(4)
    page.get_by_role("button", name="Keuze 4 verwijderen").click()
    expect(page.locator(".ws-option")).to_have_count(3)
    # Secret is the default: an interim tally for everyone is not offered.
    expect(page.get_by_label("iedereen ziet de tussenstand")).to_be_disabled()
    opens = timezone.now() + datetime.timedelta(days=1)
    page.get_by_label("Opent op").fill(_local(opens))
    page.get_by_label("Sluit op").fill(_local(opens + datetime.timedelta(days=2)))
    page.get_by_label("Zoek een FAQ-vraag of standpunt").fill("contributie")
    page.get_by_label(re.compile("Hoe hoog is de contributie")).check()
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het concept is opgeslagen")
    ballot = Ballot.objects.get(question=QUESTION)
    assert ballot.read_first_questions.count() == 1

    page.get_by_role("link", name="Bekijk als kiezer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expect(page.get_by_label("Tegen")).to_be_visible()
    expect(page.get_by_role("button", name="Verder naar bevestigen")).to_be_disabled()

    page.get_by_role("link", name="Terug naar het concept").click()
    page.get_by_role("link", name="Plannen, openen en sluiten").click()
    page.get_by_role("link", name="Nu openen").click()
    page.get_by_role("button", name=re.compile("^Ja,")).click()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN

    voter_context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    voter = voter_context.new_page()
    voter.set_default_timeout(15_000)
    log_in(voter, "anna@example.nl", PASSWORD)
    voter.goto(ballot.get_absolute_url())
    voter.get_by_label("Voor").check()
    voter.get_by_role("button", name="Verder naar bevestigen").click()
    voter.get_by_role("button", name="Bevestig mijn stem").click()
    expect(voter.locator("#receipt-code")).to_be_visible()
    voter_context.close()

    page.goto("/stemmingen/werkruimte/")
    # Anna, the other member and the board member (a member of Utrecht too) are electors.
    expect(page.get_by_text("Opkomst: 1 van 3 kiezers (33%)")).to_be_visible()
    page.get_by_role("heading", name=QUESTION).get_by_role("link").click()
    page.get_by_role("link", name="Nu sluiten").click()
    page.get_by_role("button", name=re.compile("^Ja,")).click()
    ballot.refresh_from_db()
    assert ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED)
    board_context.close()
    assert not [path for path in opened if path.startswith("/beheer/")], opened


def assert_no_violations(page, what: str) -> None:
    """axe-core, every impact (minor and moderate too), and no sideways scrolling."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_PATH)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = [
        f"[{v['impact']}] {v['id']}: {v['help']} -> "
        + "; ".join(" >> ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in results["violations"]
    ]
    assert not lines, f"{what} ({page.url}): axe found\n" + "\n".join(lines)
    assert not page.evaluate(OVERFLOW_JS), f"{what} scrolls sideways"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_workspace_pages_have_no_accessibility_violations(axe_page, viewport):  # noqa: F811
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(region=region)
    board = board_member(email="bestuur@example.nl", region=region)
    secret = add_totp(board)
    QuestionFactory(question="Wat kost het lidmaatschap?")
    draft = BallotFactory(question=QUESTION, opens_at=timezone.now() + datetime.timedelta(days=1))
    page = axe_page(viewport)
    log_in(page, "bestuur@example.nl", PASSWORD, totp_secret=secret)
    for url, what in (
        ("/bestuur/", "board page"),
        ("/stemmingen/werkruimte/", "workspace list"),
        ("/stemmingen/werkruimte/nieuw/", "new ballot form"),
        ("/stemmingen/werkruimte/sjablonen/", "templates"),
        (f"/stemmingen/werkruimte/{draft.pk}/", "edit draft"),
        (f"/stemmingen/werkruimte/{draft.pk}/als-kiezer/", "preview as a voter"),
        (f"/stemmingen/werkruimte/{draft.pk}/verwijderen/", "delete confirmation"),
    ):
        page.goto(url)
        assert_no_violations(page, what)
    # The form with errors, and with link search results.
    page.goto(f"/stemmingen/werkruimte/{draft.pk}/")
    page.get_by_label("Zoek een FAQ-vraag of standpunt").fill("lidmaatschap")
    expect(page.locator("#link-results input[type=checkbox]")).to_have_count(1)
    page.get_by_label("Vraag", exact=True).fill("")
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("alert").first).to_contain_text("Vul de vraag in")
    assert_no_violations(page, "edit draft with errors")
