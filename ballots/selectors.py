"""Reads about ballots for pages: which ballots a user sees, what they may see of each."""

from dataclasses import dataclass

from django.db.models import Count, Q

from ballots import member_reads
from ballots.models import Ballot, BallotStatus, Elector, Participation, Proxy
from members.roles import is_board

VISIBLE_STATUSES = [
    BallotStatus.SCHEDULED,
    BallotStatus.OPEN,
    BallotStatus.CLOSED,
    BallotStatus.CERTIFIED,
]


def open_ballots_for(user) -> "list[BallotCard]":
    """Open ballots in which this user is an elector (for the home page): the ballots, the
    member's elector rows and whether they voted in one query, from the elector's side (every
    member opens the home page at an assembly; three queries cost twice the CPU)."""
    if not user.is_authenticated:
        return []
    mine = member_reads.open_ballots_of(user.pk)
    electorate, turnout = _counts([ballot for ballot, _ in mine])
    return [
        BallotCard(
            ballot=ballot,
            is_elector=True,
            voted=voted,
            turnout_count=turnout.get(ballot.pk, 0),
            electorate_count=electorate.get(ballot.pk, 0),
        )
        for ballot, voted in mine
    ]


@dataclass
class BallotCard:
    """A ballot as the list shows it: is this member an elector, did they vote, turnout."""

    ballot: Ballot
    is_elector: bool = False
    voted: bool = False
    turnout_count: int = 0
    electorate_count: int = 0

    @property
    def turnout_percent(self) -> float:
        return 100 * self.turnout_count / self.electorate_count if self.electorate_count else 0.0


def ballot_cards(ballots: list[Ballot], user) -> list[BallotCard]:
    """Two queries for this member and two aggregates for the list, whatever its length."""
    ids = [b.pk for b in ballots]
    electorate, turnout = _counts(ballots)
    mine = dict(Elector.objects.filter(ballot__in=ids, user=user).values_list("ballot", "pk"))
    voted = set(
        Participation.objects.filter(elector__in=mine.values()).values_list("ballot", flat=True)
    )
    return [
        BallotCard(
            ballot=b,
            is_elector=b.pk in mine,
            voted=b.pk in voted,
            turnout_count=turnout.get(b.pk, 0),
            electorate_count=electorate.get(b.pk, 0),
        )
        for b in ballots
    ]


def _counts(ballots: list[Ballot]) -> tuple[dict[int, int], dict[int, int]]:
    """({ballot: electors}, {ballot: voted}): an open ballot's from its live state, the rest
    (and an open one without a state) counted now, in two aggregates whatever their number."""
    electorate, turnout = _turnout_of_open(b.pk for b in ballots if b.status == BallotStatus.OPEN)
    counted_now = [b.pk for b in ballots if b.pk not in turnout]
    if counted_now:
        electorate |= dict(
            Elector.objects.filter(ballot__in=counted_now)
            .values_list("ballot")
            .annotate(n=Count("pk"))
        )
        turnout |= dict(
            Participation.objects.filter(ballot__in=counted_now)
            .values_list("ballot")
            .annotate(n=Count("pk"))
        )
    return electorate, turnout


def _turnout_of_open(ballot_ids) -> tuple[dict[int, int], dict[int, int]]:
    """({ballot: electors}, {ballot: voted}) of open ballots, from the live state: the figure
    the ballot page's live block shows, read at most once per update interval per process.
    Counting both on every home page cost a scan of the whole electorate per member at an
    assembly, when 13,000 members open the home page within a minute (issue #18)."""
    from ballots.live.snapshot import recent_state

    electorate, turnout = {}, {}
    for ballot_id in ballot_ids:
        state = recent_state(ballot_id)
        if state is not None and state.status == BallotStatus.OPEN:
            electorate[ballot_id] = state.turnout["electorate_count"]
            turnout[ballot_id] = state.turnout["count"]
    return electorate, turnout


def ballots_overview(user) -> dict[str, list[BallotCard]]:
    ballots = list(Ballot.objects.filter(status__in=VISIBLE_STATUSES).order_by("closes_at"))
    cards = ballot_cards(ballots, user) if user.is_authenticated else []
    by_status = {card.ballot.pk: card for card in cards}
    ballots = [by_status[b.pk] for b in ballots if b.pk in by_status]
    return {
        "open": [c for c in ballots if c.ballot.status == BallotStatus.OPEN],
        "upcoming": [c for c in ballots if c.ballot.status == BallotStatus.SCHEDULED],
        "closed": [
            c for c in ballots if c.ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED)
        ][::-1],
    }


def elector_of(ballot: Ballot, user) -> Elector | None:
    if not user.is_authenticated:
        return None
    # The review step of every vote asks this: the hand-written read, not the ORM's
    # compilation (issue #18).
    return member_reads.elector_with_state(ballot.pk, user.pk)


@dataclass
class VoterState:
    """What the ballot page needs of this member: their elector row (None: not an elector),
    whether it voted, and the live proxies it gave and holds."""

    elector: Elector | None
    voted: bool
    proxies: dict


def voter_state(ballot: Ballot, user) -> VoterState:
    """One query for most members (the ballot page is opened by every elector at once): the
    elector row with whether it voted and whether any live proxy touches it; the proxies
    themselves only when one does."""
    if not user.is_authenticated:
        return VoterState(None, False, proxies_of(ballot, None))
    elector = member_reads.elector_with_state(ballot.pk, user.pk)
    if elector is None:
        return VoterState(None, False, proxies_of(ballot, None))
    proxies = proxies_of(ballot, elector) if elector.has_proxies else {"given": None, "held": []}
    return VoterState(elector, elector.voted, proxies)


def may_see_tally(ballot: Ballot, user) -> bool:
    """The tally (not just turnout): the same rule as the live view (ballots.live.access)."""
    from ballots.live.access import BOARD, MEMBER, tally_visible

    if ballot.status == BallotStatus.CLOSED and not ballot.is_counted:
        return False  # mid-count the Vote table holds part of the votes: not a result
    audience = BOARD if is_board(user) else MEMBER
    return tally_visible(ballot.status, ballot.result_visibility, audience)


def proxies_of(ballot: Ballot, elector: Elector | None) -> dict:
    if elector is None:
        return {"given": None, "held": []}
    # One query for both directions: the ballot page is opened by every elector at once. The
    # names are prefetched, not joined: most electors hold and gave none, and then a prefetch
    # asks nothing, while the four-table join cost ~1 ms of CPU to compile on every page.
    live = list(
        Proxy.objects.filter(ballot=ballot, revoked=False)
        .filter(Q(grantor=elector) | Q(holder=elector))
        .prefetch_related("holder__user", "grantor__user")
        .order_by("pk")
    )
    given = next((p for p in live if p.grantor_id == elector.pk), None)
    held = [p for p in live if p.holder_id == elector.pk]
    return {"given": given, "held": held}


def consultation_for_region(ballot: Ballot, region_id: int) -> list[dict]:
    """For an ambassador: how their region voted in the member consultation(s) advising this
    ballot (counted ones only). A secret consultation has no result per region: the row is
    the reporting group the region belongs to, if that breakdown was published."""
    from ballots.models import ReportingGroup
    from members.models import Region

    region_name = Region.objects.filter(pk=region_id).values_list("name", flat=True).first()
    results = []
    for consultation in ballot.consultations.filter(
        status__in=[BallotStatus.CLOSED, BallotStatus.CERTIFIED], final_result__isnull=False
    ):
        regions = consultation.final_result.get("regions", {})
        name = region_name
        if consultation.is_secret:
            group = ReportingGroup.objects.filter(ballot=consultation, regions=region_id).first()
            name = group.name if group else None
        counts = regions.get(name)
        total = sum(counts.values()) if counts else 0
        results.append(
            {
                "ballot": consultation,
                "region": counts,
                "region_name": name,
                # (label, votes, share of all votes cast there, abstentions included): the
                # same base as every other percentage (ballots.results_page)
                "rows": [
                    (label, n, 100 * n / total if total else 0.0) for label, n in counts.items()
                ]
                if counts
                else [],
                "group": name != region_name,
                "group_name": name,
            }
        )
    return results
