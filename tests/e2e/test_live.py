"""Live tallies in the browser (issue #6): a vote reaches another member's page within a
second, the projector shows the final result when the ballot closes, and a page without
WebSockets falls back to polling. Served by uvicorn (asgi_server): HTTP and WebSockets."""

import re

import pytest
from playwright.sync_api import expect

from ballots import services
from tests.e2e.helpers import log_in
from tests.factories import (
    PASSWORD,
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

QUESTION = "Tekent de vereniging het akkoord?"


def field(page, name: str):
    return page.locator(f'[data-live-field="{name}"]').first


def votes_for_role(page, role: str):
    """The vote count in the chart row of the choice with this role (for, against, ...)."""
    return page.locator(f'[data-live-row][data-role="{role}"] [data-live-field="choice-votes"]')


def test_a_vote_reaches_other_members_within_a_second_and_the_projector_shows_the_result(
    asgi_page,
):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region)
    member(email="bert@example.nl", region=region)
    carla = member(region=region)
    # The board sees the tally while open; members (and so the projector) only after closing.
    ballot = open_ballot(question=QUESTION, result_visibility="board", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=carla, choice=choice(ballot, "Voor").pk)
    board = board_member(email="bestuur@example.nl", region=region)
    secret = add_totp(board)

    anna, bert = asgi_page(), asgi_page()
    for page, email in ((anna, "anna@example.nl"), (bert, "bert@example.nl")):
        log_in(page, email, PASSWORD)
        page.goto(ballot.get_absolute_url())
    expect(bert.locator("[data-live-connection]")).to_have_text("live")
    expect(field(bert, "turnout-count")).to_have_text("1")
    expect(field(bert, "turnout-electorate")).to_have_text("3")

    anna.get_by_label("Voor").check()
    anna.get_by_role("button", name="Verder naar bevestigen").click()
    with anna.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/{ballot.pk}/stemmen/")
    ) as confirmation:
        anna.get_by_role("button", name="Bevestig mijn stem").click()
    assert confirmation.value.ok
    # Measured from the moment Anna's confirmation arrived: Bert's page, without a reload.
    expect(field(bert, "turnout-count")).to_have_text("2", timeout=1000)
    expect(field(bert, "turnout-percent")).to_have_text("66,7")
    expect(bert.locator('meter[data-live-meter="turnout"]')).to_have_attribute("value", "2")

    projector = asgi_page()
    log_in(projector, "bestuur@example.nl", PASSWORD, totp_secret=secret)
    projector.goto(f"/stemmingen/{ballot.pk}/projectie/")
    expect(projector.locator("[data-live-connection]")).to_have_text("live")
    expect(field(projector, "turnout-count")).to_have_text("2")
    # The board may see the tally now, but the beamer shows the member view.
    expect(projector.locator('[data-live-part="tally"]')).to_be_hidden()
    projector.evaluate("window.notReloaded = true")

    services.close_ballot(ballot)

    outcome = field(projector, "outcome")
    expect(outcome).to_be_visible()
    expect(outcome).to_have_text(re.compile(r"^Aangenomen"))
    expect(field(projector, "status")).to_have_text("gesloten")
    expect(votes_for_role(projector, "for")).to_have_text("2")
    expect(projector.locator("[data-live-announce]")).to_contain_text("Uitslag: Aangenomen")
    expect(projector.locator("[data-live-connection]")).to_have_text("einduitslag")
    assert projector.evaluate("window.notReloaded") is True
    # Bert's page shows the closing too, and offers a reload for the rest of the page.
    expect(field(bert, "outcome")).to_have_text(re.compile(r"^Aangenomen"))
    expect(bert.locator('[data-live-part="changed"]')).to_be_visible()


# Playwright cannot block a WebSocket with page.route: these scripts break it in the page.
NO_WEBSOCKET = "delete window.WebSocket;"
SOCKETS_THAT_NEVER_CONNECT = r"""
const RealWebSocket = window.WebSocket;
window.socketsOpened = 0;
window.WebSocket = function (url, protocols) {
  window.socketsOpened += 1;
  // Another origin: CSP (connect-src 'self') blocks it, as a misconfigured proxy would.
  return new RealWebSocket("ws://127.0.0.1:9/", protocols);
};
"""


@pytest.mark.parametrize(
    "breakage", [NO_WEBSOCKET, SOCKETS_THAT_NEVER_CONNECT], ids=["no-websocket", "blocked"]
)
def test_without_websockets_the_page_polls_and_still_updates(asgi_page, breakage):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region)
    bert = member(region=region)
    ballot = open_ballot(question=QUESTION, result_visibility="everyone", secrecy="named")

    page = asgi_page()
    page.add_init_script(breakage)
    log_in(page, "anna@example.nl", PASSWORD)
    page.goto(ballot.get_absolute_url())
    # Three failed attempts (with backoff of at most 0.5, 1 and 2 s) before it polls.
    expect(page.locator("[data-live-connection]")).to_have_text(
        "elke paar seconden bijgewerkt", timeout=8000
    )
    if breakage == SOCKETS_THAT_NEVER_CONNECT:
        assert page.evaluate("window.socketsOpened") == 3
    expect(field(page, "turnout-count")).to_have_text("0")

    services.cast_vote(ballot_id=ballot.pk, user=bert, choice=choice(ballot, "Tegen").pk)

    # Polled every ~2 s (with jitter): well within five.
    expect(field(page, "turnout-count")).to_have_text("1", timeout=5000)
    expect(votes_for_role(page, "against")).to_have_text("1")
    expect(page.locator("[data-live-connection]")).to_have_text("elke paar seconden bijgewerkt")


# Sends this page's live socket to ballot 0, which does not exist (the server closes 4404),
# and counts the sockets the page opens.
SOCKET_TO_A_MISSING_BALLOT = r"""
const RealWebSocket = window.WebSocket;
window.socketsOpened = 0;
window.WebSocket = function (url, protocols) {
  window.socketsOpened += 1;
  return new RealWebSocket(url.replace(/\/ws\/ballots\/\d+\//, "/ws/ballots/0/"), protocols);
};
"""


def test_a_refused_socket_stops_with_a_clear_message_and_no_retries(asgi_page):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region)
    ballot = open_ballot(question=QUESTION)

    page = asgi_page()
    page.add_init_script(SOCKET_TO_A_MISSING_BALLOT)
    log_in(page, "anna@example.nl", PASSWORD)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/api/ballots/" in r.url else None)
    page.goto(ballot.get_absolute_url())

    expect(page.locator("[data-live-error]")).to_have_text("Deze stemming bestaat niet (meer).")
    expect(page.locator("[data-live-connection]")).to_have_text("bijwerken gestopt")
    expect(page.locator("[data-live-announce]")).to_have_text("Deze stemming bestaat niet (meer).")
    page.wait_for_timeout(2500)  # longer than the first backoffs and a polling interval
    assert page.evaluate("window.socketsOpened") == 1
    assert polls == []
