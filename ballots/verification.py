"""Checking a ballot against its ledger: the chain, every vote row, the tally, the seal.

The ledger is the reference. Every counted vote row must be the one its ledger entry
describes, every vote entry must still have its row, nothing may be counted without an entry
(once closed), and the recount from the ledger must equal the tally of the vote tables and,
after closing, the result and the seal recorded at closing.
"""

from collections import Counter
from dataclasses import dataclass, field

from ballots.ledger import verify_chain
from ballots.models import Ballot, BallotStatus, LedgerEntry, PendingVote, Vote
from ballots.sealing import vote_payload
from ballots.tally import tally


@dataclass
class Verification:
    ok: bool
    head: str
    entries: int
    problems: list[str] = field(default_factory=list)
    recount: dict[int, int] = field(default_factory=dict)  # choice id -> weight


def verify_ballot(ballot: Ballot) -> Verification:
    """Streams the ledger and the vote rows side by side (both in ledger-entry order) instead
    of loading them: memory stays flat at any size (issue #18: 225 MiB at 100,000 votes)."""
    chain = verify_chain(ballot)
    report = Verification(ok=chain.ok, head=chain.head, entries=chain.entries)
    if not chain.ok:
        report.problems.append(chain.problem)
        return report
    withdrawn, events = _withdrawals_and_events(ballot)
    recount: Counter = Counter()
    rankings: list[tuple[list, int]] = []
    for entry, row in _vote_entries_beside_rows(ballot, withdrawn):
        if isinstance(entry, _OrphanRow):
            report.problems.append(
                f"vote row {entry.pk} points at a ledger entry that is not a counted vote"
            )
            continue
        recorded = entry.payload
        recount[recorded["choice"]] += recorded["weight"]
        if recorded.get("ranking") is not None:
            rankings.append((recorded["ranking"], recorded["weight"]))
        if row is None:
            report.problems.append(f"entry #{entry.seq} (vote): its vote row is missing")
            continue
        stored = vote_payload(row)
        if stored != recorded:
            keys = stored.keys() | recorded.keys()
            changed = ", ".join(sorted(k for k in keys if stored.get(k) != recorded.get(k)))
            report.problems.append(f"entry #{entry.seq} (vote): the vote row differs ({changed})")
    _add_paper_votes(events, recount)
    report.recount = dict(recount)
    unsealed = Vote.objects.filter(ballot=ballot, withdrawn=False, ledger_entry__isnull=True)
    closed = ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED)
    if closed and not ballot.is_counted:
        report.problems.append("the ballot is closed but its count has not finished yet")
    if closed:
        for row_pk in unsealed.values_list("pk", flat=True).iterator(chunk_size=2000):
            report.problems.append(f"vote row {row_pk} is counted but not in the ledger")
        if PendingVote.objects.filter(ballot=ballot).exists():
            report.problems.append("pending votes remain after closing")
    # While open, votes cast since the last seal are in the tables but not yet in the ledger,
    # so the tables and the recount are compared only once everything is sealed.
    if closed and not report.problems:
        counted = tally(ballot)
        table_weights = {c.choice_id: c.weight for c in counted.choices if c.weight}
        if table_weights != {k: v for k, v in recount.items() if v}:
            report.problems.append(
                f"the tally {table_weights} differs from the ledger's recount {dict(recount)}"
            )
    if closed and not report.problems:
        _check_closing(ballot, events, recount, rankings, report)
    report.ok = not report.problems
    return report


def _withdrawals_and_events(ballot: Ballot) -> tuple[set[int], list[LedgerEntry]]:
    """The sequence numbers of withdrawn vote entries, and every entry that is not a vote or
    a withdrawal (lifecycle, paper votes, the result: a few per ballot)."""
    withdrawn: set[int] = set()
    events: list[LedgerEntry] = []
    rows = LedgerEntry.objects.filter(ballot=ballot).exclude(kind="vote").order_by("seq")
    for entry in rows.iterator(chunk_size=2000):
        if entry.kind == "withdrawn":
            withdrawn.add(entry.payload["vote_entry"])
        else:
            events.append(entry)
    return withdrawn, events


class _OrphanRow:
    """A vote row whose ledger entry is not a counted vote (stands in for the entry)."""

    def __init__(self, row: Vote):
        self.pk = row.pk


def _vote_entries_beside_rows(ballot: Ballot, withdrawn: set[int]):
    """(counted vote entry, its vote row or None) in entry order, and (_OrphanRow, None) for a
    counted row whose entry is not a counted vote. A merge of two ordered streams."""
    entries = (
        LedgerEntry.objects.filter(ballot=ballot, kind="vote")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    rows = iter(
        Vote.objects.filter(ballot=ballot, withdrawn=False, ledger_entry__isnull=False)
        .order_by("ledger_entry_id")
        .iterator(chunk_size=2000)
    )
    row = next(rows, None)
    for entry in entries:
        if entry.seq in withdrawn:
            continue
        while row is not None and row.ledger_entry_id < entry.pk:
            yield _OrphanRow(row), None
            row = next(rows, None)
        if row is not None and row.ledger_entry_id == entry.pk:
            yield entry, row
            row = next(rows, None)
        else:
            yield entry, None
    while row is not None:
        yield _OrphanRow(row), None
        row = next(rows, None)


def _add_paper_votes(events: list[LedgerEntry], weights: Counter) -> None:
    for entry in events:
        if entry.kind == "paper_votes":  # counted in the hall (ballots.paper)
            for choice, _votes, weight in entry.payload["lines"]:
                weights[choice] += weight


def _check_closing(ballot, events, recount, rankings, report) -> None:
    if not any(e.kind == "closed" for e in events):
        report.problems.append("the ledger has no closing entry")
        return
    closing = [e for e in events if e.kind == "counted"]
    if not closing:
        report.problems.append("the ledger has no result entry (counted)")
        return
    recorded = closing[-1].payload["result"]
    recorded_weights = {c["label"]: c["weight"] for c in recorded["choices"]}
    labels = {c.pk: c.label for c in ballot.choices.all()}
    recounted = {labels[choice]: weight for choice, weight in recount.items()}
    for label, weight in recorded_weights.items():
        if recounted.get(label, 0) != weight:
            report.problems.append(
                f"entry #{closing[-1].seq} (counted): {label} recorded {weight}, "
                f"recount {recounted.get(label, 0)}"
            )
    if "decision" in recorded:
        _check_decision(ballot, closing[-1], recorded, recount, rankings, report)
    if ballot.final_result != recorded:
        report.problems.append("the ballot's stored result differs from the result entry")
    if ballot.final_seal != closing[-1].hash:
        report.problems.append("the ballot's final seal is not the result entry's hash")


def _check_decision(ballot, entry, recorded, recount, rankings, report) -> None:
    """A kind other than a proposal: decide again from the ledger's own vote entries (their
    weights and rankings) and the recorded seed, and compare with the recorded winners."""
    from ballots.kinds import decide_kind

    labels = {c.pk: c.label for c in ballot.choices.all()}
    again = decide_kind(
        ballot,
        labels,
        {pk: recount.get(pk, 0) for pk in labels},
        rankings,
        turnout_weight=recorded["turnout"]["weight"],
        electorate_weight=recorded["electorate"]["weight"],
    )
    decision = recorded["decision"]
    for key in ("result", "winners", "runoff", "rounds"):
        if again.get(key) != decision.get(key):
            report.problems.append(
                f"entry #{entry.seq} (counted): the recorded {key} differs from a recount of "
                "the ledger's votes"
            )
            return
