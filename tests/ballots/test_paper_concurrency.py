"""Counts in the hall racing online votes, on PostgreSQL with real threads: whoever commits
first wins, the other is refused, and every elector counts exactly once."""

import pytest

from ballots import paper, services
from ballots.errors import AlreadyVoted
from ballots.models import Participation, Vote
from ballots.paper import Line, PaperRefused
from ballots.tally import tally
from ballots.verification import verify_ballot
from tests.conftest import only_on
from tests.factories import RegionFactory, board_member, choice, member, open_ballot
from tests.threads import run_at_once

pytestmark = [only_on("postgresql"), pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("rounds", range(10))
def test_a_confirmation_and_an_online_vote_for_one_elector_count_once(rounds):
    region = RegionFactory()
    people = [member(region=region) for _ in range(3)]
    first, second = board_member(), board_member()
    ballot = open_ballot(secrecy="named", vote_change_allowed=True)
    voor, tegen = choice(ballot, "Voor").pk, choice(ballot, "Tegen").pk
    electors = [ballot.electors.get(user=p) for p in people]
    entered = paper.enter(
        ballot=ballot, kind="hands", electors=electors, lines=[Line(voor, 3, 3)], by=first
    )

    results = run_at_once(
        [
            lambda: paper.confirm(tally=entered, by=second),
            lambda: services.cast_vote(ballot_id=ballot.pk, user=people[0], choice=tegen),
        ]
    )
    confirmed, online = results
    assert (isinstance(confirmed, PaperRefused)) != (isinstance(online, AlreadyVoted)), results
    counted = tally(ballot)
    assert Participation.objects.filter(ballot=ballot).count() == counted.turnout_count
    if isinstance(online, AlreadyVoted):  # the hall won: three votes, all on paper
        assert counted.turnout_count == 3 and not Vote.objects.filter(ballot=ballot).exists()
        assert {c.label: c.votes for c in counted.choices}["Voor"] == 3
    else:  # the online vote won: the count in the hall counts nobody
        assert counted.turnout_count == 1 and counted.paper == {}
    ballot = services.close_ballot(ballot)
    assert verify_ballot(ballot).ok, verify_ballot(ballot).problems
