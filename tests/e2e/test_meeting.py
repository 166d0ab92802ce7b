"""A meeting in two browsers (issue #15): the desk checks a member in with one keystroke and
no page reload, the chair moves through the agenda and opens and closes the item's ballot,
and the projector in another browser follows without anyone touching it. Served by uvicorn
(asgi_server): HTTP and the meeting's and the ballot's WebSockets."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from meetings.models import MeetingAttendance
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    RegionFactory,
    add_totp,
    agenda_ballot,
    board_member,
    member,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def _logged_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    page.goto("/healthz")  # the site's address, for the cookie
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.url}]
    )


def test_the_projector_follows_the_chair_and_the_desk_checks_in_without_a_reload(asgi_page):
    region = RegionFactory(name="Utrecht")
    anna = member(region=region, user__full_name="Anna de Vries", membership_number="M-4242")
    chair, beamer = board_member(region=region), board_member(region=region)
    for person in (chair, beamer):
        add_totp(person)
    meeting = MeetingFactory(title="Algemene ledenvergadering")
    AgendaItemFactory(meeting=meeting, order=1, title="Opening en mededelingen")
    akkoord = AgendaItemFactory(meeting=meeting, order=2, title="Het zorgakkoord")
    agenda_ballot(
        akkoord,
        question="Tekent de vereniging het akkoord?",
        attendance_required=True,
        secrecy="named",
    )

    desk = asgi_page()
    _logged_in(desk, chair)
    desk.goto(f"/vergaderingen/{meeting.pk}/aanmelden/")
    desk.evaluate("window.notReloaded = true")
    search = desk.get_by_label("Zoek op naam of lidnummer")
    search.fill("M-4242")
    search.press("Enter")
    expect(desk.locator("#desk-status")).to_contain_text("Anna de Vries: in de zaal.")
    expect(desk.locator("#desk-counts")).to_contain_text("1 aanwezig (1 in de zaal, 0 online)")
    expect(search).to_have_value("")
    expect(search).to_be_focused()
    assert desk.evaluate("window.notReloaded") is True
    assert MeetingAttendance.objects.get(meeting=meeting, user=anna).presence == "hall"

    projector = asgi_page()
    _logged_in(projector, beamer)
    projector.goto(f"/vergaderingen/{meeting.pk}/projectie/")
    expect(projector.get_by_text("De vergadering begint zo.")).to_be_visible()

    console = asgi_page()
    _logged_in(console, chair)
    console.goto(f"/vergaderingen/{meeting.pk}/voorzitter/")
    expect(console.locator("[data-meeting-attendance]")).to_contain_text("1 aanwezig")
    console.get_by_role("button", name="Vergadering openen").click()
    expect(projector.get_by_role("heading", name="1. Opening en mededelingen")).to_be_visible()

    console.get_by_role("button", name="Volgend punt: Het zorgakkoord").click()
    expect(projector.get_by_role("heading", name="2. Het zorgakkoord")).to_be_visible()
    expect(projector.locator('[aria-current="step"]')).to_have_text("Het zorgakkoord")

    console.get_by_role("button", name=re.compile("^Stemming openen")).click()
    expect(projector.locator('[data-live-field="turnout-electorate"]')).to_have_text("3")
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("0")

    # Anna, checked in at the desk, may vote in a ballot that requires presence.
    voter = asgi_page()
    _logged_in(voter, anna)
    voter.goto(f"/vergaderingen/{meeting.pk}/")
    expect(voter.locator("[data-meeting-current]")).to_contain_text("Het zorgakkoord")
    voter.get_by_role("link", name="Naar de stemming").click()
    voter.get_by_label("Voor").check()
    voter.get_by_role("button", name="Verder naar bevestigen").click()
    voter.get_by_role("button", name="Bevestig mijn stem").click()
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("1")

    console.get_by_role("button", name=re.compile("^Stemming sluiten")).click()
    expect(projector.locator('[data-live-part="outcome"]')).to_be_visible(timeout=10_000)
    expect(projector.locator('[data-live-field="outcome"]')).to_contain_text(
        "Aangenomen: 100% voor"
    )
