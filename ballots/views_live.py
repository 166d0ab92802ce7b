"""Live pages: the board's live dashboard and the projector view for the hall, and the context
every live block needs (the server-rendered first state and where static/js/live.js
subscribes). What a user may see is decided by ballots.live, never here."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from ballots.live.snapshot import payload_for
from ballots.models import Ballot, BallotStatus
from members.permissions import permission_required

MANAGE = "ballots.manage_ballot"
PUBLIC = "public"  # the member view, also for a board member (the projector)


def _percent(part: int | None, whole: int | None) -> float:
    return 100 * (part or 0) / whole if whole else 0.0


def live_context(ballot: Ballot, user, *, audience: str | None = None) -> dict | None:
    """The first state of a live block as `user` would receive it on the socket, with the
    percentages the template shows, and the socket and polling URLs for that audience.
    None when `user` may not watch this ballot."""
    state = payload_for(ballot, user, audience)
    if state is None:
        return None
    query = f"?audience={audience}" if audience else ""
    turnout = state["turnout"]
    context = {
        "state": state,
        "ws_url": f"/ws/ballots/{ballot.pk}/live/{query}",
        "poll_url": reverse("ballot_live_state", args=[ballot.pk]) + query,
        "final": state["status"] in (BallotStatus.CLOSED, BallotStatus.CERTIFIED),
        "turnout_percent": _percent(turnout["count"], turnout["electorate_count"]),
        "turnout_weight_percent": _percent(turnout["weight"], turnout["electorate_weight"]),
        "choices": [],
        "regions": [
            {
                **region,
                "percent": _percent(region["count"], region["electorate_count"]),
            }
            for region in state["regions"] or []
        ],
    }
    if state["tally"]:
        key = "weight" if state["weighted"] else "votes"
        total = sum(choice[key] for choice in state["tally"]["choices"])
        context["choices"] = [
            {**choice, "share": choice[key], "percent": _percent(choice[key], total)}
            for choice in state["tally"]["choices"]
        ]
        context["choices_total"] = total
    return context


def _live_ballot(pk: int) -> Ballot:
    ballot = get_object_or_404(Ballot, pk=pk)
    if ballot.status == BallotStatus.DRAFT:
        raise Http404  # a draft has nothing to watch
    return ballot


@permission_required(MANAGE)
def live_dashboard(request, pk: int):
    """The board's view while a ballot runs: turnout, turnout per region, the tally when the
    ballot's rule shows it to the board."""
    ballot = _live_ballot(pk)
    live = live_context(ballot, request.user)
    if live is None:
        raise Http404
    return render(request, "ballots/live_dashboard.html", {"ballot": ballot, "live": live})


@permission_required(MANAGE)
def projector(request, pk: int):
    """Full-screen view for the hall's beamer, operated by the board but showing only what
    members may see (the member audience), so a board-only tally never reaches the screen."""
    ballot = _live_ballot(pk)
    live = live_context(ballot, request.user, audience=PUBLIC)
    if live is None:
        raise Http404
    return render(request, "ballots/projector.html", {"ballot": ballot, "live": live})
