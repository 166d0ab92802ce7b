"""Reads about ballots for pages: which ballots a user sees, what they may see of each."""

from ballots.models import Ballot, BallotStatus, Elector, Participation, Proxy
from members.roles import is_board

VISIBLE_STATUSES = [
    BallotStatus.SCHEDULED,
    BallotStatus.OPEN,
    BallotStatus.CLOSED,
    BallotStatus.CERTIFIED,
]


def open_ballots_for(user) -> list[Ballot]:
    """Open ballots in which this user is an elector (for the home page)."""
    if not user.is_authenticated:
        return []
    return list(
        Ballot.objects.filter(status=BallotStatus.OPEN, electors__user=user).order_by("closes_at")
    )


def ballots_overview(user) -> dict[str, list[Ballot]]:
    ballots = Ballot.objects.filter(status__in=VISIBLE_STATUSES).order_by("closes_at")
    return {
        "open": [b for b in ballots if b.status == BallotStatus.OPEN],
        "upcoming": [b for b in ballots if b.status == BallotStatus.SCHEDULED],
        "closed": [b for b in ballots if b.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED)][
            ::-1
        ],
    }


def elector_of(ballot: Ballot, user) -> Elector | None:
    if not user.is_authenticated:
        return None
    return Elector.objects.filter(ballot=ballot, user=user).select_related("region").first()


def has_voted(ballot: Ballot, elector: Elector | None) -> bool:
    return (
        elector is not None
        and Participation.objects.filter(ballot=ballot, elector=elector).exists()
    )


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
    given = (
        Proxy.objects.filter(ballot=ballot, grantor=elector, revoked=False)
        .select_related("holder__user")
        .first()
    )
    held = list(
        Proxy.objects.filter(ballot=ballot, holder=elector, revoked=False).select_related(
            "grantor__user"
        )
    )
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
        results.append(
            {
                "ballot": consultation,
                "region": regions.get(name),
                "group": name != region_name,
                "group_name": name,
            }
        )
    return results
