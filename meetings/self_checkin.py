"""QR self check-in for a meeting: the hall's screen shows a code that members scan to
record themselves as present in the hall.

The code's link carries a token that rotates every WINDOW_SECONDS: an HMAC (with the
site's SECRET_KEY) of the meeting id and the current time window. A token of the current
or the previous window is accepted, so a code scanned just before it changed still works,
and a photo forwarded to someone at home stops working within two windows. The check-in
itself goes through meetings.attendance.set_attendance (its rules: on the roll, the meeting
not ended, in the hall possible, no stand-in or paper proxy in the way), recorded as changed
by the member themselves.
"""

import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from meetings import attendance, selectors
from meetings.errors import SelfCheckInRefused
from meetings.models import Meeting, MeetingAttendance, MeetingStatus, Presence

WINDOW_SECONDS = 60
_SALT = "ledenstem.meetings.self_checkin"
TOKEN_LENGTH = 32  # hex characters: 128 bits of the HMAC


def now() -> float:
    """The time source (seconds since the epoch); tests replace it to freeze time."""
    return time.time()


def _window(at: float) -> int:
    return int(at // WINDOW_SECONDS)


def _token(meeting_id: int, window: int) -> str:
    mac = salted_hmac(
        _SALT, f"{meeting_id}:{window}", secret=settings.SECRET_KEY, algorithm="sha256"
    )
    return mac.hexdigest()[:TOKEN_LENGTH]


def current_token(meeting_id: int) -> str:
    return _token(meeting_id, _window(now()))


def seconds_left() -> int:
    """Until the current token is replaced (the display reloads then)."""
    return WINDOW_SECONDS - int(now() % WINDOW_SECONDS)


def token_is_valid(meeting_id: int, token: str) -> bool:
    """The token of this meeting for the current or the previous window."""
    window = _window(now())
    return any(constant_time_compare(token, _token(meeting_id, w)) for w in (window, window - 1))


def check_in_self(*, meeting: Meeting, user, token: str) -> MeetingAttendance:
    """Record `user` as present in the hall, by themselves. Refused (nothing changed) for an
    expired or forged token or someone not on the meeting's roll; otherwise the desk's
    rules apply (meetings.attendance.set_attendance, which locks the meeting row)."""
    if not token_is_valid(meeting.pk, token):
        raise SelfCheckInRefused(
            _("Deze code is verlopen of ongeldig. Scan de code op het scherm in de zaal opnieuw.")
        )
    if not selectors.on_roll(meeting, user.pk):
        raise SelfCheckInRefused(
            _("U staat niet op de presentielijst van deze vergadering. Meld u bij de aanmeldbalie.")
        )
    return attendance.set_attendance(
        meeting=meeting, user_id=user.pk, presence=Presence.HALL, by=user
    )


def join_online(*, meeting: Meeting, user) -> MeetingAttendance:
    """A member who follows a hybrid or online meeting from home says so themselves: present
    online (the desk's rules apply; someone checked in at the hall stays in the hall)."""
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS):
        raise SelfCheckInRefused(_("De vergadering is afgelopen; aanmelden kan niet meer."))
    if not meeting.online_possible:
        raise SelfCheckInRefused(_("Deze vergadering is alleen in de zaal; meld u daar aan."))
    if not selectors.on_roll(meeting, user.pk):
        raise SelfCheckInRefused(
            _("U staat niet op de presentielijst van deze vergadering. Meld u bij de aanmeldbalie.")
        )
    if selectors.presence_of(meeting, user.pk) == Presence.HALL:
        raise SelfCheckInRefused(_("U bent al aangemeld in de zaal."))
    return attendance.set_attendance(
        meeting=meeting, user_id=user.pk, presence=Presence.ONLINE, by=user
    )
