"""A board member's approval that waits for their second factor (issue #16, item 9).

Approving needs a fresh second-factor check. Without one, the POST is parked here and the
member is sent to allauth's reauthentication; its `next` brings them back with a one-time
token, and the approval completes by itself instead of asking for the click again.

The GET that completes it changes state, so it is bound to what only the original POST
(CSRF-checked) could create: a random token stored in this session for this ballot, used at
most once and within a few minutes. A link forged elsewhere has no matching token.
"""

import secrets
import time

SESSION_KEY = "ballots_approval_intent"
MAX_AGE = 600  # seconds: the reauthentication itself allows no more
ACTIONS = ("approve", "withdraw")


def stash(session, ballot_id: int, action: str) -> str:
    token = secrets.token_urlsafe(24)
    session[SESSION_KEY] = {
        "ballot": ballot_id,
        "action": action if action in ACTIONS else "approve",
        "token": token,
        "at": time.time(),
    }
    return token


def take(session, ballot_id: int, token: str) -> str | None:
    """The parked action if `token` matches it; the intent is gone afterwards either way."""
    intent = session.pop(SESSION_KEY, None)
    if not intent or not token:
        return None
    if intent.get("ballot") != ballot_id or time.time() - intent.get("at", 0) > MAX_AGE:
        return None
    if not secrets.compare_digest(str(intent.get("token", "")), token):
        return None
    return intent.get("action")
