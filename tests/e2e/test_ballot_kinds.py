"""Voting in the new ballot kinds in a real browser, on a desktop and a phone-sized screen:
a ranked ballot ordered by moving options with buttons, an approval ballot with checkboxes,
and the ranked result with its rounds; axe (every impact) checks every page on the way."""

import re

import pytest

from ballots import services
from ballots.models import OPTION, Choice, Vote
from tests.e2e.helpers import log_in
from tests.e2e.test_accessibility import (  # noqa: F401 (fixtures)
    VIEWPORTS,
    axe_page,
    axe_source,
)
from tests.e2e.test_ballot_workspace import assert_no_violations as assert_accessible
from tests.factories import PASSWORD, BallotFactory, RegionFactory, member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AIMS = ["Meer tijd per patiënt", "Minder regeldruk", "Betere ANW-zorg"]


def kind_ballot(question: str, **settings):
    ballot = BallotFactory(question=question, with_choices=False, **settings)
    for order, label in enumerate(AIMS):
        Choice.objects.create(ballot=ballot, label=label, role=OPTION, order=order)
    return services.open_ballot(ballot, notify=False)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_member_ranks_the_aims_by_moving_them(axe_page, viewport):  # noqa: F811
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    ballot = kind_ballot("Welke doelen van het akkoord gaan voor?", kind="ranked", secrecy="named")
    page = axe_page(viewport)
    log_in(page, "anna@example.nl", PASSWORD)
    page.goto(ballot.get_absolute_url())
    items = page.locator("[data-rank-item]")
    assert items.count() == 3
    assert_accessible(page, "ranked vote form")
    # Betere ANW-zorg first: two steps up; then Meer tijd per patiënt below Minder regeldruk.
    page.get_by_role("button", name=f"omhoog: {AIMS[2]}").click()
    page.get_by_role("button", name=f"omhoog: {AIMS[2]}").click()
    page.get_by_role("button", name=f"omlaag: {AIMS[0]}").click()
    order = [t.strip() for t in items.locator("label").all_inner_texts()]
    assert order == [AIMS[2], AIMS[1], AIMS[0]]
    assert "staat nu op plaats" in page.locator("[data-rank-announce]").inner_text()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    main = page.locator("main").inner_text()
    assert f"1. {AIMS[2]}" in main and f"3. {AIMS[0]}" in main
    assert_accessible(page, "ranked confirmation")
    page.get_by_role("button", name="Bevestig mijn stem").click()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", page.locator("#receipt-code").inner_text())
    [vote] = Vote.objects.filter(ballot=ballot)
    labels = {c.pk: c.label for c in ballot.choices.all()}
    assert [labels[pk] for pk in vote.ranking] == [AIMS[2], AIMS[1], AIMS[0]]

    services.close_ballot(ballot, notify=False)
    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    assert "Methode en uitslag" in page.locator("main").inner_text()
    assert "Ronden van de telling" in page.locator("main").inner_text()
    assert_accessible(page, "ranked results")


def test_a_member_approves_up_to_two(axe_page):  # noqa: F811
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    ballot = kind_ballot("Welke twee doelen eerst?", kind="approval", max_choices=2)
    page = axe_page("phone")
    log_in(page, "anna@example.nl", PASSWORD)
    page.goto(ballot.get_absolute_url())
    assert_accessible(page, "approval vote form")
    page.get_by_label(AIMS[0]).check()
    page.get_by_label(AIMS[2]).check()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    main = page.locator("main").inner_text()
    assert AIMS[0] in main and AIMS[2] in main and AIMS[1] not in main
    page.get_by_role("button", name="Bevestig mijn stem").click()
    page.locator("#receipt-code").wait_for()
    services.close_ballot(ballot, notify=False)
    assert Vote.objects.filter(ballot=ballot).count() == 2


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_kinds_vote_page_has_no_accessibility_violation(axe_page, viewport):  # noqa: F811
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    ballots = [
        kind_ballot("Eén doel?", kind="single", runoff=True),
        kind_ballot("Twee doelen?", kind="approval", max_choices=2),
        kind_ballot("Doelen op volgorde?", kind="ranked"),
        kind_ballot("Verkiezing?", kind="election", ranked_election=True, seats=2),
        kind_ballot("Verkiezing door goedkeuring?", kind="election", seats=2, max_choices=2),
    ]
    page = axe_page(viewport)
    log_in(page, "anna@example.nl", PASSWORD)
    for ballot in ballots:
        page.goto(ballot.get_absolute_url())
        assert_accessible(page, f"vote page of a {ballot.kind} ballot")
