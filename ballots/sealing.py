"""Moving votes into the ledger: the mix (secret ballots) and the seal (all ballots).

Secret ballots: votes wait in PendingVote. `mix_and_seal` takes a batch, shuffles it with the
operating system's randomness, writes the Vote rows and their ledger entries in that shuffled
order in one transaction of its own, and deletes the pending rows. The tally table's ids,
transaction id (xmin) and physical order then relate only to the batch, not to the voters'
order, and no table has a time finer than the day. While the ballot is open a mix takes a
random selection and always leaves MIN_MIX_BATCH random votes pending (the anonymity set), so
every batch, the final one at closing included, holds at least MIN_MIX_BATCH votes (when that
many were cast) and no batch is a contiguous run of voters.

Named ballots: votes are stored with the elector at once; sealing appends ledger entries for
the new ones (and for votes withdrawn by a vote change) in id order.

Each run ends with a "seal" entry: the chain head at that moment certifies every vote before it.
"""

import secrets

from django.db import transaction

from ballots import ledger
from ballots.live import marks as live
from ballots.locks import ledger_lock
from ballots.models import Ballot, PendingVote, Vote

MIN_MIX_BATCH = 25
_random = secrets.SystemRandom()


def vote_payload(vote: Vote) -> dict:
    """What the ledger records of a vote; the elector only for named ballots."""
    payload = {
        "choice": vote.choice_id,
        "weight": vote.weight,
        "region": vote.region_id,
        "receipt": vote.receipt_hash,
    }
    if vote.elector_id is not None:
        payload["elector"] = vote.elector_id
        payload["by_proxy"] = vote.cast_by_proxy
    return payload


def mix_and_seal(ballot: Ballot, *, final: bool = False) -> int:
    """Mix pending secret votes and seal new votes into the ledger; returns votes sealed.

    Takes the ballot's ledger lock; pending rows are claimed with SKIP LOCKED so a vote being
    cast is never waited for (it joins the next batch)."""
    with transaction.atomic():
        ledger_lock(ballot.pk)
        entries: list[tuple[str, dict]] = []
        new_votes: list[Vote] = []
        withdrawn: list[Vote] = []
        if ballot.is_secret:
            pending = list(
                PendingVote.objects.select_for_update(skip_locked=True).filter(ballot=ballot)
            )
            _random.shuffle(pending)
            if not final:
                # Keep MIN_MIX_BATCH random votes back, so the batch mixed at closing is never
                # smaller than the anonymity set and no batch is a contiguous run of voters.
                pending = pending[: max(0, len(pending) - MIN_MIX_BATCH)]
                if len(pending) < MIN_MIX_BATCH:
                    pending = []
            if pending:
                new_votes = Vote.objects.bulk_create(
                    Vote(
                        ballot=ballot,
                        choice_id=p.choice_id,
                        weight=p.weight,
                        region_id=p.region_id,
                        receipt_hash=p.receipt_hash,
                    )
                    for p in pending
                )
                PendingVote.objects.filter(pk__in=[p.pk for p in pending]).delete()
                live.announce(ballot.pk)  # the mixed batch joins the live tally
        else:
            new_votes = list(
                Vote.objects.filter(ballot=ballot, ledger_entry__isnull=True).order_by("pk")
            )
            withdrawn = list(
                Vote.objects.filter(
                    ballot=ballot,
                    withdrawn=True,
                    withdrawal_entry__isnull=True,
                    ledger_entry__isnull=False,
                ).order_by("pk")
            )
        entries += [("withdrawn", {"vote_entry": v.ledger_entry.seq}) for v in withdrawn]
        entries += [("vote", vote_payload(v)) for v in new_votes]
        # A vote replaced before it was ever sealed is sealed and withdrawn in this same run.
        late_withdrawals = [v for v in new_votes if v.withdrawn]
        if not entries:
            return 0
        written = ledger.append(ballot, entries)
        by_kind_withdrawn, by_kind_vote = written[: len(withdrawn)], written[len(withdrawn) :]
        for vote, entry in zip(withdrawn, by_kind_withdrawn, strict=True):
            vote.withdrawal_entry = entry
        for vote, entry in zip(new_votes, by_kind_vote, strict=True):
            vote.ledger_entry = entry
        Vote.objects.bulk_update(new_votes, ["ledger_entry"])
        if late_withdrawals:
            late = ledger.append(
                ballot,
                [("withdrawn", {"vote_entry": v.ledger_entry.seq}) for v in late_withdrawals],
            )
            for vote, entry in zip(late_withdrawals, late, strict=True):
                vote.withdrawal_entry = entry
        Vote.objects.bulk_update(withdrawn + late_withdrawals, ["withdrawal_entry"])
        sealed = Vote.objects.filter(ballot=ballot, ledger_entry__isnull=False).count()
        ledger.append(ballot, [("seal", {"votes_in_ledger": sealed})])
        return len(new_votes)


def seal_open_ballots() -> int:
    """The periodic job: mix and seal every open ballot (called by the worker)."""
    from ballots.models import BallotStatus

    total = 0
    for ballot in Ballot.objects.filter(status=BallotStatus.OPEN):
        total += mix_and_seal(ballot)
    return total
