"""Why a ballot action was refused; each message is shown to the person as it is, in the
language of their request (the services translate when they raise: gettext)."""


class BallotError(Exception):
    """Base: the action changed nothing, and the message says why."""


class NotEditable(BallotError):
    pass


class BallotNotOpen(BallotError):
    pass


class BallotClosed(BallotError):
    pass


class NotEligible(BallotError):
    pass


class AlreadyVoted(BallotError):
    pass


class NotPresent(BallotError):
    pass


class ProxyRefused(BallotError):
    pass


class InvalidVote(BallotError):
    pass
