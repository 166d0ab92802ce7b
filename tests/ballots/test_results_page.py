"""The results page (issue #16, items 3 and 4): an open ballot shows a "voorlopige stand"
and never an outcome; one turnout definition that says what it counts; percentages with
their base; per region (or reporting group) turnout; non-voters; the member's own vote."""

import pytest
from django.urls import reverse

from ballots import services
from tests.factories import (
    RegionFactory,
    add_totp,
    ambassador,
    board_member,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db

OUTCOME_WORDS = ("Aangenomen", "Verworpen", "Staken", "Geen quorum")


def page(client, ballot) -> str:
    return client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()


def test_an_open_ballot_shows_a_voorlopige_stand_and_never_an_outcome(client, region):
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot(result_visibility="everyone", secrecy="named")
    for voter in voters[:2]:
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    board = board_member(region=region)
    add_totp(board)
    for viewer in (voters[2], board):
        client.force_login(viewer)
        html = page(client, ballot)
        assert "Voorlopige stand" in html and "geen uitslag" in html
        assert not [word for word in OUTCOME_WORDS if word in html], html
        assert 'class="message outcome' not in html


def test_turnout_is_one_figure_that_says_what_it_counts(client, region):
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot(result_visibility="everyone", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    services.cast_vote(ballot_id=ballot.pk, user=voters[1], choice=choice(ballot, "Onthouding").pk)
    client.force_login(voters[2])
    html = page(client, ballot)
    assert "66,7%</strong>: 2 van 3 kiesgerechtigden stemden" in html
    # Shares of everything cast, abstentions included, and the page says so.
    assert "aandeel van alle uitgebrachte stemmen, onthoudingen meegeteld" in html
    assert html.count("50%") >= 2


def test_closed_named_ballot_per_region_with_non_voters_and_own_vote(client):
    north, south = RegionFactory(name="Noord"), RegionFactory(name="Zuid")
    anna = member(region=north, user__full_name="Anna de Vries")
    bert = member(region=north, user__full_name="Bert Bakker")
    cees = member(region=south, user__full_name="Cees Claassen")
    member(region=south, user__full_name="Dirk Dekker")
    ballot = open_ballot(secrecy="named")
    for voter, label in ((anna, "Voor"), (bert, "Tegen"), (cees, "Voor")):
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, label).pk)
    services.close_ballot(ballot)
    client.force_login(anna)
    html = page(client, ballot)
    assert 'id="own-vote"' in html and "U stemde: <strong>Voor</strong>" in html
    assert "Aangenomen" in html
    assert "Per regio" in html
    assert "2 van 2" in html and "1 van 2" in html  # turnout per region
    assert "Niet gestemd (1)" in html and "Dirk Dekker" in html
    assert "Anna de Vries" in html  # the roll call


def test_secret_ballot_never_says_how_the_member_voted(client, region):
    voters = [member(region=region) for _ in range(2)]
    ballot = open_ballot(secrecy="secret")
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    services.close_ballot(ballot)
    client.force_login(voters[0])
    html = page(client, ballot)
    assert "U stemde" not in html and "Niet gestemd" not in html


def test_ambassador_ballot_shows_the_roll_call_once_not_a_region_table_too(client):
    regions = [RegionFactory(name=f"Regio {n}") for n in range(3)]
    ambassadors = [ambassador(region=r) for r in regions]
    ballot = open_ballot(electorate="ambassadors", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=ambassadors[0], choice=choice(ballot, "Voor").pk)
    services.cast_vote(ballot_id=ballot.pk, user=ambassadors[1], choice=choice(ballot, "Tegen").pk)
    services.close_ballot(ballot)
    client.force_login(ambassadors[0])
    add_totp(ambassadors[0])
    html = page(client, ballot)
    assert "Hoofdelijke stemming" in html
    assert 'id="breakdown-heading"' not in html
    assert "van het stemgewicht" in html
    assert "Niet gestemd (1)" in html
