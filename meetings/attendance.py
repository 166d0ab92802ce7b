"""The desk: checking people in and out of a meeting.

One row per person and meeting (MeetingAttendance), changed under a row lock; every open
ballot of the meeting follows at once (meetings.sync), and a ballot that opens later takes
the attendance as it stands then.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import live, selectors, sync
from meetings.errors import NotOnRoll
from meetings.models import PRESENT, Meeting, MeetingAttendance, MeetingStatus, Presence


def set_attendance(*, meeting: Meeting, user_id: int, presence: str, by) -> MeetingAttendance:
    """Record `presence` (hall, online, absent) for a person on the meeting's roll.

    Refused: after the meeting ended; for someone not on the roll; online at a meeting in the
    hall only, or in the hall at an online meeting; present for an ambassador whose deputy
    stands in (withdraw the stand-in first) or for someone who gave a written proxy (revoke it
    first: a proxy and one's own vote never both). Locks the meeting row, so the desk's
    checks and the stand-in and proxy services see one order."""
    if presence not in Presence.values:
        raise NotOnRoll(_("Onbekende aanwezigheid."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.ENDED:
            raise NotOnRoll(_("De vergadering is afgelopen; de aanwezigheid ligt vast."))
        if not selectors.on_roll(meeting, user_id):
            raise NotOnRoll(_("Deze persoon staat niet op de presentielijst van deze vergadering."))
        if presence == Presence.ONLINE and not meeting.online_possible:
            raise NotOnRoll(_("Deze vergadering is alleen in de zaal; online aanwezig kan niet."))
        if presence == Presence.HALL and not meeting.hall_possible:
            raise NotOnRoll(_("Deze vergadering is alleen online; in de zaal kan niet."))
        present = presence in PRESENT
        if present:
            stand_in = selectors.active_stand_ins(meeting).filter(ambassador_id=user_id).first()
            if stand_in is not None:
                raise NotOnRoll(
                    _(
                        "Voor deze ambassadeur staat de plaatsvervanger %(deputy)s in; trek de "
                        "vervanging eerst in."
                    )
                    % {"deputy": stand_in.deputy.get_full_name()}
                )
            if selectors.active_paper_proxies(meeting).filter(grantor_id=user_id).exists():
                raise NotOnRoll(
                    _(
                        "Deze persoon heeft een schriftelijke volmacht gegeven; trek die eerst "
                        "in om zelf te stemmen."
                    )
                )
        row, _created = MeetingAttendance.objects.select_for_update().update_or_create(
            meeting=meeting,
            user_id=user_id,
            defaults={"presence": presence, "changed_by": by, "changed_at": timezone.now()},
        )
        sync.for_open_ballots(
            meeting, lambda ballot: sync.presence_in(ballot, user_id, present, by=by)
        )
        live.announce_attendance(meeting.pk)
    return row
