"""The chair's console: start the meeting, move through the agenda, open and close an
item's ballot (through ballots.services, exactly as the ballot workspace does), end it.

Every change is announced to the meeting's live pages after it commits (meetings.live)."""

from django.db import transaction
from django.utils.translation import gettext as _

from ballots import services as ballot_services
from ballots.models import Ballot
from meetings import live, selectors
from meetings.errors import ChairRefused
from meetings.models import AgendaItem, Meeting, MeetingStatus


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def start_meeting(*, meeting: Meeting, by) -> Meeting:
    """Planned -> in progress, at the first agenda item."""
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status != MeetingStatus.PLANNED:
            raise ChairRefused(_("Alleen een geplande vergadering kan beginnen."))
        meeting.status = MeetingStatus.IN_PROGRESS
        meeting.current_item = meeting.items.order_by("order").first()
        meeting.save(update_fields=["status", "current_item"])
        live.announce(meeting.pk)
    return meeting


def go_to_item(*, meeting: Meeting, item: AgendaItem, by) -> Meeting:
    """Make `item` the current agenda item (forward or back)."""
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise ChairRefused(_("De vergadering is niet bezig."))
        if item.meeting_id != meeting.pk:
            raise ChairRefused(_("Dit agendapunt hoort niet bij deze vergadering."))
        meeting.current_item = item
        meeting.save(update_fields=["current_item"])
        live.announce(meeting.pk)
    return meeting


def next_item(*, meeting: Meeting, by) -> Meeting:
    """The agenda item after the current one."""
    following = selectors.next_item(Meeting.objects.get(pk=meeting.pk))
    if following is None:
        raise ChairRefused(_("Dit is het laatste agendapunt."))
    return go_to_item(meeting=meeting, item=following, by=by)


def end_meeting(*, meeting: Meeting, by) -> Meeting:
    """In progress -> ended. Refused while a ballot of the meeting is still open."""
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise ChairRefused(_("De vergadering is niet bezig."))
        if selectors.open_ballots(meeting).exists():
            raise ChairRefused(_("Sluit eerst de stemmingen die nog open zijn."))
        meeting.status = MeetingStatus.ENDED
        meeting.current_item = None
        meeting.save(update_fields=["status", "current_item"])
        live.announce(meeting.pk)
    return meeting


def _ballot_of(meeting: Meeting, ballot_id: int) -> Ballot:
    ballot = selectors.meeting_ballots(meeting).filter(pk=ballot_id).first()
    if ballot is None:
        raise ChairRefused(_("Deze stemming staat niet op de agenda van deze vergadering."))
    return ballot


def open_item_ballot(*, meeting: Meeting, ballot_id: int, by) -> Ballot:
    """Open a ballot on the agenda now (ballots.services.open_ballot; the meeting's
    attendance, stand-ins and paper proxies come in inside its transaction)."""
    if Meeting.objects.get(pk=meeting.pk).status != MeetingStatus.IN_PROGRESS:
        raise ChairRefused(_("Open een stemming pas als de vergadering bezig is."))
    ballot = _ballot_of(meeting, ballot_id)
    with transaction.atomic():
        ballot = ballot_services.open_ballot(ballot, by=by)
        live.announce(meeting.pk)
    return ballot


def close_item_ballot(*, meeting: Meeting, ballot_id: int, by) -> Ballot:
    """Close a ballot on the agenda now and count it (ballots.services.close_ballot)."""
    ballot = ballot_services.close_ballot(_ballot_of(meeting, ballot_id), by=by)
    live.announce(meeting.pk)
    return ballot
