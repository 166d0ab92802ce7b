"""The polling fallback: the same payload and rules as the live socket, as JSON, for clients
that cannot hold a WebSocket. The state is shared per process for one update interval
(snapshot.recent_state), so a thousand pollers cost one read per interval, not one each."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from ballots.live import access
from ballots.live.snapshot import recent_state, render


@require_GET
def live_state(request, pk: int):
    decision = access.decide(pk, request.user, request.GET.get("audience"))
    if decision.audience is None:
        status = 404 if decision.refusal == access.NOT_FOUND else 403
        return JsonResponse({"error": decision.reason}, status=status)
    state = recent_state(pk)
    if state is None:
        return JsonResponse({"error": "Deze stemming bestaat niet."}, status=404)
    response = JsonResponse(render(state, decision.audience))
    response["Cache-Control"] = "no-store"
    return response
