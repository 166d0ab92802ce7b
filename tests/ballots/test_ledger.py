"""The ledger: verify_ledger passes on an honest ballot and names the first tampered entry."""

import pytest
from django.core.management import CommandError, call_command

from ballots import services
from ballots.models import LedgerEntry, Vote
from ballots.verification import verify_ballot
from tests.factories import MandateFactory, RegionFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["secret", "named"])
def closed_ballot(request):
    region = RegionFactory()
    voters = [member(region=region) for _ in range(8)]
    ballot = open_ballot(secrecy=request.param)
    for n, voter in enumerate(voters):
        label = ["Voor", "Tegen", "Onthouding"][n % 3]
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, label).pk)
    return services.close_ballot(ballot)


def test_honest_ballot_verifies(closed_ballot, capsys):
    report = verify_ballot(closed_ballot)
    assert report.ok, report.problems
    assert report.head == closed_ballot.final_seal
    call_command("verify_ledger", str(closed_ballot.pk))
    assert "grootboek in orde" in capsys.readouterr().out


def test_altered_choice_in_the_vote_table_is_found(closed_ballot):
    vote = Vote.objects.filter(ballot=closed_ballot, choice__label="Tegen").first()
    Vote.objects.filter(pk=vote.pk).update(choice=choice(closed_ballot, "Voor"))
    report = verify_ballot(closed_ballot)
    assert not report.ok
    assert (
        report.problems[0]
        == f"entry #{vote.ledger_entry.seq} (vote): the vote row differs (choice)"
    )


def test_altered_ledger_entry_is_found(closed_ballot):
    entry = LedgerEntry.objects.filter(ballot=closed_ballot, kind="vote").order_by("seq")[2]
    payload = {**entry.payload, "weight": 5}
    LedgerEntry.objects.filter(pk=entry.pk).update(payload=payload)
    report = verify_ballot(closed_ballot)
    assert report.problems == [f"entry #{entry.seq} (vote) was altered: hash mismatch"]


def test_deleted_vote_is_found(closed_ballot):
    vote = Vote.objects.filter(ballot=closed_ballot).order_by("pk").first()
    seq = vote.ledger_entry.seq
    vote.delete()
    report = verify_ballot(closed_ballot)
    assert f"entry #{seq} (vote): its vote row is missing" in report.problems


def test_inserted_vote_is_found(closed_ballot):
    extra = Vote.objects.create(
        ballot=closed_ballot,
        choice=choice(closed_ballot, "Voor"),
        weight=1,
        region=Vote.objects.first().region,
        receipt_hash="f" * 64,
    )
    report = verify_ballot(closed_ballot)
    assert f"vote row {extra.pk} is counted but not in the ledger" in report.problems


def test_deleted_ledger_entry_is_found(closed_ballot):
    entry = LedgerEntry.objects.filter(ballot=closed_ballot, kind="vote").order_by("seq")[1]
    Vote.objects.filter(ledger_entry=entry).update(ledger_entry=None)
    entry.delete()
    report = verify_ballot(closed_ballot)
    assert report.problems == [f"entry #{entry.seq} is missing (found #{entry.seq + 1} next)"]


def test_command_exits_non_zero_naming_the_entry(closed_ballot, capsys):
    vote = Vote.objects.filter(ballot=closed_ballot).first()
    Vote.objects.filter(pk=vote.pk).update(weight=7)
    with pytest.raises(CommandError, match=f"entry #{vote.ledger_entry.seq}"):
        call_command("verify_ledger", str(closed_ballot.pk))
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("verify_ledger", "999999")


def test_weighted_named_ballot_with_vote_change_and_proxy_verifies():
    region = RegionFactory()
    other = RegionFactory()
    first = MandateFactory(region=region, weight=300).user
    second = MandateFactory(region=other, weight=200).user
    ballot = open_ballot(
        electorate="ambassadors",
        secrecy="named",
        vote_change_allowed=True,
        vote_splitting=True,
        proxies_allowed=True,
    )
    voor, tegen = choice(ballot, "Voor"), choice(ballot, "Tegen")
    services.cast_vote(ballot_id=ballot.pk, user=first, choice=voor.pk)
    from ballots.sealing import seal_ballot

    seal_ballot(ballot)  # the first vote is sealed before it is changed
    services.cast_vote(ballot_id=ballot.pk, user=first, choice={voor.pk: 100, tegen.pk: 200})
    services.cast_vote(ballot_id=ballot.pk, user=second, choice=voor.pk)
    ballot = services.close_ballot(ballot)
    report = verify_ballot(ballot)
    assert report.ok, report.problems
    weights = {c["label"]: c["weight"] for c in ballot.final_result["choices"]}
    assert weights == {"Voor": 300, "Tegen": 200, "Onthouding": 0}
    assert LedgerEntry.objects.filter(ballot=ballot, kind="withdrawn").count() == 1


def test_a_vote_row_moved_onto_another_entry_is_found(closed_ballot):
    """The check walks the ledger and the rows side by side (issue #18): a row pointing at an
    entry that is not a counted vote, and the entry it left, are both named."""
    vote = Vote.objects.filter(ballot=closed_ballot).order_by("pk").last()
    left = vote.ledger_entry
    opened = LedgerEntry.objects.get(ballot=closed_ballot, kind="opened")
    Vote.objects.filter(pk=vote.pk).update(ledger_entry=opened)
    report = verify_ballot(closed_ballot)
    assert f"vote row {vote.pk} points at a ledger entry that is not a counted vote" in (
        report.problems
    )
    assert f"entry #{left.seq} (vote): its vote row is missing" in report.problems


def test_two_rows_that_swapped_entries_are_both_found(closed_ballot):
    votes = list(Vote.objects.filter(ballot=closed_ballot).order_by("pk"))
    first = votes[0]
    second = next(v for v in votes if v.choice_id != first.choice_id)
    a, b = first.ledger_entry_id, second.ledger_entry_id
    Vote.objects.filter(pk=first.pk).update(ledger_entry=None)  # one-to-one: make room
    Vote.objects.filter(pk=second.pk).update(ledger_entry=a)
    Vote.objects.filter(pk=first.pk).update(ledger_entry=b)
    report = verify_ballot(closed_ballot)
    differs = [p for p in report.problems if "the vote row differs (choice" in p]
    assert len(differs) == 2, report.problems
