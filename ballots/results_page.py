"""What the results page shows, as plain data: one definition of every figure.

Issue #16, item 3: the page showed "Opkomst: 91 van 306" (electors who took part) next to an
outcome sentence with "opkomst 21,2%" (cast *weight* over electorate weight), and choice
percentages over all votes cast under an outcome computed over the valid votes. Here:

- turnout is always "who took part" (Participation), as a share of the electorate; on a
  weighted ballot the headline is the share of the electorate's *weight* (what the quorum
  uses), with the head count beside it; every figure says what it counts;
- a choice's percentage is always its share of everything cast (weight on weighted ballots,
  votes otherwise), abstentions included: the same as the live block (ballots/views_live.py);
  the outcome sentence states its own base in words;
- while a ballot is open there is no outcome at all, only a "voorlopige stand".
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum

from ballots.models import Ballot, BallotStatus, Elector, Participation, Vote
from ballots.tally import BallotTally


def percent(part: int | None, whole: int | None) -> float:
    """part / whole in percent (0 for an empty whole); templates print it with one decimal."""
    return 100 * (part or 0) / whole if whole else 0.0


@dataclass
class ChoiceRow:
    label: str
    role: str
    votes: int
    weight: int
    percent: float


@dataclass
class BreakdownRow:
    name: str
    electorate: int
    voted: int
    turnout: float
    # (choice label, weight, percent of this row's cast weight), in choice order
    choices: list[tuple[str, int, float]] = field(default_factory=list)


def choice_rows(ballot: Ballot, counted: BallotTally) -> list[ChoiceRow]:
    key = "weight" if ballot.is_weighted else "votes"
    total = sum(getattr(c, key) for c in counted.choices)
    return [
        ChoiceRow(c.label, c.role, c.votes, c.weight, percent(getattr(c, key), total))
        for c in counted.choices
    ]


def turnout(counted: BallotTally) -> dict:
    return {
        "count": counted.turnout_count,
        "electorate": counted.electorate_count,
        "percent": percent(counted.turnout_count, counted.electorate_count),
        "weight": counted.turnout_weight,
        "electorate_weight": counted.electorate_weight,
        "weight_percent": percent(counted.turnout_weight, counted.electorate_weight),
    }


def breakdown_rows(ballot: Ballot, counted: BallotTally) -> list[BreakdownRow]:
    """Turnout and the choices per region (named) or per reporting group (secret, only when
    the tally publishes that breakdown). Without a published breakdown: no rows."""
    if not counted.breakdown:
        return []
    key = "group__name" if counted.breakdown == "group" else "region__name"
    voted = Participation.objects.filter(ballot=ballot, elector=OuterRef("pk"))
    rows = (
        Elector.objects.filter(ballot=ballot)
        .annotate(has_voted=Exists(voted))
        .values(key)
        .annotate(electors=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
        .order_by(key)
    )
    result = []
    for row in rows:
        name = row[key]
        weights = counted.regions.get(name, {})
        cast = sum(weights.values())
        result.append(
            BreakdownRow(
                name=name,
                electorate=row["electors"],
                voted=row["voted"],
                turnout=percent(row["voted"], row["electors"]),
                choices=[(label, w, percent(w, cast)) for label, w in weights.items()],
            )
        )
    return result


def non_voters(ballot: Ballot) -> list[dict]:
    """Named ballots after closing: the electors who did not take part (the proces-verbaal
    lists them too). Never for a secret ballot: who voted is known there, but the page keeps
    to what the document publishes."""
    if ballot.is_secret or ballot.status not in (BallotStatus.CLOSED, BallotStatus.CERTIFIED):
        return []
    voted = Participation.objects.filter(ballot=ballot).values("elector_id")
    return [
        {"region": e.region.name, "name": e.user.get_full_name(), "weight": e.weight}
        for e in Elector.objects.filter(ballot=ballot)
        .exclude(pk__in=voted)
        .select_related("user", "region")
        .order_by("region__name", "user__full_name")
    ]


def own_vote(ballot: Ballot, user) -> list[tuple[str, int]]:
    """Named ballots: what this member voted, [(choice, weight)] (several when split).
    A secret ballot has no link from a member to a vote, so never anything there."""
    if ballot.is_secret or not user.is_authenticated:
        return []
    rows = (
        Vote.objects.filter(ballot=ballot, withdrawn=False, elector__user=user)
        .values("choice__label", "choice__order")
        .annotate(weight=Sum("weight"))
        .order_by("choice__order")
    )
    return [(r["choice__label"], r["weight"]) for r in rows]


def one_elector_per_region(ballot: Ballot) -> bool:
    """An ambassador ballot: the roll call already is the result per region, so the page
    shows it once (issue #16, item 4: the region table repeated it)."""
    return not (
        Elector.objects.filter(ballot=ballot)
        .values("region_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


def paper_rows(counted) -> list[dict]:
    """The votes counted in the hall (ballots.paper), per choice, shown apart."""
    return [
        {
            "label": c.label,
            "votes": counted.paper[c.choice_id][0],
            "weight": counted.paper[c.choice_id][1],
        }
        for c in counted.choices
        if c.choice_id in counted.paper
    ]
