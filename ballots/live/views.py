"""The polling fallback: the same payload and rules as the live socket, as JSON.

For clients that cannot hold a WebSocket. Each process keeps a state for at most one update
interval, so a thousand pollers cost one read per interval per process, not one each."""

import threading
import time

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from ballots.live import access
from ballots.live.snapshot import BallotState, read_state, render

_lock = threading.Lock()
_recent: dict[int, tuple[float, BallotState | None]] = {}


def _state(ballot_id: int) -> BallotState | None:
    now = time.monotonic()
    with _lock:
        cached = _recent.get(ballot_id)
    if cached and now - cached[0] < 1 / float(settings.LIVE_UPDATES_PER_SECOND):
        return cached[1]
    state = read_state(ballot_id)
    with _lock:
        _recent[ballot_id] = (now, state)
    return state


@require_GET
def live_state(request, pk: int):
    decision = access.decide(pk, request.user, request.GET.get("audience"))
    if decision.audience is None:
        status = 404 if decision.refusal == access.NOT_FOUND else 403
        return JsonResponse({"error": decision.reason}, status=status)
    state = _state(pk)
    if state is None:
        return JsonResponse({"error": "Deze stemming bestaat niet."}, status=404)
    response = JsonResponse(render(state, decision.audience))
    response["Cache-Control"] = "no-store"
    return response
