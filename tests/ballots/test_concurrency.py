"""Concurrency on PostgreSQL: double submits and votes racing the close, with real threads
and real transactions (each thread its own connection)."""

import pytest

from ballots import services
from ballots.errors import AlreadyVoted, BallotClosed
from ballots.models import Participation, PendingVote, Vote
from ballots.verification import verify_ballot
from tests.conftest import only_on
from tests.factories import RegionFactory, choice, member, open_ballot
from tests.threads import run_at_once

pytestmark = [only_on("postgresql"), pytest.mark.django_db(transaction=True)]


def test_fifty_simultaneous_submits_by_one_elector_store_one_vote():
    anna = member(region=RegionFactory())
    ballot = open_ballot()
    voor = choice(ballot, "Voor").pk
    results = run_at_once(
        [lambda: services.cast_vote(ballot_id=ballot.pk, user=anna, choice=voor)] * 50
    )
    receipts = [r for r in results if isinstance(r, services.Receipt)]
    refusals = [r for r in results if isinstance(r, AlreadyVoted)]
    assert len(receipts) == 1 and len(refusals) == 49, results
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert PendingVote.objects.filter(ballot=ballot).count() == 1


def test_votes_racing_the_close_are_counted_or_refused_never_lost():
    region = RegionFactory()
    voters = [member(region=region) for _ in range(40)]
    ballot = open_ballot()
    voor = choice(ballot, "Voor").pk
    calls = [
        (lambda v=v: services.cast_vote(ballot_id=ballot.pk, user=v, choice=voor)) for v in voters
    ]
    calls.insert(20, lambda: services.close_ballot(ballot))
    results = run_at_once(calls)
    outcomes = [r for i, r in enumerate(results) if i != 20]
    assert not isinstance(results[20], Exception), results[20]
    acknowledged = [r for r in outcomes if isinstance(r, services.Receipt)]
    refused = [r for r in outcomes if isinstance(r, BallotClosed)]
    assert len(acknowledged) + len(refused) == 40, outcomes
    ballot.refresh_from_db()
    counted = {c["label"]: c["votes"] for c in ballot.final_result["choices"]}["Voor"]
    # Every acknowledged vote is in the final result and in the vote table; nothing else is.
    assert counted == len(acknowledged)
    assert Vote.objects.filter(ballot=ballot).count() == len(acknowledged)
    assert PendingVote.objects.filter(ballot=ballot).count() == 0
    assert verify_ballot(ballot).ok


def test_simultaneous_vote_changes_leave_exactly_one_counted_vote():
    """Found in review: two changes submitted together both counted, and closing then failed."""
    anna = member(region=RegionFactory())
    ballot = open_ballot(secrecy="named", vote_change_allowed=True)
    voor, tegen = choice(ballot, "Voor").pk, choice(ballot, "Tegen").pk
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=voor)
    results = run_at_once([
        lambda: services.cast_vote(ballot_id=ballot.pk, user=anna, choice=tegen)
    ] * 10)  # fmt: skip
    assert all(isinstance(r, services.Receipt) for r in results), results
    assert Vote.objects.filter(ballot=ballot, withdrawn=False).count() == 1
    ballot = services.close_ballot(ballot)
    assert {c["label"]: c["votes"] for c in ballot.final_result["choices"]}["Tegen"] == 1
    assert verify_ballot(ballot).ok
