"""Reads for meetings: who is on a meeting's roll, the desk's search, counts per region.

The roll of a members' meeting is every active member; of an ambassadors' meeting every
ambassador and deputy with a mandate in force today (deputies attend; they vote only when
standing in for their ambassador, meetings.standins).
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from ballots.models import Ballot, BallotStatus
from meetings.models import (
    PRESENT,
    AgendaItem,
    Meeting,
    MeetingAttendance,
    PaperProxy,
    Presence,
    StandIn,
)
from members.models import Mandate, Membership, MembershipStatus

SEARCH_LIMIT = 25


@dataclass(frozen=True)
class RollEntry:
    user_id: int
    name: str
    membership_number: str
    region_id: int
    region_name: str
    is_deputy: bool
    presence: str  # Presence value; absent when no attendance row


def _roll_rows(meeting: Meeting) -> QuerySet:
    """Membership rows (members' meeting) or mandate rows (ambassadors' meeting)."""
    if meeting.is_ambassadors:
        return Mandate.objects.current().filter(user__is_active=True)
    return Membership.objects.filter(status=MembershipStatus.ACTIVE, user__is_active=True)


def on_roll(meeting: Meeting, user_id: int) -> bool:
    return _roll_rows(meeting).filter(user_id=user_id).exists()


def may_vote_at(meeting: Meeting, user_id: int) -> bool:
    """On the roll as a voter: any active member, or an ambassador (not a deputy)."""
    rows = _roll_rows(meeting).filter(user_id=user_id)
    if meeting.is_ambassadors:
        rows = rows.filter(is_deputy=False)
    return rows.exists()


def _presence_of(meeting: Meeting):
    return Subquery(
        MeetingAttendance.objects.filter(meeting=meeting, user_id=OuterRef("user_id")).values(
            "presence"
        )[:1]
    )


def search_roll(meeting: Meeting, query: str, *, limit: int = SEARCH_LIMIT) -> list[RollEntry]:
    """The desk's search: an exact membership number first, then names containing the query
    (case-insensitive), at most `limit` people."""
    query = query.strip()
    if not query:
        return []
    rows = _roll_rows(meeting).select_related("user", "region")
    number = (
        "membership_number" if not meeting.is_ambassadors else "user__membership__membership_number"
    )
    rows = rows.filter(Q(**{f"{number}__iexact": query}) | Q(user__full_name__icontains=query))
    rows = rows.annotate(presence=_presence_of(meeting)).order_by("user__full_name", "pk")
    return [_entry(meeting, row) for row in rows[:limit]]


def roll_entry(meeting: Meeting, user_id: int) -> RollEntry | None:
    row = (
        _roll_rows(meeting)
        .filter(user_id=user_id)
        .select_related("user", "region")
        .annotate(presence=_presence_of(meeting))
        .order_by("is_deputy" if meeting.is_ambassadors else "pk")
        .first()
    )
    return _entry(meeting, row) if row is not None else None


def _entry(meeting: Meeting, row) -> RollEntry:
    if meeting.is_ambassadors:
        membership = getattr(row.user, "membership", None)
        number = membership.membership_number if membership else ""
        deputy = row.is_deputy
    else:
        number, deputy = row.membership_number, False
    return RollEntry(
        user_id=row.user_id,
        name=row.user.get_full_name(),
        membership_number=number,
        region_id=row.region_id,
        region_name=row.region.name,
        is_deputy=deputy,
        presence=row.presence or Presence.ABSENT,
    )


@dataclass(frozen=True)
class RegionCount:
    name: str
    total: int
    hall: int
    online: int

    @property
    def present(self) -> int:
        return self.hall + self.online

    @property
    def absent(self) -> int:
        return self.total - self.present


def counts_by_region(meeting: Meeting) -> list[RegionCount]:
    """Per region of the roll: how many in the hall, online, absent (one aggregate query)."""
    rows = (
        _roll_rows(meeting)
        .annotate(presence=_presence_of(meeting))
        .values("region__name")
        .annotate(
            total=Count("pk"),
            hall=Count("pk", filter=Q(presence=Presence.HALL)),
            online=Count("pk", filter=Q(presence=Presence.ONLINE)),
        )
        .order_by("region__name")
    )
    return [RegionCount(r["region__name"], r["total"], r["hall"], r["online"]) for r in rows]


def totals(counts: list[RegionCount]) -> RegionCount:
    return RegionCount(
        "",
        sum(c.total for c in counts),
        sum(c.hall for c in counts),
        sum(c.online for c in counts),
    )


def present_user_ids(meeting: Meeting) -> set[int]:
    return set(
        MeetingAttendance.objects.filter(meeting=meeting, presence__in=PRESENT).values_list(
            "user_id", flat=True
        )
    )


def presence_of(meeting: Meeting, user_id: int) -> str:
    """Hall, online or absent (no row)."""
    row = MeetingAttendance.objects.filter(meeting=meeting, user_id=user_id).first()
    return row.presence if row else Presence.ABSENT


def is_present(meeting: Meeting, user_id: int) -> bool:
    return MeetingAttendance.objects.filter(
        meeting=meeting, user_id=user_id, presence__in=PRESENT
    ).exists()


def meeting_ballots(meeting: Meeting, *, statuses=None) -> QuerySet:
    ballots = Ballot.objects.filter(agenda_link__item__meeting=meeting)
    if statuses is not None:
        ballots = ballots.filter(status__in=statuses)
    return ballots.order_by("agenda_link__item__order", "agenda_link__order", "pk")


def open_ballots(meeting: Meeting) -> QuerySet:
    return meeting_ballots(meeting, statuses=[BallotStatus.OPEN])


def active_stand_ins(meeting: Meeting) -> QuerySet:
    return StandIn.objects.filter(meeting=meeting, withdrawn_at__isnull=True)


def active_paper_proxies(meeting: Meeting) -> QuerySet:
    return PaperProxy.objects.filter(meeting=meeting, revoked_at__isnull=True)


def agenda(meeting: Meeting) -> QuerySet:
    return meeting.items.prefetch_related("questions", "papers", "ballot_links__ballot").order_by(
        "order"
    )


def next_item(meeting: Meeting) -> AgendaItem | None:
    items = meeting.items.order_by("order")
    if meeting.current_item_id is None:
        return items.first()
    current = meeting.current_item
    return items.filter(order__gt=current.order).first()


def visible_meetings(user) -> QuerySet:
    """Every logged-in member follows every meeting (the ambassadors' assembly too: members
    hold their ambassador to account)."""
    return Meeting.objects.all()
