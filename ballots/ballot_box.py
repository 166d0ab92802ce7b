"""The published ballot box of a counted ballot (docs/ballot-box.md): everything a member or
auditor needs to recount it without the association's server.

The box holds the ballot's definition and rule, the electorate (per elector for a named
ballot; per reporting group for a secret one), every counted vote exactly as its ledger entry
records it, paper votes apart, the ledger up to and including the final seal (the "counted"
entry), and the sealed result. Votes are sorted by receipt hash: a random order that says
nothing about when anyone voted, the same every time the box is written, so the site can say
at which line a receipt stands.

Secrecy (issue #12) holds for the box as for every export: a secret ballot's votes carry no
elector and no region, a reporting group only when the sealed result publishes the breakdown;
who voted is not in it (only how many per group when the breakdown is published, which the
votes show anyway). The ledger names people only by account or elector number.
"""

from django.conf import settings
from django.db.models import Count, Sum

from ballots.exports import check_exportable
from ballots.kinds import method_of
from ballots.models import Ballot, Elector, LedgerEntry, Participation, ReportingGroup, Vote
from ballots.sealing import vote_payload
from ballots.tally import present as tally_present
from ledenstem_verify import box as box_format
from ledenstem_verify.rules import Base
from members.models import Region


def build(ballot: Ballot) -> dict:
    """The box as data (without the certified document: `with_document` adds it)."""
    check_exportable(ballot)
    entries = sealed_ledger(ballot)
    return {
        "format": box_format.FORMAT,
        "version": box_format.VERSION,
        "ballot": definition(ballot),
        "electorate": electorate(ballot),
        "votes": counted_votes(ballot),
        # Counted in the hall (ballots.paper), as the ledger recorded each confirmed count.
        "paper_votes": [e["payload"] for e in entries if e["kind"] == "paper_votes"],
        "ledger": entries,
        "result": ballot.final_result,
        "final_seal": ballot.final_seal,
    }


def with_document(ballot: Ballot, box: dict) -> dict:
    document = getattr(ballot, "document", None)
    if document is None:
        return box
    return {
        **box,
        box_format.AFTER_SIGNING: {
            "sha256": document.sha256,
            "signed_at": document.signed_at.isoformat(),
        },
    }


def published(ballot: Ballot) -> bytes:
    """The file members download and `export_ballot_box` writes."""
    return box_format.dump(with_document(ballot, build(ballot)))


def definition(ballot: Ballot) -> dict:
    return {
        "id": ballot.pk,
        "question": ballot.question,
        "kind": ballot.kind,
        "method": None if ballot.is_proposal else method_of(ballot),
        "input_shape": ballot.input_shape,
        "electorate": ballot.electorate,
        "secrecy": ballot.secrecy,
        "majority": ballot.majority,
        "base": ballot.base,
        "quorum_percent": None if ballot.quorum_percent is None else str(ballot.quorum_percent),
        "seats": ballot.seats,
        "max_choices": ballot.max_choices,
        "vote_splitting": ballot.vote_splitting,
        "lot_seed": ballot.lot_seed,
        "opens_at": ballot.opens_at.isoformat(),
        "closes_at": ballot.closes_at.isoformat(),
        "choices": [{"id": c.pk, "label": c.label, "role": c.role} for c in ballot.choices.all()],
    }


def electorate(ballot: Ballot) -> dict:
    totals = Elector.objects.filter(ballot=ballot).aggregate(n=Count("pk"), w=Sum("weight"))
    data = {"electors": totals["n"] or 0, "weight": totals["w"] or 0}
    if ballot.is_secret:
        present = {"present": tally_present(ballot)} if ballot.base == Base.PRESENT else {}
        return {**data, **_groups(ballot), **present}
    voted = set(Participation.objects.filter(ballot=ballot).values_list("elector_id", flat=True))
    rows = (
        Elector.objects.filter(ballot=ballot)
        .order_by("pk")
        .values_list("pk", "region_id", "weight", "present")
    )
    regions = {r for _, r, _, _ in rows}
    return {
        **data,
        "regions": {
            str(pk): name
            for pk, name in Region.objects.filter(pk__in=regions).values_list("pk", "name")
        },
        "by_elector": [
            {
                "elector": pk,
                "region": region,
                "weight": weight,
                "voted": pk in voted,
                "present": present,
            }
            for pk, region, weight, present in rows
        ],
    }


def _groups(ballot: Ballot) -> dict:
    """Secret ballots: the frozen reporting groups, and K."""
    sizes = dict(
        Elector.objects.filter(ballot=ballot, group__isnull=False)
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    weights = dict(
        Elector.objects.filter(ballot=ballot, group__isnull=False)
        .values_list("group_id")
        .annotate(w=Sum("weight"))
    )
    return {
        "group_minimum": settings.REPORTING_GROUP_MINIMUM,
        "groups": [
            {
                "id": g.pk,
                "number": g.number,
                "name": g.name,
                "electors": sizes.get(g.pk, 0),
                "weight": weights.get(g.pk, 0),
            }
            for g in ReportingGroup.objects.filter(ballot=ballot).order_by("number")
        ],
    }


def counted_votes(ballot: Ballot) -> list[dict]:
    votes = Vote.objects.filter(ballot=ballot, withdrawn=False).order_by(
        "receipt_hash", "choice_id", "pk"
    )
    return [vote_payload(vote) for vote in votes.iterator(chunk_size=5000)]


def sealed_ledger(ballot: Ballot) -> list[dict]:
    """The ledger up to and including the final seal: what the count rests on. Later
    entries (approvals, the certification) record the document, not the count."""
    final = (
        LedgerEntry.objects.filter(ballot=ballot, hash=ballot.final_seal)
        .values_list("seq", flat=True)
        .first()
    )
    entries = LedgerEntry.objects.filter(ballot=ballot, seq__lte=final or 0).order_by("seq")
    return [
        {"seq": seq, "kind": kind, "payload": payload, "prev_hash": prev, "hash": digest}
        for seq, kind, payload, prev, digest in entries.values_list(
            "seq", "kind", "payload", "prev_hash", "hash"
        ).iterator(chunk_size=5000)
    ]


def receipt_position(ballot: Ballot, digest: str) -> int | None:
    """Where the box lists the counted vote with this receipt hash (1-based), or None."""
    live = Vote.objects.filter(ballot=ballot, withdrawn=False)
    if not live.filter(receipt_hash=digest).exists():
        return None
    return live.filter(receipt_hash__lt=digest).count() + 1
