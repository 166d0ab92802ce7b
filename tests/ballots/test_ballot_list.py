"""The ballot list and the home page's open ballots (issue #16, item 5)."""

import pytest
from django.urls import reverse

from ballots import services
from ballots.models import Ballot, BallotStatus
from tests.factories import choice, member, open_ballot

pytestmark = pytest.mark.django_db


def test_cards_say_whether_the_member_voted_with_turnout_and_time_left(client, region):
    anna, bert = member(region=region), member(region=region)
    voted = open_ballot(question="Gestemd?")
    open_ballot(question="Nog niet?")
    services.cast_vote(ballot_id=voted.pk, user=anna, choice=choice(voted, "Voor").pk)
    client.force_login(anna)
    html = client.get(reverse("ballots:index")).content.decode()
    cards = html.split('class="card ballot-card"')[1:]
    first = next(card for card in cards if "Gestemd?" in card)
    second = next(card for card in cards if "Nog niet?" in card)
    assert "u heeft gestemd" in first and "Opkomst: 50% (1 van 2)" in first
    assert "u heeft nog niet gestemd" in second and "Opkomst: 0% (0 van 2)" in second
    assert "data-countdown" in second and "(nog " in second  # the server's fallback text
    assert bert  # an elector who did not vote keeps the turnout at one of two


def test_a_certified_ballot_carries_the_vastgesteld_badge(client, region):
    anna = member(region=region)
    ballot = open_ballot()
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    services.close_ballot(ballot)
    Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.CERTIFIED)
    client.force_login(anna)
    html = client.get(reverse("ballots:index")).content.decode()
    assert 'class="badge badge-certified">vastgesteld<' in html


def test_an_anonymous_visitor_is_asked_to_log_in_to_see_ballots(client, region):
    member(region=region)
    open_ballot()
    html = client.get("/").content.decode()
    assert "Log in om de stemmingen te zien" in html
    assert "geen stemmingen" not in html


def test_home_lists_the_members_open_ballots_as_cards(client, region):
    anna = member(region=region)
    open_ballot(question="Wat vindt u ervan?")
    client.force_login(anna)
    html = client.get("/").content.decode()
    assert "Wat vindt u ervan?" in html and "u heeft nog niet gestemd" in html


def test_the_home_page_does_not_count_an_open_ballots_electorate_per_request(
    client, region, settings
):
    """13,000 members opening the home page within a minute counted the whole electorate and
    turnout 13,000 times (issue #18): an open ballot's card takes the live state's figures,
    read at most once per update interval per process, and says the same as the live block."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIVE_UPDATES_PER_SECOND = 0.01  # one interval outlasts the test, however slow
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot(question="Drukte?")
    services.cast_vote(ballot_id=ballot.pk, user=bert, choice=choice(ballot, "Voor").pk)
    client.force_login(anna)
    first = client.get(reverse("home")).content.decode()
    assert "Opkomst: 50% (1 van 2)" in first
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("home")).content.decode()
    assert "Opkomst: 50% (1 van 2)" in again
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert not counting, counting


def test_home_reads_the_members_open_ballots_in_one_query(client, region, settings):
    """Ballots, the member's elector rows and whether they voted: one query from the elector's
    side (three before; every member opens the home page at an assembly). Only open ballots
    where the member is an elector, voted or not, in closing order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIVE_UPDATES_PER_SECOND = 0.01
    anna, bert = member(region=region), member(region=region)
    voted = open_ballot(question="Al gestemd?")
    not_yet = open_ballot(question="Nog te stemmen?")
    Ballot.objects.filter(pk=not_yet.pk).update(closes_at=voted.closes_at.replace(year=2000 + 99))
    closed = open_ballot(question="Al gesloten?")
    services.cast_vote(ballot_id=voted.pk, user=anna, choice=choice(voted, "Voor").pk)
    services.close_ballot(closed)
    client.force_login(anna)
    client.get(reverse("home"))  # the live states read once
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("home")).content.decode()
    ballot_queries = [q["sql"] for q in queries if "ballots_" in q["sql"]]
    assert len(ballot_queries) == 1, ballot_queries
    assert "Al gesloten?" not in html
    assert html.index("Al gestemd?") < html.index("Nog te stemmen?")
    cards = html.split('class="card ballot-card"')[1:]
    assert "u heeft gestemd" in next(c for c in cards if "Al gestemd?" in c)
    assert "u heeft nog niet gestemd" in next(c for c in cards if "Nog te stemmen?" in c)
    assert "Opkomst: 50% (1 van 2)" in next(c for c in cards if "Al gestemd?" in c)

    client.force_login(member(region=region))  # joined after the electorates were frozen
    assert "Al gestemd?" not in client.get(reverse("home")).content.decode()
    assert bert
