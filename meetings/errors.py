"""Why a meeting action was refused; each message is shown to the board member as it is.

A subclass of ballots' BallotError, so a view that runs a ballot service for a meeting (open
or close an item's ballot) turns both kinds of refusal into one message."""

from ballots.errors import BallotError


class MeetingError(BallotError):
    """Base: the action changed nothing, and the message says why."""


class NotOnRoll(MeetingError):
    pass


class StandInRefused(MeetingError):
    pass


class PaperProxyRefused(MeetingError):
    pass


class ChairRefused(MeetingError):
    pass


class AgendaRefused(MeetingError):
    """Preparing a meeting or its agenda (meetings.agenda) was refused."""


class SelfCheckInRefused(MeetingError):
    """A QR self check-in (meetings.self_checkin) was refused."""
