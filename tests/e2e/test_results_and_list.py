"""Browser checks for issue #16, items 3-6: the list's cards, a provisional count that never
reads as a verdict, the results page, and the live "nog te verdelen" counter when splitting.
(Item 9, approval continuing after the second factor: test_certification_flow.py.)"""

import re

import pytest
from playwright.sync_api import expect

from ballots import services
from tests.e2e.helpers import log_in
from tests.factories import (
    PASSWORD,
    MandateFactory,
    RegionFactory,
    add_totp,
    choice,
    member,
    open_ballot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_list_card_and_provisional_count_then_result(page):
    region = RegionFactory(name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    other = member(region=region)
    ballot = open_ballot(
        question="Tekent de vereniging?", result_visibility="everyone", secrecy="named"
    )
    services.cast_vote(ballot_id=ballot.pk, user=other, choice=choice(ballot, "Voor").pk)
    log_in(page, "anna@example.nl", PASSWORD)
    page.goto("/stemmingen/")
    card = page.locator(".ballot-card", has_text="Tekent de vereniging?")
    expect(card).to_contain_text("u heeft nog niet gestemd")
    expect(card).to_contain_text("Opkomst: 50% (1 van 2)")
    expect(card.locator(".countdown")).to_have_text(re.compile(r"\(nog .*\)"))
    padding = card.evaluate("el => getComputedStyle(el).paddingLeft")
    assert float(padding.removesuffix("px")) >= 16, padding

    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorlopige stand")
    expect(page.locator("main")).not_to_contain_text("Aangenomen")
    page.goto(ballot.get_absolute_url())
    expect(page.locator("main")).not_to_contain_text("Aangenomen")

    page.get_by_label("Voor").check()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    page.get_by_role("button", name="Bevestig mijn stem").click()
    services.close_ballot(ballot)
    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    expect(page.locator("#own-vote")).to_contain_text("U stemde: Voor")
    expect(page.locator(".outcome")).to_have_text(re.compile(r"^Aangenomen"))
    expect(page.locator("#turnout-figure")).to_contain_text("100%")


def test_splitting_shows_what_is_left_and_disables_the_radios(page):
    region = RegionFactory(name="Utrecht")
    ambassador = MandateFactory(
        region=region, weight=300, user=member(email="amb@example.nl", region=region)
    ).user
    secret = add_totp(ambassador)
    ballot = open_ballot(electorate="ambassadors", secrecy="named", vote_splitting=True)
    log_in(page, "amb@example.nl", PASSWORD, totp_secret=secret)
    page.goto(ballot.get_absolute_url())
    counter = page.locator("[data-split-remaining]")
    expect(counter).to_have_text("Nog te verdelen: 300 van 300")
    page.get_by_label("Gewicht voor Voor").fill("200")
    expect(counter).to_have_text("Nog te verdelen: 100 van 300")
    expect(page.get_by_role("radio", name="Tegen")).to_be_disabled()
    page.get_by_label("Gewicht voor Tegen").fill("150")
    expect(counter).to_contain_text("50 te veel")
    page.get_by_role("button", name="Verder naar bevestigen").click()
    expect(page.get_by_role("alert")).to_contain_text("precies uw stemgewicht (300)")
    expect(page.get_by_label("Gewicht voor Voor")).to_have_value("200")
    expect(page.get_by_label("Gewicht voor Tegen")).to_have_value("150")
    page.get_by_label("Gewicht voor Tegen").fill("100")
    expect(counter).to_have_text("Uw hele gewicht is verdeeld.")
    page.get_by_label("Gewicht voor Voor").fill("")
    page.get_by_label("Gewicht voor Tegen").fill("")
    expect(page.get_by_role("radio", name="Tegen")).to_be_enabled()
