"""Sealing votes into the ledger while a ballot is open (the worker, every minute).

Named ballots: votes are stored with the elector at once; sealing appends ledger entries for
the new ones (and for votes withdrawn by a vote change) in id order, in bounded batches, and
ends with a "seal" entry: the chain head then certifies every vote before it.

Secret ballots: nothing is mixed while the ballot is open. A mix batch written while voting
goes on can be placed in time: its votes share a transaction id and sit between two seals,
and the participations say who had voted by then; per reporting group that confines voters
to batches (issue #12). So the one mix happens at closing (ballots.counting). While open the
seal commits to what is in the box without revealing it: the number of participations and
of pending (encrypted) votes and a digest of the ciphertexts. Deleting or adding pending
votes behind the application's back then shows in the ledger, and the count refuses a box
whose size does not match the participations.
"""

import hashlib

from django.db import connection, transaction

from ballots import ledger
from ballots.locks import ledger_lock
from ballots.models import Ballot, LedgerEntry, Participation, PendingVote, Vote

# Votes per transaction of the periodic seal of a named ballot, which holds the ledger lock
# that check-in, proxies and closing wait on: ~0.2 ms a vote here, so 1,000 keep that wait
# near 0.2 s (5,000 held it ~1 s; issue #18) while sealing ~5,000 votes a second.
SEAL_BATCH = 1000


def vote_payload(vote: Vote) -> dict:
    """What the ledger records of a vote: the elector and region only for named ballots,
    the reporting group for secret ones only when their breakdown is published."""
    payload = {"choice": vote.choice_id, "weight": vote.weight, "receipt": vote.receipt_hash}
    if vote.ranking is not None:
        payload["ranking"] = vote.ranking
    if vote.elector_id is not None:
        payload["region"] = vote.region_id
        payload["elector"] = vote.elector_id
        payload["by_proxy"] = vote.cast_by_proxy
    elif vote.group_id is not None:
        payload["group"] = vote.group_id
    return payload


def seal_named(ballot: Ballot, *, limit: int = SEAL_BATCH) -> int:
    """Seal up to `limit` new votes (and the withdrawals of replaced ones) of a named ballot
    in one transaction under the ledger lock; returns the number of entries written."""
    with transaction.atomic():
        ledger_lock(ballot.pk)
        withdrawn = list(
            Vote.objects.filter(
                ballot=ballot,
                withdrawn=True,
                withdrawal_entry__isnull=True,
                ledger_entry__isnull=False,
            )
            .select_related("ledger_entry")
            .order_by("pk")[:limit]
        )
        new_votes = list(
            Vote.objects.filter(ballot=ballot, ledger_entry__isnull=True).order_by("pk")[:limit]
        )
        entries = [("withdrawn", {"vote_entry": v.ledger_entry.seq}) for v in withdrawn]
        entries += [("vote", vote_payload(v)) for v in new_votes]
        if not entries:
            return 0
        written = ledger.append(ballot, entries)
        for vote, entry in zip(withdrawn, written[: len(withdrawn)], strict=True):
            vote.withdrawal_entry = entry
        for vote, entry in zip(new_votes, written[len(withdrawn) :], strict=True):
            vote.ledger_entry = entry
        # A vote replaced before it was ever sealed is sealed and withdrawn in this same run.
        late = [v for v in new_votes if v.withdrawn]
        if late:
            for vote, entry in zip(
                late,
                ledger.append(
                    ballot, [("withdrawn", {"vote_entry": v.ledger_entry.seq}) for v in late]
                ),
                strict=True,
            ):
                vote.withdrawal_entry = entry
        # batch_size keeps each UPDATE's CASE small: one statement with a branch per vote is
        # quadratic in PostgreSQL (1.2 s at 13,000 votes, JIT compiles it past ~14,000).
        Vote.objects.bulk_update(new_votes, ["ledger_entry"], batch_size=500)
        Vote.objects.bulk_update(withdrawn + late, ["withdrawal_entry"], batch_size=500)
        return len(entries)


def append_seal(ballot: Ballot) -> None:
    """The closing "seal" entry of a sealing run (the caller holds the ledger lock)."""
    sealed = Vote.objects.filter(ballot=ballot, ledger_entry__isnull=False).count()
    ledger.append(ballot, [("seal", {"votes_in_ledger": sealed})])


def box_commitment(ballot: Ballot) -> dict:
    """Secret ballots while open: how many voted online, how many encrypted votes wait, and a
    digest of those ciphertexts: SHA-256 over the SHA-256 of each, in row order.

    All three from one snapshot of the box, or a vote landing between two reads makes the
    seal say "N encrypted votes for N+1 voters", which the verifier rightly refuses (it did,
    in 23 of 24 seals taken while votes arrived: tests/ballots/test_box_seal_race.py).
    PostgreSQL: one statement, which sees one snapshot and hashes in the database. SQLite:
    one IMMEDIATE transaction, in which no vote can commit."""
    if connection.vendor == "postgresql":
        return _commitment_in_one_statement(ballot)
    with transaction.atomic():
        return _commitment_read_row_by_row(ballot)


def _commitment_in_one_statement(ballot: Ballot) -> dict:
    pending = connection.ops.quote_name(PendingVote._meta.db_table)
    participations = connection.ops.quote_name(Participation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT
              (SELECT count(*) FROM {participations}
               WHERE ballot_id = %(ballot)s AND NOT on_paper),
              count(*),
              encode(sha256(coalesce(string_agg(sha256(sealed), ''::bytea ORDER BY id),
                                     ''::bytea)), 'hex')
            FROM {pending} WHERE ballot_id = %(ballot)s
            """,
            {"ballot": ballot.pk},
        )
        voted, waiting, digest = cursor.fetchone()
    return {"participations": voted, "pending_votes": waiting, "pending_digest": digest}


def _commitment_read_row_by_row(ballot: Ballot) -> dict:
    digest = hashlib.sha256()
    pending = 0
    rows = PendingVote.objects.filter(ballot=ballot).order_by("pk").values_list("sealed", flat=True)
    for sealed in rows.iterator(chunk_size=2000):
        digest.update(hashlib.sha256(bytes(sealed)).digest())
        pending += 1
    return {
        # Online voters only: a count in the hall has no encrypted vote (ballots.paper).
        "participations": Participation.objects.filter(ballot=ballot, on_paper=False).count(),
        "pending_votes": pending,
        "pending_digest": digest.hexdigest(),
    }


def seal_secret_box(ballot: Ballot) -> bool:
    """Append a "box_seal" entry when the box changed since the last one.

    The box is read before the ledger lock is taken: reading every ciphertext took seconds at
    100,000 votes, and check-ins, proxies and the closing wait on that lock (issue #18).
    Holding it never froze the box anyway (votes take only the shared vote gate), so the
    commitment is what the box held at the time of reading, locked or not."""
    commitment = box_commitment(ballot)
    with transaction.atomic():
        ledger_lock(ballot.pk)
        last = (
            LedgerEntry.objects.filter(ballot=ballot, kind="box_seal")
            .order_by("-seq")
            .only("payload")
            .first()
        )
        if (last and last.payload == commitment) or (not last and not commitment["pending_votes"]):
            return False
        ledger.append(ballot, [("box_seal", commitment)])
        return True


def seal_ballot(ballot: Ballot) -> int:
    """One sealing run for an open ballot; returns the ledger entries written for votes."""
    if ballot.is_secret:
        seal_secret_box(ballot)
        return 0
    written = 0
    while batch := seal_named(ballot):
        written += batch
    if written:
        with transaction.atomic():
            ledger_lock(ballot.pk)
            append_seal(ballot)
    return written


def seal_open_ballots() -> int:
    """The periodic job: seal every open ballot (called by the worker)."""
    from ballots.models import BallotStatus

    return sum(seal_ballot(b) for b in Ballot.objects.filter(status=BallotStatus.OPEN))
