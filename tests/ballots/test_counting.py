"""The count of a secret ballot in several batches (ballots.counting): every vote once, the
ledger verifies, an interrupted count continues where it stopped, and two counts started
at once (the worker's catch-up beside the chair's close) count nothing twice."""

import pytest

from ballots import counting, services
from ballots.models import Ballot, LedgerEntry, PendingVote, Vote
from ballots.verification import verify_ballot
from tests.conftest import only_on
from tests.factories import choice, member, open_ballot
from tests.threads import run_at_once

VOTES = {"Voor": 6, "Tegen": 4, "Onthouding": 1}


def ballot_with_votes():
    voters = [member() for _ in range(sum(VOTES.values()))]
    ballot = open_ballot(secrecy="secret")
    labels = [label for label, n in VOTES.items() for _ in range(n)]
    for user, label in zip(voters, labels, strict=True):
        services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice(ballot, label).pk)
    return services.stop_voting(ballot)


def assert_counted_once(ballot: Ballot) -> None:
    ballot.refresh_from_db()
    assert ballot.is_counted
    assert not PendingVote.objects.filter(ballot=ballot).exists()
    votes = Vote.objects.filter(ballot=ballot)
    assert votes.count() == sum(VOTES.values())
    assert votes.values("receipt_hash").distinct().count() == sum(VOTES.values())
    for label, n in VOTES.items():
        assert votes.filter(choice__label=label).count() == n
    assert LedgerEntry.objects.filter(ballot=ballot, kind="vote").count() == sum(VOTES.values())
    report = verify_ballot(ballot)
    assert report.ok, report.problems


@pytest.mark.django_db
def test_a_count_in_batches_counts_every_vote_once(monkeypatch):
    monkeypatch.setattr(counting, "MIX_BATCH", 3)  # 11 votes: four batches
    ballot = ballot_with_votes()
    counting.count(ballot)
    assert_counted_once(ballot)


@pytest.mark.django_db
def test_an_interrupted_count_continues_where_it_stopped(monkeypatch):
    monkeypatch.setattr(counting, "MIX_BATCH", 3)
    ballot = ballot_with_votes()
    real_batch, batches = counting._mix_batch, []

    def crash_on_the_third(*args, **kwargs):
        if len(batches) == 2:
            raise RuntimeError("the worker was stopped")
        batches.append(1)
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(counting, "_mix_batch", crash_on_the_third)
    with pytest.raises(RuntimeError):
        counting.count(ballot)
    assert PendingVote.objects.filter(ballot=ballot).count() == sum(VOTES.values()) - 6
    monkeypatch.setattr(counting, "_mix_batch", real_batch)
    counting.count_unfinished()
    assert_counted_once(ballot)


@only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_two_counts_at_once_count_nothing_twice(monkeypatch):
    monkeypatch.setattr(counting, "MIX_BATCH", 2)
    ballot = ballot_with_votes()
    results = run_at_once([lambda: counting.count(ballot), lambda: counting.count(ballot)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert_counted_once(ballot)
