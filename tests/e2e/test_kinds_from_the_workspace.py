"""Every ballot kind from the board's workspace to the signed proces-verbaal (issue #14): a
board member creates it in the guided form (never a /beheer/ URL), previews it as a voter and
opens it; members vote (a ranked ballot by moving options, on a phone-sized screen); the board
closes it; two board members certify; the signed document explains the method and, for ranked
kinds, lists the rounds."""

import datetime
import re
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ballots.models import Ballot, BallotStatus, Vote
from tests.ballots.test_documents import pdf_text
from tests.e2e.helpers import log_in
from tests.e2e.test_certification_flow import approve
from tests.factories import PASSWORD, RegionFactory, add_totp, board_member, member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OPTIONS = ["Ans de Wit", "Bert Smit", "Cor Jansen"]

# kind -> (label in the form, settings to fill, how the voters vote, what the document says)
KINDS = {
    "proposal": (
        "Voorstel (voor / tegen / onthouding)",
        {},
        "radio",
        "Quorum, meerderheid en besluit",
    ),
    "single": ("Eén van meerdere opties", {}, "radio", "meeste stemmen"),
    "approval": (
        "Goedkeuring: kies er ten hoogste k",
        {"Ten hoogste zoveel keuzes per kiezer": "2"},
        "checkbox",
        "goedkeuringsstemming",
    ),
    "ranked": ("Rangschikking: opties op volgorde", {}, "rank", "Ronden"),
    "election": (
        "Verkiezing van personen",
        {
            "Aantal zetels of winnaars": "2",
            "Kandidaten rangschikken in plaats van goedkeuren": True,
        },
        "rank",
        "Ronden",
    ),
}


def _local(moment) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def _create_in_workspace(page, kind: str, question: str) -> Ballot:
    label, settings, _how, _says = KINDS[kind]
    page.goto("/stemmingen/werkruimte/nieuw/")
    page.get_by_label("Vraag", exact=True).fill(question)
    page.get_by_label("Soort stemming").select_option(label=label)
    for row, option in enumerate(OPTIONS, start=1):
        page.locator(f"#option-{row}").get_by_label("Tekst").fill(option)
        if kind == "election":
            page.locator(f"#option-{row}").get_by_label(
                re.compile("Toelichting van de kandidaat")
            ).fill(f"{option} wil de huisartsenzorg in de wijk versterken.")
    for field, value in settings.items():
        if value is True:
            page.get_by_label(field).check()
        else:
            page.get_by_label(field).fill(value)
    opens = timezone.now() + datetime.timedelta(hours=1)
    page.get_by_label("Opent op").fill(_local(opens))
    page.get_by_label("Sluit op").fill(_local(opens + datetime.timedelta(days=2)))
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het concept is opgeslagen")
    return Ballot.objects.get(question=question)


def _vote(browser, live_server, ballot, email, how: str, viewport: dict):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", **viewport)
    voter = context.new_page()
    voter.set_default_timeout(15_000)
    log_in(voter, email, PASSWORD)
    voter.goto(ballot.get_absolute_url())
    if how == "radio":
        voter.get_by_label(OPTIONS[1]).check()
    elif how == "checkbox":
        voter.get_by_label(OPTIONS[0]).check()
        voter.get_by_label(OPTIONS[2]).check()
    else:  # move the last option to the top
        voter.get_by_role("button", name=f"omhoog: {OPTIONS[2]}").click()
        voter.get_by_role("button", name=f"omhoog: {OPTIONS[2]}").click()
    voter.get_by_role("button", name="Verder naar bevestigen").click()
    voter.get_by_role("button", name="Bevestig mijn stem").click()
    expect(voter.locator("#receipt-code")).to_be_visible()
    context.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_kind_from_the_workspace_to_the_signed_document(browser, live_server, settings, kind):
    settings.SITE_URL = live_server.url  # certification signs only at the site's address
    label, _settings, how, says = KINDS[kind]
    region = RegionFactory(code="utrecht", name="Utrecht")
    emails = [f"lid{n}@example.nl" for n in range(3)]
    for email in emails:
        member(email=email, region=region)
    chair = board_member(email="voorzitter@example.nl", region=region)
    secretary = board_member(email="secretaris@example.nl", region=region)
    chair_secret, secretary_secret = add_totp(chair), add_totp(secretary)

    opened: list[str] = []
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("request", lambda request: opened.append(urlparse(request.url).path))
    log_in(page, chair.email, PASSWORD, totp_secret=chair_secret)
    question = f"Proef: {label}"
    ballot = _create_in_workspace(page, kind, question)
    assert ballot.kind == kind

    page.get_by_role("link", name="Bekijk als kiezer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    shape = {"radio": "input[type=radio]", "checkbox": "input[type=checkbox]", "rank": "select"}
    expect(page.locator(f".vote-form {shape[how]}")).to_have_count(len(OPTIONS))
    page.get_by_role("link", name="Terug naar het concept").click()
    page.get_by_role("link", name="Plannen, openen en sluiten").click()
    page.get_by_role("link", name="Nu openen").click()
    page.get_by_role("button", name=re.compile("^Ja,")).click()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN

    phone = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
    for n, email in enumerate(emails):
        _vote(browser, live_server, ballot, email, how, phone if n == 0 else {})
    assert Vote.objects.filter(ballot=ballot).exists() or ballot.is_secret

    page.goto(f"/stemmingen/{ballot.pk}/beheer/")
    page.get_by_role("link", name="Nu sluiten").click()
    page.get_by_role("button", name=re.compile("^Ja,")).click()
    context.close()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.is_counted

    approve(browser, live_server, ballot, chair.email, chair_secret)
    assert "ondertekend" in approve(browser, live_server, ballot, secretary.email, secretary_secret)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CERTIFIED
    text = pdf_text(bytes(ballot.document.pdf))
    assert says in text
    if kind != "proposal":
        assert "Methode en besluit" in text
    if how == "rank":
        assert f"Gekozen: {OPTIONS[2]}" in text
    assert not [path for path in opened if path.startswith("/beheer/")], opened
