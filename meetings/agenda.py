"""Preparing a meeting: its details and its agenda (items, their links, their ballots).

The board does this in its own pages (meetings.views_agenda), never in the Django admin.
Every write locks the meeting row first (select_for_update), so the chair's console, the
desk and two board members editing at once see one order of changes. The rules:

- an ended meeting is not changed at all;
- only a planned meeting (not started) may change its date and time or its kind;
- the kind may only change while no ballot is on the agenda (a ballot's electorate must
  match the meeting: members' meeting - electorate "members", ambassadors' - "ambassadors");
- the form (in the hall, online, hybrid) may not change so that someone already recorded as
  present is present in a way the meeting no longer has (the attendance the ballots count
  would be one the desk could no longer record);
- a ballot is attached only while it is a draft or scheduled, of the matching electorate,
  and on no agenda item yet (the database says the last once more: one link per ballot);
  it is detached only while still a draft or scheduled;
- an item is deleted only while no started ballot (open, closed, certified) is on it and it
  is not the current item; the remaining items are numbered 1, 2, 3, ... again.

While the meeting is in progress, a change is announced to its live pages after the commit
(meetings.live), like the chair's moves.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from ballots.models import Ballot, BallotStatus, ElectorateKind
from meetings import live
from meetings.errors import AgendaRefused
from meetings.models import (
    AgendaBallot,
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    Presence,
)

# A ballot may be put on (or taken off) the agenda only before it opens.
NOT_STARTED = (BallotStatus.DRAFT, BallotStatus.SCHEDULED)
ELECTORATE_OF = {
    MeetingKind.MEMBERS: ElectorateKind.MEMBERS,
    MeetingKind.AMBASSADORS: ElectorateKind.AMBASSADORS,
}
UP, DOWN = "up", "down"


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _refuse_if_ended(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.ENDED:
        raise AgendaRefused(_("De vergadering is afgelopen; de gegevens en de agenda liggen vast."))


def _announce(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.IN_PROGRESS:
        live.announce(meeting.pk)


def _check_details(*, kind: str, mode: str, max_proxies_held: int) -> None:
    if kind not in MeetingKind.values:
        raise AgendaRefused(_("Onbekende soort vergadering."))
    if mode not in MeetingMode.values:
        raise AgendaRefused(_("Onbekende vorm van de vergadering."))
    if max_proxies_held < 1:
        raise AgendaRefused(_("Iemand moet ten minste één schriftelijke volmacht kunnen houden."))


def _same_minute(a, b) -> bool:
    """The form shows minutes only: a stored time with seconds comes back truncated."""
    b = b.astimezone(a.tzinfo)
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


# --- the meeting ----------------------------------------------------------------------------


def create_meeting(
    *,
    kind: str,
    title: str,
    starts_at,
    place: str,
    mode: str,
    max_proxies_held: int,
    by,
) -> Meeting:
    """A new planned meeting with an empty agenda, recorded as made by `by`."""
    _check_details(kind=kind, mode=mode, max_proxies_held=max_proxies_held)
    return Meeting.objects.create(
        kind=kind,
        title=title,
        starts_at=starts_at,
        place=place,
        mode=mode,
        max_proxies_held=max_proxies_held,
        created_by=by,
    )


def update_meeting(
    *,
    meeting: Meeting,
    kind: str,
    title: str,
    starts_at,
    place: str,
    mode: str,
    max_proxies_held: int,
    by,
) -> Meeting:
    """Change a meeting's details. Refused (nothing changed) when it ended; when it has
    started and the date or kind would change; when the kind would change while ballots are
    on its agenda; when the form would change so that someone recorded as present could no
    longer be (online at a meeting in the hall only, or the reverse). Locks the meeting row."""
    _check_details(kind=kind, mode=mode, max_proxies_held=max_proxies_held)
    with transaction.atomic():
        meeting = _locked(meeting)
        _refuse_if_ended(meeting)
        if _same_minute(starts_at, meeting.starts_at):
            starts_at = meeting.starts_at  # the form shows minutes: no change meant
        date_or_kind_changes = starts_at != meeting.starts_at or kind != meeting.kind
        if date_or_kind_changes and meeting.status != MeetingStatus.PLANNED:
            raise AgendaRefused(
                _(
                    "De vergadering is begonnen: de datum, de tijd en de soort liggen vast. "
                    "De andere gegevens kunt u nog wijzigen."
                )
            )
        if kind != meeting.kind and AgendaBallot.objects.filter(item__meeting=meeting).exists():
            raise AgendaRefused(
                _(
                    "Er staan stemmingen op de agenda. Haal die eerst van de agenda af voordat "
                    "u de soort vergadering wijzigt."
                )
            )
        if mode != meeting.mode:
            _refuse_stranding_attendance(meeting, mode)
        meeting.kind = kind
        meeting.title = title
        meeting.starts_at = starts_at
        meeting.place = place
        meeting.mode = mode
        meeting.max_proxies_held = max_proxies_held
        meeting.save(
            update_fields=["kind", "title", "starts_at", "place", "mode", "max_proxies_held"]
        )
        _announce(meeting)
    return meeting


def _refuse_stranding_attendance(meeting: Meeting, mode: str) -> None:
    new_form = Meeting(mode=mode)
    present = meeting.attendance.filter
    if not new_form.hall_possible and present(presence=Presence.HALL).exists():
        raise AgendaRefused(
            _(
                "Er zijn al aanwezigen in de zaal gemeld: de vergadering kan niet meer alleen "
                "online worden. Kies hybride, of meld hen eerst af."
            )
        )
    if not new_form.online_possible and present(presence=Presence.ONLINE).exists():
        raise AgendaRefused(
            _(
                "Er zijn al aanwezigen online gemeld: de vergadering kan niet meer alleen in "
                "de zaal worden. Kies hybride, of meld hen eerst af."
            )
        )


# --- agenda items ---------------------------------------------------------------------------


def add_item(
    *, meeting: Meeting, title: str, text: str, questions: Iterable, papers: Iterable, by
) -> AgendaItem:
    """A new item at the end of the agenda. Refused when the meeting ended. Locks the
    meeting row, so two items added at once get different numbers."""
    with transaction.atomic():
        meeting = _locked(meeting)
        _refuse_if_ended(meeting)
        last = meeting.items.aggregate(last=Max("order"))["last"] or 0
        item = AgendaItem.objects.create(meeting=meeting, order=last + 1, title=title, text=text)
        item.questions.set(questions)
        item.papers.set(papers)
        _announce(meeting)
    return item


def update_item(
    *, item: AgendaItem, title: str, text: str, questions: Iterable, papers: Iterable, by
) -> AgendaItem:
    """Change an item's title, text and links. Refused when the meeting ended."""
    with transaction.atomic():
        meeting = _locked(item.meeting)
        _refuse_if_ended(meeting)
        item = meeting.items.select_for_update().get(pk=item.pk)
        item.title = title
        item.text = text
        item.save(update_fields=["title", "text"])
        item.questions.set(questions)
        item.papers.set(papers)
        _announce(meeting)
    return item


def move_item(*, item: AgendaItem, direction: str, by) -> AgendaItem:
    """Swap an item with the one above (UP) or below (DOWN) it. Refused when the meeting
    ended or the item is already first (last). Locks the meeting row."""
    if direction not in (UP, DOWN):
        raise AgendaRefused(_("Onbekende richting."))
    with transaction.atomic():
        meeting = _locked(item.meeting)
        _refuse_if_ended(meeting)
        item = meeting.items.get(pk=item.pk)
        items = meeting.items
        if direction == UP:
            other = items.filter(order__lt=item.order).order_by("-order").first()
        else:
            other = items.filter(order__gt=item.order).order_by("order").first()
        if other is None:
            if direction == UP:
                raise AgendaRefused(_("Dit agendapunt staat al bovenaan."))
            raise AgendaRefused(_("Dit agendapunt staat al onderaan."))
        # (meeting, order) is unique: park the item on a free number, then swap.
        mine, theirs = item.order, other.order
        parked = (items.aggregate(last=Max("order"))["last"] or 0) + 1
        AgendaItem.objects.filter(pk=item.pk).update(order=parked)
        AgendaItem.objects.filter(pk=other.pk).update(order=mine)
        AgendaItem.objects.filter(pk=item.pk).update(order=theirs)
        item.order = theirs
        _announce(meeting)
    return item


def delete_item(*, item: AgendaItem, by) -> None:
    """Delete an item; its draft and scheduled ballots stay (in the ballot workspace), off
    the agenda. Refused when the meeting ended, when the item is the current one, or when a
    ballot on it has opened. The items after it move up one. Locks the meeting row."""
    with transaction.atomic():
        meeting = _locked(item.meeting)
        _refuse_if_ended(meeting)
        item = meeting.items.get(pk=item.pk)
        if meeting.current_item_id == item.pk:
            raise AgendaRefused(_("Dit is het huidige agendapunt; ga eerst naar een ander punt."))
        if item.ballot_links.exclude(ballot__status__in=NOT_STARTED).exists():
            raise AgendaRefused(
                _(
                    "Op dit agendapunt is al gestemd of wordt gestemd; het kan niet meer "
                    "verwijderd worden."
                )
            )
        item.ballot_links.all().delete()
        item.delete()
        # Close the gap; ascending, so each number taken is already free.
        for number, following in enumerate(meeting.items.order_by("order"), start=1):
            if following.order != number:
                AgendaItem.objects.filter(pk=following.pk).update(order=number)
        _announce(meeting)


# --- ballots on an item ---------------------------------------------------------------------


def attachable_ballots(meeting: Meeting) -> QuerySet:
    """Ballots that may go on this meeting's agenda: drafts and scheduled ballots of the
    matching electorate that are on no agenda item yet (the rule attach_ballot enforces)."""
    return Ballot.objects.filter(
        status__in=NOT_STARTED,
        electorate=ELECTORATE_OF[MeetingKind(meeting.kind)],
        agenda_link__isnull=True,
    ).order_by("opens_at", "pk")


def attach_ballot(*, item: AgendaItem, ballot: Ballot, by) -> AgendaBallot:
    """Put a ballot on an item, after the item's other ballots. Refused when the meeting
    ended, or the ballot is not attachable (attachable_ballots). Locks the meeting and the
    ballot rows, so the ballot cannot open or go on another item meanwhile."""
    with transaction.atomic():
        meeting = _locked(item.meeting)
        _refuse_if_ended(meeting)
        item = meeting.items.get(pk=item.pk)
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status not in NOT_STARTED:
            raise AgendaRefused(_("Alleen een concept of een geplande stemming kan op de agenda."))
        if ballot.electorate != ELECTORATE_OF[MeetingKind(meeting.kind)]:
            if meeting.is_ambassadors:
                raise AgendaRefused(
                    _("Op een ambassadeursvergadering horen alleen stemmingen van ambassadeurs.")
                )
            raise AgendaRefused(
                _("Op een algemene ledenvergadering horen alleen stemmingen van de leden.")
            )
        if AgendaBallot.objects.filter(ballot=ballot).exists():
            raise AgendaRefused(_("Deze stemming staat al op een agenda."))
        try:
            with transaction.atomic():
                link = AgendaBallot.objects.create(
                    item=item, ballot=ballot, order=item.ballot_links.count()
                )
        except IntegrityError as taken:
            raise AgendaRefused(_("Deze stemming staat al op een agenda.")) from taken
        _announce(meeting)
    return link


def detach_ballot(*, item: AgendaItem, ballot: Ballot, by) -> None:
    """Take a ballot off an item; the ballot itself stays. Refused when the meeting ended,
    the ballot is not on this item, or it has opened. Locks the meeting and ballot rows."""
    with transaction.atomic():
        meeting = _locked(item.meeting)
        _refuse_if_ended(meeting)
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        link = AgendaBallot.objects.filter(item_id=item.pk, ballot=ballot).first()
        if link is None:
            raise AgendaRefused(_("Deze stemming staat niet bij dit agendapunt."))
        if ballot.status not in NOT_STARTED:
            raise AgendaRefused(_("Deze stemming is al geopend; zij blijft bij dit agendapunt."))
        link.delete()
        _announce(meeting)
