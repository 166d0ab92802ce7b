"""A member votes (with a confirmation step) and gets a receipt; after closing the receipt
check confirms the vote is counted and the results page shows the outcome."""

import re

import pytest

from ballots import services
from tests.e2e.helpers import log_in
from tests.factories import PASSWORD, RegionFactory, member, open_ballot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_votes_gets_receipt_and_checks_it_after_closing(page):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    others = [member(region=region) for _ in range(2)]
    ballot = open_ballot(question="Tekent de vereniging het akkoord?")
    voor = ballot.choices.get(label="Voor").pk
    for other in others:
        services.cast_vote(ballot_id=ballot.pk, user=other, choice=voor)

    log_in(page, "anna@example.nl", PASSWORD)
    page.get_by_role("link", name="Tekent de vereniging het akkoord?").click()

    page.get_by_label("Tegen").check()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    assert "Tegen" in page.locator("main").inner_text()
    page.get_by_role("button", name="Bevestig mijn stem").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)

    services.close_ballot(ballot)
    page.goto(f"/stemmingen/{ballot.pk}/ontvangstcode/")
    page.get_by_label("Uw ontvangstcode").fill(code)
    page.get_by_role("button", name="Controleren").click()
    assert "Uw stem is meegeteld" in page.get_by_role("status").inner_text()

    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    outcome = page.locator(".outcome").inner_text()
    assert outcome.startswith("Aangenomen")
