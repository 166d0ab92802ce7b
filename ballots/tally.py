"""Counting: per choice, per region (named) or reporting group (secret), turnout, outcome.

Counts are aggregate queries over the indexed vote tables (no counter row is updated on the
vote path). Only `Vote` rows count. A secret ballot has none until the count after closing
(ballots.counting): its pending votes are ciphertext, so there is no interim tally to show.

Breakdown: named ballots per region (the roll call is public anyway). Secret ballots never
per region, only per reporting group frozen at opening (ledenstem_verify.reporting_groups), and only
when every group also has at least K voters (`secret_breakdown`); otherwise none at all.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Sum

from ballots.models import Ballot, Elector, Participation, Proxy, ReportingGroup, Vote
from ballots.paper import confirmed_lines
from ledenstem_verify.reporting_groups import breakdown_allowed
from ledenstem_verify.rules import Base, Outcome, Role, Rules, Totals, decide
from members.models import Region


@dataclass
class ChoiceTotal:
    choice_id: int
    label: str
    role: str
    votes: int = 0
    weight: int = 0


@dataclass
class BallotTally:
    choices: list[ChoiceTotal]
    electorate_count: int
    electorate_weight: int
    turnout_count: int
    turnout_weight: int
    # region (named) or reporting group (secret) name -> choice label -> weight
    regions: dict[str, dict[str, int]] = field(default_factory=dict)
    # what `regions` is broken down by: "region", "group" or "" (no breakdown), and why not
    breakdown: str = ""
    breakdown_note: str = ""
    # counted in the hall (ballots.paper), already included in `choices`: choice id ->
    # (votes, weight); never in `regions`
    paper: dict[int, tuple[int, int]] = field(default_factory=dict)

    def weight_of(self, role: str) -> int:
        return sum(c.weight for c in self.choices if c.role == role)


def secret_breakdown(ballot: Ballot) -> tuple[bool, str]:
    """May the per-group tally of this secret ballot be published? Decided from the frozen
    groups and who voted (public facts), so the count and every later reader agree."""
    voters = dict(
        # Online voters: a count in the hall carries no group (and pads no group's figures).
        Participation.objects.filter(ballot=ballot, elector__group__isnull=False, on_paper=False)
        .values_list("elector__group_id")
        .annotate(n=Count("pk"))
    )
    groups = list(ReportingGroup.objects.filter(ballot=ballot).values_list("pk", flat=True))
    minimum = settings.REPORTING_GROUP_MINIMUM
    return breakdown_allowed([voters.get(pk, 0) for pk in groups], minimum)


def _breakdown_names(ballot: Ballot, keys: set) -> dict:
    if ballot.is_secret:
        return dict(ReportingGroup.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))


def tally(ballot: Ballot) -> BallotTally:
    choices = {c.pk: ChoiceTotal(c.pk, c.label, c.role) for c in ballot.choices.all()}
    key = "group_id" if ballot.is_secret else "region_id"
    per_key: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Vote.objects.filter(ballot=ballot, withdrawn=False)
        .values("choice_id", key)
        .annotate(votes=Count("pk"), weight=Sum("weight"))
    )
    for row in rows:
        total = choices[row["choice_id"]]
        total.votes += row["votes"]
        total.weight += row["weight"]
        if row[key] is not None:
            per_key[row[key]][row["choice_id"]] += row["weight"]
    paper = confirmed_lines(ballot)
    for choice_id, (votes, weight) in paper.items():
        choices[choice_id].votes += votes
        choices[choice_id].weight += weight
    electorate = Elector.objects.filter(ballot=ballot).aggregate(n=Count("pk"), w=Sum("weight"))
    turnout = Participation.objects.filter(ballot=ballot).aggregate(
        n=Count("pk"), w=Sum("elector__weight")
    )
    names = _breakdown_names(ballot, set(per_key))
    regions = {
        names[pk]: {c.label: per_key[pk].get(c.choice_id, 0) for c in choices.values()}
        for pk in sorted(per_key, key=lambda pk: names[pk])
    }
    if not ballot.is_secret:
        breakdown, note = "region", ""
    elif regions:
        breakdown, note = "group", ""
    else:
        allowed, note = secret_breakdown(ballot)
        breakdown = ""
        if allowed:  # nothing counted yet (an open ballot): no figures either
            note = "De uitslag per groep volgt na de telling."
    return BallotTally(
        choices=list(choices.values()),
        electorate_count=electorate["n"] or 0,
        electorate_weight=electorate["w"] or 0,
        turnout_count=turnout["n"] or 0,
        turnout_weight=turnout["w"] or 0,
        regions=regions,
        breakdown=breakdown,
        breakdown_note=note,
        paper=paper,
    )


def rules_of(ballot: Ballot) -> Rules:
    quorum = None if ballot.quorum_percent is None else Fraction(ballot.quorum_percent) / 100
    return Rules(majority=ballot.majority, base=ballot.base, quorum=quorum)


@dataclass(frozen=True)
class KindOutcome:
    """The outcome of a kind other than a proposal, shaped like rules.Outcome where pages
    read it (result, explanation), with the method's details (ballots.kinds.decide_kind)."""

    result: str
    explanation: str
    decision: dict


def _rankings(ballot: Ballot) -> list[tuple[list[int], int]]:
    rows = Vote.objects.filter(ballot=ballot, withdrawn=False, ranking__isnull=False)
    return [(ranking, weight) for ranking, weight in rows.values_list("ranking", "weight")]


def decision(ballot: Ballot, counted: BallotTally) -> dict:
    from ballots.kinds import decide_kind

    return decide_kind(
        ballot,
        {c.choice_id: c.label for c in counted.choices},
        {c.choice_id: c.weight for c in counted.choices},
        _rankings(ballot) if ballot.input_shape == "order" else [],
        turnout_weight=counted.turnout_weight,
        electorate_weight=counted.electorate_weight,
    )


def outcome(ballot: Ballot, counted: BallotTally) -> Outcome | KindOutcome:
    if not ballot.is_proposal:
        decided = decision(ballot, counted)
        return KindOutcome(decided["result"], decided["explanation"], decided)
    totals = Totals(
        for_weight=counted.weight_of(Role.FOR),
        against_weight=counted.weight_of(Role.AGAINST),
        abstain_weight=counted.weight_of(Role.ABSTAIN),
        electorate_weight=counted.electorate_weight,
        present_weight=present(ballot)["weight"] if ballot.base == Base.PRESENT else None,
    )
    return decide(totals, rules_of(ballot))


def present(ballot: Ballot) -> dict:
    """Who is present (the meeting's check-in, Elector.present) or represented by a proxy
    holder who is: count and weight. The verifier recomputes the same from the ledger's
    presence and proxy entries (ledenstem_verify.recount)."""
    here = set(Elector.objects.filter(ballot=ballot, present=True).values_list("pk", flat=True))
    represented = Proxy.objects.filter(ballot=ballot, revoked=False, holder_id__in=here)
    ids = here | set(represented.values_list("grantor_id", flat=True))
    found = Elector.objects.filter(pk__in=ids).aggregate(n=Count("pk"), w=Sum("weight"))
    return {"count": found["n"] or 0, "weight": found["w"] or 0}


def result_summary(ballot: Ballot) -> dict:
    """The result as plain data: what closing records in the ledger, what exports show."""
    counted = tally(ballot)
    decided = outcome(ballot, counted)
    extra = {"kind": ballot.kind}
    if isinstance(decided, KindOutcome):
        extra["decision"] = decided.decision
    return {
        **extra,
        "electorate": {"count": counted.electorate_count, "weight": counted.electorate_weight},
        "turnout": {"count": counted.turnout_count, "weight": counted.turnout_weight},
        "choices": [
            {"label": c.label, "role": c.role, "votes": c.votes, "weight": c.weight}
            for c in counted.choices
        ],
        "regions": counted.regions,
        "breakdown": {"by": counted.breakdown, "note": counted.breakdown_note},
        **({"present": present(ballot)} if ballot.base == Base.PRESENT else {}),
        **(
            {
                "paper_votes": [
                    {
                        "label": c.label,
                        "votes": counted.paper[c.choice_id][0],
                        "weight": counted.paper[c.choice_id][1],
                    }
                    for c in counted.choices
                    if c.choice_id in counted.paper
                ]
            }
            if counted.paper
            else {}
        ),
        "outcome": {"result": str(decided.result), "explanation": decided.explanation},
    }
