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


def recount_from_ledger(entries: list[LedgerEntry]) -> tuple[dict[int, LedgerEntry], Counter]:
    votes: dict[int, LedgerEntry] = {}
    for entry in entries:
        if entry.kind == "vote":
            votes[entry.seq] = entry
        elif entry.kind == "withdrawn":
            votes.pop(entry.payload["vote_entry"], None)
    weights: Counter = Counter()
    for entry in votes.values():
        weights[entry.payload["choice"]] += entry.payload["weight"]
    for entry in entries:
        if entry.kind == "paper_votes":  # counted in the hall (ballots.paper)
            for choice, _votes, weight in entry.payload["lines"]:
                weights[choice] += weight
    return votes, weights


def verify_ballot(ballot: Ballot) -> Verification:
    chain = verify_chain(ballot)
    report = Verification(ok=chain.ok, head=chain.head, entries=chain.entries)
    if not chain.ok:
        report.problems.append(chain.problem)
        return report
    entries = list(LedgerEntry.objects.filter(ballot=ballot).order_by("seq"))
    live_entries, recount = recount_from_ledger(entries)
    report.recount = dict(recount)
    rows = {
        v.ledger_entry_id: v
        for v in Vote.objects.filter(ballot=ballot, withdrawn=False)
        if v.ledger_entry_id is not None
    }
    for entry in live_entries.values():
        row = rows.pop(entry.pk, None)
        if row is None:
            report.problems.append(f"entry #{entry.seq} (vote): its vote row is missing")
            continue
        stored = vote_payload(row)
        recorded = entry.payload
        if stored != recorded:
            keys = stored.keys() | recorded.keys()
            changed = ", ".join(sorted(k for k in keys if stored.get(k) != recorded.get(k)))
            report.problems.append(f"entry #{entry.seq} (vote): the vote row differs ({changed})")
    for row in rows.values():
        report.problems.append(
            f"vote row {row.pk} points at a ledger entry that is not a counted vote"
        )
    unsealed = Vote.objects.filter(ballot=ballot, withdrawn=False, ledger_entry__isnull=True)
    closed = ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED)
    if closed and not ballot.is_counted:
        report.problems.append("the ballot is closed but its count has not finished yet")
    if closed:
        for row in unsealed:
            report.problems.append(f"vote row {row.pk} is counted but not in the ledger")
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
        _check_closing(ballot, entries, recount, report)
    report.ok = not report.problems
    return report


def _check_closing(ballot, entries, recount, report) -> None:
    if not any(e.kind == "closed" for e in entries):
        report.problems.append("the ledger has no closing entry")
        return
    closing = [e for e in entries if e.kind == "counted"]
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
        _check_decision(ballot, closing[-1], recorded, entries, report)
    if ballot.final_result != recorded:
        report.problems.append("the ballot's stored result differs from the result entry")
    if ballot.final_seal != closing[-1].hash:
        report.problems.append("the ballot's final seal is not the result entry's hash")


def _check_decision(ballot, entry, recorded, entries, report) -> None:
    """A kind other than a proposal: decide again from the ledger's own vote entries (their
    weights and rankings) and the recorded seed, and compare with the recorded winners."""
    from ballots.kinds import decide_kind

    live_entries, recount = recount_from_ledger(entries)
    rankings = [
        (e.payload["ranking"], e.payload["weight"])
        for e in live_entries.values()
        if e.payload.get("ranking") is not None
    ]
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
