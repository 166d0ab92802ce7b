"""Counting: per choice, per region, turnout, and the outcome by ballots.rules.

Counts are aggregate queries over the indexed vote tables (no counter row is updated on the
vote path). Only `Vote` rows count: a secret vote waiting in PendingVote joins the tally when
the mixer moves it (in shuffled batches of at least MIN_MIX_BATCH while the ballot is open;
all of them at closing, before the result is recorded). Counting pending votes would show
each vote the moment it is cast, which a secret ballot must not.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Sum

from ballots.models import Ballot, Elector, Participation, Vote
from ballots.rules import Outcome, Role, Rules, Totals, decide
from members.models import Region

SMALL_REGION = 5  # secret ballots: regions with fewer votes are merged into "overig"
OTHER = "Overig"


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
    # region name -> choice label -> weight; secret ballots merge small regions into "Overig"
    regions: dict[str, dict[str, int]] = field(default_factory=dict)

    def weight_of(self, role: str) -> int:
        return sum(c.weight for c in self.choices if c.role == role)


def _rows(ballot: Ballot):
    return (
        Vote.objects.filter(ballot=ballot, withdrawn=False)
        .values("choice_id", "region_id")
        .annotate(votes=Count("pk"), weight=Sum("weight"))
    )


def tally(ballot: Ballot) -> BallotTally:
    choices = {c.pk: ChoiceTotal(c.pk, c.label, c.role) for c in ballot.choices.all()}
    per_region: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    votes_per_region: dict[int, int] = defaultdict(int)
    for row in _rows(ballot):
        total = choices[row["choice_id"]]
        total.votes += row["votes"]
        total.weight += row["weight"]
        per_region[row["region_id"]][row["choice_id"]] += row["weight"]
        votes_per_region[row["region_id"]] += row["votes"]
    electorate = Elector.objects.filter(ballot=ballot).aggregate(n=Count("pk"), w=Sum("weight"))
    turnout = Participation.objects.filter(ballot=ballot).aggregate(
        n=Count("pk"), w=Sum("elector__weight")
    )
    names = dict(Region.objects.filter(pk__in=per_region).values_list("pk", "name"))
    regions: dict[str, dict[str, int]] = {}
    for region_id in sorted(per_region, key=lambda pk: names[pk]):
        small = ballot.is_secret and votes_per_region[region_id] < SMALL_REGION
        name = OTHER if small else names[region_id]
        bucket = regions.setdefault(name, {c.label: 0 for c in choices.values()})
        for choice_id, weight in per_region[region_id].items():
            bucket[choices[choice_id].label] += weight
    if OTHER in regions:
        regions[OTHER] = regions.pop(OTHER)  # "Overig" last
    return BallotTally(
        choices=list(choices.values()),
        electorate_count=electorate["n"] or 0,
        electorate_weight=electorate["w"] or 0,
        turnout_count=turnout["n"] or 0,
        turnout_weight=turnout["w"] or 0,
        regions=regions,
    )


def rules_of(ballot: Ballot) -> Rules:
    quorum = None if ballot.quorum_percent is None else Fraction(ballot.quorum_percent) / 100
    return Rules(majority=ballot.majority, base=ballot.base, quorum=quorum)


def outcome(ballot: Ballot, counted: BallotTally) -> Outcome:
    totals = Totals(
        for_weight=counted.weight_of(Role.FOR),
        against_weight=counted.weight_of(Role.AGAINST),
        abstain_weight=counted.weight_of(Role.ABSTAIN),
        electorate_weight=counted.electorate_weight,
    )
    return decide(totals, rules_of(ballot))


def result_summary(ballot: Ballot) -> dict:
    """The result as plain data: what closing records in the ledger, what exports show."""
    counted = tally(ballot)
    decided = outcome(ballot, counted)
    return {
        "electorate": {"count": counted.electorate_count, "weight": counted.electorate_weight},
        "turnout": {"count": counted.turnout_count, "weight": counted.turnout_weight},
        "choices": [
            {"label": c.label, "role": c.role, "votes": c.votes, "weight": c.weight}
            for c in counted.choices
        ],
        "regions": counted.regions,
        "outcome": {"result": str(decided.result), "explanation": decided.explanation},
    }
