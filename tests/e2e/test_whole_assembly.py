"""A whole hybrid ambassadors' assembly in the browser (issue #15, "Done when"): the desk checks
people in with one keystroke and live counts, a deputy stands in for an absent ambassador, a
written proxy is recorded, the chair moves through two items while the projector follows in
another browser, a show of hands is entered by one board member and confirmed by a second,
the meeting is closed, two board members approve the record (each with a fresh second
factor), and the signed record is downloaded and verified (verify_result, pdfsig, the public
page). Along the way: nobody counts twice. Served by uvicorn (asgi_server): HTTP and the
meeting's and the ballots' WebSockets."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from ballots import services
from ballots.errors import AlreadyVoted, BallotError, NotEligible, NotPresent, ProxyRefused
from ballots.models import Elector, Participation, Proxy
from meetings.models import MeetingAttendance, MeetingStatus, PaperProxy, StandIn
from tests.conftest import skip_or_fail
from tests.e2e.helpers import fresh_totp_code, log_in
from tests.factories import (
    PASSWORD,
    AgendaItemFactory,
    MandateFactory,
    MeetingFactory,
    RegionFactory,
    add_totp,
    agenda_ballot,
    board_member,
    choice,
    deputy,
    member,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

ITEM_1, ITEM_2 = "Het zorgakkoord", "De contributie"
QUESTION_1 = "Tekent de vereniging het zorgakkoord?"
QUESTION_2 = "Verhogen we de contributie?"
COUNTS_REFRESH = 4_000  # ms: less than the desk's 5 s refresh, so a stale figure fails


def _logged_in(page, user) -> None:
    """A session without the login page (as tests/e2e/test_meeting.py does)."""
    client = Client()
    client.force_login(user)
    page.goto("/healthz")  # the site's address, for the cookie
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.url}]
    )


def _ambassador(region, name: str, number: str, weight: int):
    person = member(region=region, user__full_name=name, membership_number=number)
    MandateFactory(user=person, region=region, weight=weight)
    return person


def _refused(error: type[BallotError], ballot, user, label: str, **kwargs) -> None:
    with pytest.raises(error):
        services.cast_vote(
            ballot_id=ballot.pk, user=user, choice=choice(ballot, label).pk, **kwargs
        )


def _vote(ballot, user, label: str, **kwargs) -> None:
    services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice(ballot, label).pk, **kwargs)


def _check_in_with_enter(desk, search, number: str) -> None:
    """Type a membership number and press Enter: one keystroke checks the person in.

    Enter used to fire the search field's own `search` trigger too, so a search (GET) raced
    the check-in (POST): a late search answer put back the counts from before the check-in,
    and on SQLite the race could fail the check-in (found by this test). The form now
    replaces the search (hx-sync): one Enter, one answer, and it must be the check-in's."""
    search.fill(number)
    with desk.expect_response(lambda r: r.url.endswith("/aanmelden/zetten/")) as answer:
        search.press("Enter")
    assert answer.value.status == 200, answer.value.status


def _approve_record(page, meeting, secret: str) -> str:
    """Press "Verslag goedkeuren" on the console; without a fresh second factor the view sends
    the board member to allauth's reauthentication, after which they press it again."""
    console = f"/vergaderingen/{meeting.pk}/voorzitter/"
    page.goto(console)
    page.get_by_role("button", name="Verslag goedkeuren").click()
    page.wait_for_url(re.compile(r"/2fa/reauthenticate/|/accounts/reauthenticate/"))
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(fresh_totp_code(secret))
    page.get_by_role("button", name=re.compile("bevestig", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(rf"/vergaderingen/{meeting.pk}/voorzitter/$"))
    page.get_by_role("button", name="Verslag goedkeuren").click()
    page.wait_for_url(re.compile(rf"/vergaderingen/{meeting.pk}/voorzitter/$"))
    messages = page.locator(".message-success")
    expect(messages.first).to_be_visible()
    return messages.first.inner_text()


def test_a_whole_hybrid_assembly_from_the_door_to_the_verified_record(
    asgi_page, asgi_server, settings, tmp_path
):
    # Certification signs only at the site's own address (ballots.certification).
    settings.SITE_URL = asgi_server

    # --- set-up: six regions, one ambassador each, a deputy for Noord ---------------------
    noord, oost, zuid, west, midden, flevoland = (
        RegionFactory(code=code, name=name)
        for code, name in (
            ("noord", "Noord"),
            ("oost", "Oost"),
            ("zuid", "Zuid"),
            ("west", "West"),
            ("midden", "Midden"),
            ("flevoland", "Flevoland"),
        )
    )
    anouk = _ambassador(noord, "Anouk Bakker", "M-1001", 120)  # absent: Daan stands in
    daan = deputy(
        noord, user=member(region=noord, user__full_name="Daan de Wit", membership_number="M-1002")
    )
    bram = _ambassador(oost, "Bram Jansen", "M-2001", 90)  # absent: written proxy to Carla
    carla = _ambassador(zuid, "Carla Visser", "M-3001", 80)  # in the hall, holds the proxy
    eva = _ambassador(west, "Eva Mulder", "M-4001", 60)  # in the hall, votes by hand
    fleur = _ambassador(flevoland, "Fleur Smit", "M-4002", 50)  # in the hall, votes by hand
    gijs = _ambassador(midden, "Gijs Vos", "M-5001", 40)  # online

    chair = board_member(email="voorzitter@example.nl", user__full_name="Vera Voorzitter")
    secretary = board_member(email="secretaris@example.nl", user__full_name="Sem Secretaris")
    beamer = board_member(user__full_name="Bas Beamer")
    chair_secret, secretary_secret = add_totp(chair), add_totp(secretary)
    for person in (beamer, daan):  # board members and mandate holders need a second factor
        add_totp(person)

    meeting = MeetingFactory(
        kind="ambassadors", mode="hybrid", title="Ambassadeursvergadering voorjaar"
    )
    item_1 = AgendaItemFactory(meeting=meeting, order=1, title=ITEM_1)
    item_2 = AgendaItemFactory(meeting=meeting, order=2, title=ITEM_2)
    ballot_1 = agenda_ballot(
        item_1,
        question=QUESTION_1,
        electorate="ambassadors",
        secrecy="named",
        proxies_allowed=True,
        attendance_required=True,
    )
    ballot_2 = agenda_ballot(item_2, question=QUESTION_2, electorate="ambassadors", secrecy="named")

    # --- 1. the desk: one keystroke per person, counts without a reload ----------------------
    desk = asgi_page()
    log_in(desk, chair.email, PASSWORD, chair_secret)
    desk.goto(f"/vergaderingen/{meeting.pk}/aanmelden/")
    desk.evaluate("window.notReloaded = true")
    counts = desk.locator("#desk-counts")
    expect(counts).to_contain_text("0 aanwezig (0 in de zaal, 0 online), 7 afwezig")
    search = desk.get_by_label("Zoek op naam of lidnummer")
    for present, (number, name) in enumerate(
        [
            ("M-1002", "Daan de Wit"),
            ("M-3001", "Carla Visser"),
            ("M-4001", "Eva Mulder"),
            ("M-4002", "Fleur Smit"),
        ],
        start=1,
    ):
        _check_in_with_enter(desk, search, number)
        expect(desk.locator("#desk-status")).to_contain_text(f"{name}: in de zaal.")
        # Enter also sends a search whose answer (with the counts) may land after the
        # check-in's and show the counts from just before it; the desk's 5-second refresh
        # of the counts puts them right, still without a reload.
        expect(counts).to_contain_text(
            f"{present} aanwezig ({present} in de zaal, 0 online), {7 - present} afwezig",
            timeout=COUNTS_REFRESH,
        )
        expect(search).to_have_value("")
        expect(search).to_be_focused()
    # Gijs follows online: found by name, checked in with the row's button.
    search.fill("Gijs")
    desk.get_by_role("button", name="Gijs Vos: online").click()
    expect(desk.locator("#desk-status")).to_contain_text("Gijs Vos: online.")
    expect(counts).to_contain_text(
        "5 aanwezig (4 in de zaal, 1 online), 2 afwezig", timeout=COUNTS_REFRESH
    )
    # Per region: Noord has its deputy in the hall and its ambassador away.
    expect(counts.get_by_role("row", name=re.compile("^Noord")).locator("td")).to_have_text(
        ["1", "0", "1", "2"]
    )
    expect(counts.get_by_role("row", name=re.compile("^Midden")).locator("td")).to_have_text(
        ["0", "1", "0", "1"]
    )
    assert desk.evaluate("window.notReloaded") is True
    presences = dict(
        MeetingAttendance.objects.filter(meeting=meeting).values_list("user_id", "presence")
    )
    assert presences == {
        daan.pk: "hall",
        carla.pk: "hall",
        eva.pk: "hall",
        fleur.pk: "hall",
        gijs.pk: "online",
    }

    # --- 2. Daan stands in for Anouk ----------------------------------------------------------
    board = desk  # the chair's own browser
    board.goto(f"/vergaderingen/{meeting.pk}/vervanging/")
    board.get_by_label("Afwezige ambassadeur").select_option(label="Anouk Bakker (Noord)")
    board.get_by_label("Plaatsvervanger die instaat").select_option(label="Daan de Wit (Noord)")
    board.get_by_role("button", name="Goedkeuren").click()
    expect(board.get_by_text("De vervanging is goedgekeurd.")).to_be_visible()
    expect(board.get_by_role("row", name=re.compile("Anouk Bakker"))).to_contain_text(
        "Vera Voorzitter"
    )
    stand_in = StandIn.objects.get(meeting=meeting)
    assert (stand_in.ambassador, stand_in.deputy, stand_in.approved_by) == (anouk, daan, chair)

    # --- 3. Bram's written proxy to Carla, by membership numbers -------------------------------
    board.goto(f"/vergaderingen/{meeting.pk}/volmachten/")
    board.get_by_label("Lidnummer van de volmachtgever").fill("M-2001")
    board.get_by_label("Lidnummer van de gevolmachtigde").fill("M-3001")
    board.get_by_role("button", name="Vastleggen").click()
    expect(board.get_by_text("De schriftelijke volmacht is vastgelegd.")).to_be_visible()
    expect(board.get_by_role("row", name=re.compile("Bram Jansen"))).to_contain_text(
        "Vera Voorzitter"
    )
    # Anouk's seat is Daan's now: she cannot also give it away on paper.
    board.get_by_label("Lidnummer van de volmachtgever").fill("M-1001")
    board.get_by_label("Lidnummer van de gevolmachtigde").fill("M-5001")
    board.get_by_role("button", name="Vastleggen").click()
    expect(board.get_by_text("Voor deze ambassadeur staat een plaatsvervanger in")).to_be_visible()
    assert list(PaperProxy.objects.values_list("grantor", "holder", "recorded_by")) == [
        (bram.pk, carla.pk, chair.pk)
    ]

    # --- 4. the projector in another browser, the chair on the console ------------------------
    projector = asgi_page()
    _logged_in(projector, beamer)
    projector.goto(f"/vergaderingen/{meeting.pk}/projectie/")
    expect(projector.get_by_text("De vergadering begint zo.")).to_be_visible()

    console = board
    console.goto(f"/vergaderingen/{meeting.pk}/voorzitter/")
    expect(console.locator("[data-meeting-attendance]")).to_contain_text(
        "5 aanwezig (4 in de zaal, 1 online), 2 afwezig"
    )
    expect(console.get_by_text("1 vervanging · 1 schriftelijke volmacht")).to_be_visible()
    console.get_by_role("button", name="Vergadering openen").click()
    expect(projector.get_by_role("heading", name=f"1. {ITEM_1}")).to_be_visible()
    expect(projector.locator('[aria-current="step"]')).to_have_text(ITEM_1)

    console.get_by_role("button", name=f"Stemming openen: {QUESTION_1}").click()
    expect(projector.locator('[data-live-field="turnout-electorate"]')).to_have_text("6")
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("0")
    # The seat moved to Daan with Noord's weight; the paper proxy became the ballot's proxy.
    assert not Elector.objects.filter(ballot=ballot_1, user=anouk).exists()
    daan_seat = Elector.objects.get(ballot=ballot_1, user=daan)
    assert (daan_seat.weight, daan_seat.present) == (120, True)
    bram_seat = Elector.objects.get(ballot=ballot_1, user=bram)
    assert Proxy.objects.filter(
        ballot=ballot_1, grantor=bram_seat, holder__user=carla, revoked=False
    ).exists()

    # --- 5. votes: Daan (standing in) in his browser, the rest in the test process -----------
    voter = asgi_page()
    _logged_in(voter, daan)
    voter.goto(f"/vergaderingen/{meeting.pk}/")
    expect(voter.locator("[data-meeting-current]")).to_contain_text(ITEM_1)
    voter.get_by_role("link", name="Naar de stemming").click()
    voter.get_by_label("Voor").check()
    voter.get_by_role("button", name="Verder naar bevestigen").click()
    voter.get_by_role("button", name="Bevestig mijn stem").click()
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("1")
    assert Participation.objects.filter(ballot=ballot_1, elector=daan_seat).count() == 1

    _refused(NotEligible, ballot_1, anouk, "Tegen")  # her seat voted through Daan: never both
    _refused(AlreadyVoted, ballot_1, daan, "Tegen")  # one vote per seat
    _vote(ballot_1, carla, "Tegen")
    _vote(ballot_1, carla, "Voor", on_behalf_of=bram_seat.pk)  # the written proxy
    _refused(
        AlreadyVoted, ballot_1, carla, "Voor", on_behalf_of=bram_seat.pk
    )  # a proxy is used once
    _refused(NotPresent, ballot_1, bram, "Tegen")  # absent, and his vote went by proxy
    _vote(ballot_1, gijs, "Onthouding")  # online
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("4")

    # Eva and Fleur vote by a show of hands: the chair enters it ...
    paper_page = f"/stemmingen/{ballot_1.pk}/zaal/"
    board.goto(paper_page)
    board.get_by_label("handopsteken").check()
    board.get_by_label("Lidnummers van wie in de zaal stemde").fill("M-4001\nM-4002")
    for label, value in (
        ("Voor: stemmen", "1"),
        ("Voor: stemgewicht", "60"),
        ("Tegen: stemmen", "1"),
        ("Tegen: stemgewicht", "50"),
    ):
        board.get_by_label(re.compile(rf"^{re.escape(label)}")).fill(value)
    board.get_by_role("button", name="Telling invoeren").click()
    expect(
        board.get_by_text("De telling is ingevoerd; een tweede bestuurslid moet haar bevestigen.")
    ).to_be_visible()
    expect(board.get_by_text("Een ander bestuurslid moet deze telling bevestigen.")).to_be_visible()
    expect(board.get_by_role("button", name="Telling bevestigen")).to_have_count(0)
    assert not Participation.objects.filter(ballot=ballot_1, on_paper=True).exists()

    # ... and the secretary confirms it in another browser.
    secretary_page = asgi_page()
    log_in(secretary_page, secretary.email, PASSWORD, secretary_secret)
    secretary_page.goto(paper_page)
    secretary_page.get_by_role("button", name="Telling bevestigen").click()
    expect(secretary_page.get_by_text("De telling is bevestigd en telt mee.")).to_be_visible()
    expect(secretary_page.get_by_text("bevestigd door Sem Secretaris")).to_be_visible()
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("6")
    # Counted in the hall, so not online as well.
    _refused(AlreadyVoted, ballot_1, eva, "Tegen")
    _refused(AlreadyVoted, ballot_1, fleur, "Voor")
    assert Participation.objects.filter(ballot=ballot_1, on_paper=True).count() == 2
    assert Participation.objects.filter(ballot=ballot_1).count() == 6  # six seats, six votes

    # --- 6a. the chair closes item 1's ballot; the projector shows the result -----------------
    console.goto(f"/vergaderingen/{meeting.pk}/voorzitter/")
    console.get_by_role("button", name=f"Stemming sluiten: {QUESTION_1}").click()
    expect(projector.locator('[data-live-part="outcome"]')).to_be_visible()
    expect(projector.locator('[data-live-field="outcome"]')).to_contain_text("Aangenomen")

    # The result counts the show of hands and shows it apart.
    board.goto(f"/stemmingen/{ballot_1.pk}/uitslag/")
    rows = board.locator("table.results-chart tbody tr")
    expect(rows.filter(has_text="Voor").locator("td").first).to_have_text("3")
    expect(rows.filter(has_text="Voor").locator("td").nth(1)).to_have_text("270")
    expect(rows.filter(has_text="Tegen").locator("td").nth(1)).to_have_text("130")
    expect(rows.filter(has_text="Onthouding").locator("td").nth(1)).to_have_text("40")
    expect(board.get_by_text("Waarvan in de zaal geteld")).to_contain_text(
        "Voor 1 (gewicht 60), Tegen 1 (gewicht 50)"
    )

    # --- 6b. item 2: the projector follows the chair again -----------------------------------
    console.goto(f"/vergaderingen/{meeting.pk}/voorzitter/")
    console.get_by_role("button", name=f"Volgend punt: {ITEM_2}").click()
    expect(projector.get_by_role("heading", name=f"2. {ITEM_2}")).to_be_visible()
    expect(projector.locator('[aria-current="step"]')).to_have_text(ITEM_2)
    console.get_by_role("button", name=f"Stemming openen: {QUESTION_2}").click()
    expect(projector.locator('[data-live-field="turnout-electorate"]')).to_have_text("6")
    assert not Elector.objects.filter(ballot=ballot_2, user=anouk).exists()
    assert Elector.objects.get(ballot=ballot_2, user=daan).weight == 120
    _refused(NotEligible, ballot_2, anouk, "Voor")  # the stand-in holds for the whole meeting
    _refused(
        ProxyRefused,
        ballot_2,
        carla,
        "Voor",
        on_behalf_of=Elector.objects.get(ballot=ballot_2, user=bram).pk,
    )
    for person, label in (
        (daan, "Tegen"),
        (carla, "Tegen"),
        (eva, "Voor"),
        (fleur, "Voor"),
        (gijs, "Onthouding"),
    ):
        _vote(ballot_2, person, label)
    expect(projector.locator('[data-live-field="turnout-count"]')).to_have_text("5")
    assert Participation.objects.filter(ballot=ballot_2).count() == 5  # Bram did not vote
    console.get_by_role("button", name=f"Stemming sluiten: {QUESTION_2}").click()
    expect(projector.locator('[data-live-part="outcome"]')).to_be_visible()
    expect(projector.locator('[data-live-field="outcome"]')).to_contain_text("Verworpen")

    # --- 6c. the meeting is closed; two board members approve the record ---------------------
    console.get_by_role("button", name="Vergadering sluiten").click()
    expect(projector.get_by_text("De vergadering is gesloten.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ENDED

    assert "een tweede bestuurslid moet ook goedkeuren" in _approve_record(
        console, meeting, chair_secret
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ENDED
    assert "Het verslag is vastgesteld en ondertekend." in _approve_record(
        secretary_page, meeting, secretary_secret
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CERTIFIED

    # --- 7. the record is downloaded and verified ---------------------------------------------
    console.goto(f"/vergaderingen/{meeting.pk}/voorzitter/")
    with console.expect_download() as download_info:
        console.get_by_role("link", name="Proces-verbaal van de vergadering (PDF)").click()
    pdf_path = tmp_path / "proces-verbaal-vergadering.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes() == bytes(meeting.document.pdf)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    call_command("verify_result", str(pdf_path))  # raises CommandError when not authentic

    console.goto("/stemmingen/controleren/")
    console.get_by_label("Proces-verbaal (PDF)").set_input_files(str(pdf_path))
    console.get_by_role("button", name="Controleren").click()
    verdict = console.get_by_role("status")
    expect(verdict).to_contain_text("Dit is een echt proces-verbaal van Ledenstem.")
    expect(verdict).to_contain_text("Ambassadeursvergadering voorjaar")

    if shutil.which("pdfsig") is None:
        skip_or_fail("pdfsig (poppler-utils) is not installed")
    out = subprocess.run(["pdfsig", str(pdf_path)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in out.stdout, out.stdout
