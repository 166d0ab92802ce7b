"""Who may watch a ballot live, and which audience's view they get.

There are two audiences, so a frame is serialised twice per update, not once per watcher:
"member" (turnout; the tally only when the ballot's rule shows it to everyone) and "board"
(also turnout per region; the tally when the rule shows it to the board)."""

from dataclasses import dataclass

from ballots.models import Ballot, BallotStatus, ResultVisibility
from members.roles import is_board, may_stay_logged_in, second_factor_missing

MEMBER = "member"
BOARD = "board"
AUDIENCES = (MEMBER, BOARD)

# WebSocket close codes (4000-4999 are the application's own).
NOT_LOGGED_IN = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404


def tally_visible(status: str, visibility: str, audience: str) -> bool:
    """The tally per choice: after closing for everyone who can see the ballot; while open
    only as the ballot's visibility rule says."""
    if status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED):
        return True
    if status != BallotStatus.OPEN:
        return False
    if visibility == ResultVisibility.EVERYONE:
        return True
    return visibility == ResultVisibility.BOARD and audience == BOARD


@dataclass(frozen=True)
class Decision:
    audience: str | None = None
    refusal: int | None = None  # a close code
    reason: str = ""


def decide(
    ballot_id: int, user, requested: str | None = None, *, status: str | None = None
) -> Decision:
    """Whether `user` may watch ballot `ballot_id`, and as which audience. A board member may
    ask for the member view (`requested="public"`): the projector never shows board data.
    `status`: the ballot's, when the caller has just read it (a page), which saves a query."""
    # A session from before a suspension counts as none (issue #13; HTTP: members.middleware).
    if not user.is_authenticated or not user.is_active or not may_stay_logged_in(user):
        return Decision(refusal=NOT_LOGGED_IN, reason="Log eerst in.")
    if second_factor_missing(user):
        return Decision(
            refusal=FORBIDDEN, reason="Stel eerst uw tweede factor in om mee te kijken."
        )
    if status is None:
        exists = Ballot.objects.filter(pk=ballot_id).exclude(status=BallotStatus.DRAFT).exists()
    else:
        exists = status != BallotStatus.DRAFT
    if not exists:
        return Decision(refusal=NOT_FOUND, reason="Deze stemming bestaat niet.")
    if requested != "public" and is_board(user):
        return Decision(audience=BOARD)
    return Decision(audience=MEMBER)
