"""Stand-ins: a region's deputy stands in for its absent ambassador at one meeting.

The weight passes for that meeting's weighted ballots, recorded with who approved it, and
never counts twice: the seat is one Elector row that moves to the deputy (meetings.sync), so
whoever of the two votes first uses the seat and the other is no elector or finds it voted.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import live, selectors, sync
from meetings.errors import StandInRefused
from meetings.models import Meeting, MeetingStatus, StandIn
from members.models import Mandate


def approve_stand_in(*, meeting: Meeting, ambassador, deputy, by) -> tuple[StandIn, list]:
    """The board approves that `deputy` stands in for `ambassador` at `meeting`.

    Refused unless: an ambassadors' meeting that has not ended; `ambassador` holds an
    ambassador's mandate in force and `deputy` a deputy's mandate for the same region; the
    ambassador is not checked in and gave no written proxy; neither already has a stand-in
    (also a database constraint). Open ballots follow at once under their gates; a ballot in
    which the ambassador already voted or holds a proxy keeps the ambassador's seat, returned
    as (ballot, reason). Locks the meeting row."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not meeting.is_ambassadors:
            raise StandInRefused(_("Vervanging bestaat alleen in een ambassadeursvergadering."))
        if meeting.status == MeetingStatus.ENDED:
            raise StandInRefused(_("De vergadering is afgelopen."))
        mandate = Mandate.objects.current().filter(user=ambassador, is_deputy=False).first()
        if mandate is None:
            raise StandInRefused(_("Deze persoon is geen ambassadeur met een geldig mandaat."))
        if not (
            Mandate.objects.current()
            .filter(user=deputy, is_deputy=True, region_id=mandate.region_id)
            .exists()
        ):
            raise StandInRefused(
                _("%(name)s is geen plaatsvervanger van de regio %(region)s.")
                % {"name": deputy.get_full_name(), "region": mandate.region.name}
            )
        if selectors.is_present(meeting, ambassador.pk):
            raise StandInRefused(
                _("De ambassadeur is aangemeld als aanwezig en stemt zelf; meld eerst af.")
            )
        if selectors.active_paper_proxies(meeting).filter(grantor=ambassador).exists():
            raise StandInRefused(
                _("De ambassadeur heeft een schriftelijke volmacht gegeven; trek die eerst in.")
            )
        if selectors.active_stand_ins(meeting).filter(ambassador=ambassador).exists():
            raise StandInRefused(_("Voor deze ambassadeur staat al iemand in."))
        if selectors.active_stand_ins(meeting).filter(deputy=deputy).exists():
            raise StandInRefused(_("Deze plaatsvervanger staat al voor iemand in."))
        try:
            with transaction.atomic():
                stand_in = StandIn.objects.create(
                    meeting=meeting,
                    region_id=mandate.region_id,
                    ambassador=ambassador,
                    deputy=deputy,
                    approved_by=by,
                    approved_at=timezone.now(),
                )
        except IntegrityError:
            raise StandInRefused(_("Voor deze ambassadeur staat al iemand in.")) from None
        refused = sync.for_open_ballots(
            meeting, lambda ballot: sync.move_seat(ballot, stand_in, to_deputy=True, by=by)
        )
        live.announce_attendance(meeting.pk)
    return stand_in, refused


def withdraw_stand_in(*, stand_in: StandIn, by) -> tuple[StandIn, list]:
    """End a stand-in: the seat goes back to the ambassador in open ballots where the deputy
    has not voted (a vote the deputy cast stays: the seat voted once). Locks the meeting."""
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=stand_in.meeting_id)
        stand_in = StandIn.objects.select_for_update().get(pk=stand_in.pk)
        if stand_in.withdrawn_at is not None:
            raise StandInRefused(_("Deze vervanging is al ingetrokken."))
        stand_in.withdrawn_at = timezone.now()
        stand_in.withdrawn_by = by
        stand_in.save(update_fields=["withdrawn_at", "withdrawn_by"])
        refused = sync.for_open_ballots(
            stand_in.meeting,
            lambda ballot: sync.move_seat(ballot, stand_in, to_deputy=False, by=by),
        )
        live.announce_attendance(stand_in.meeting_id)
    return stand_in, refused
