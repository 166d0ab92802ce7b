"""The vote ledger: a hash chain per ballot.

Every entry's hash is sha256 over the previous hash and the entry's canonical JSON (kind,
sequence number, payload). Appending takes the ballot's ledger lock (ballots.locks); votes
are appended in batches by the sealer, never on the vote path (a per-vote chain head is a hot
row: STACK.md). `verify` recomputes the chain and names the first entry that does not fit.
"""

from django.utils import timezone

from ballots import bulk_copy
from ballots.models import Ballot, LedgerEntry
from ledenstem_verify.chain import GENESIS, ChainCheck, chain_hash, check_chain


def head(ballot: Ballot) -> tuple[int, str]:
    """(last sequence number, last hash); (0, GENESIS) for an empty ledger."""
    last = LedgerEntry.objects.filter(ballot=ballot).order_by("-seq").only("seq", "hash").first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def append(ballot: Ballot, entries: list[tuple[str, dict]]) -> list[LedgerEntry]:
    """Append (kind, payload) entries in order. The caller holds the ballot's ledger lock
    inside a transaction (ballots.locks.ledger_lock), so no two appenders interleave."""
    seq, prev = head(ballot)
    today = timezone.localdate()
    rows = []
    for kind, payload in entries:
        seq += 1
        digest = chain_hash(prev, kind, seq, payload)
        rows.append(
            LedgerEntry(
                ballot=ballot,
                seq=seq,
                kind=kind,
                payload=payload,
                prev_hash=prev,
                hash=digest,
                recorded_on=today,
            )
        )
        prev = digest
    if bulk_copy.use_copy(len(rows)):
        # The count at closing writes thousands at once: COPY with ids from the sequence.
        for row, pk in zip(rows, bulk_copy.next_ids(LedgerEntry, len(rows)), strict=True):
            row.pk = row.id = pk
            row._state.adding = False
        bulk_copy.copy_rows(
            LedgerEntry,
            ["id", "ballot_id", "seq", "kind", "payload", "prev_hash", "hash", "recorded_on"],
            [
                (r.pk, ballot.pk, r.seq, r.kind, r.payload, r.prev_hash, r.hash, r.recorded_on)
                for r in rows
            ],
        )
        return rows
    return LedgerEntry.objects.bulk_create(rows)


def verify_chain(ballot: Ballot) -> ChainCheck:
    rows = LedgerEntry.objects.filter(ballot=ballot).order_by("seq")
    fields = ("seq", "kind", "payload", "prev_hash", "hash")
    return check_chain(rows.values(*fields).iterator(chunk_size=2000))


def record(ballot: Ballot, kind: str, payload: dict) -> LedgerEntry:
    """Append one event (not a vote) under the ballot's ledger lock, in the caller's
    transaction: lifecycle, proxies, attendance, approvals."""
    from ballots.locks import ledger_lock

    ledger_lock(ballot.pk)
    [entry] = append(ballot, [(kind, payload)])
    return entry
