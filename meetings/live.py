"""Live pages of a meeting: the projector and the members' agenda follow the chair.

A meeting changes a few times an hour (the chair moves on, opens or closes a ballot), not
per vote, so one channel-layer group per meeting is enough here: a change is announced after
its commit, each socket of the meeting reads the small state once and sends it. Turnout and
tallies of the item's ballot, which do change per vote, come over the ballot's own coalesced
live socket (ballots.live), never through here.
"""

import hashlib
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from meetings.models import Meeting

log = logging.getLogger(__name__)


def group_name(meeting_id: int, *, board: bool = False) -> str:
    """Everyone watching the meeting; the board's pages (console, desk) also join the board
    group, which alone hears about attendance (a check-in must not reach every member)."""
    return f"meeting-{meeting_id}-board" if board else f"meeting-{meeting_id}"


def read_state(meeting_id: int) -> dict | None:
    """What the live pages need: status, current item and its ballots' statuses. The
    signature changes exactly when the page should show something else."""
    meeting = Meeting.objects.filter(pk=meeting_id).select_related("current_item").first()
    if meeting is None:
        return None
    item = meeting.current_item
    ballots = []
    if item is not None:
        ballots = [
            {"id": link.ballot_id, "status": link.ballot.status}
            for link in item.ballot_links.select_related("ballot").order_by("order", "pk")
        ]
    content = {
        "meeting": meeting.pk,
        "status": meeting.status,
        "status_label": str(meeting.get_status_display()),
        "current_item": (
            {"id": item.pk, "order": item.order, "title": item.title} if item else None
        ),
        "ballots": ballots,
    }
    signature = hashlib.sha256(
        json.dumps({**content, "status_label": ""}, sort_keys=True).encode()
    ).hexdigest()[:16]
    return {"type": "meeting", **content, "signature": signature}


def _send(group: str, event: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": event})
    except Exception:  # Redis down: the pages poll and resynchronise; the action stands
        log.warning("meetings: live announcement failed", exc_info=True)


def announce(meeting_id: int) -> None:
    """After the commit: the meeting's state changed (item, status, a ballot's status)."""
    transaction.on_commit(lambda: _send(group_name(meeting_id), "meeting.changed"))


def attendance_state(meeting_id: int) -> dict | None:
    """The board's counts at a glance: in the hall, online, absent (of the roll)."""
    from meetings import selectors

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return None
    total = selectors.totals(selectors.counts_by_region(meeting))
    return {
        "type": "attendance",
        "meeting": meeting_id,
        "total": total.total,
        "hall": total.hall,
        "online": total.online,
        "present": total.present,
        "absent": total.absent,
    }


def announce_attendance(meeting_id: int) -> None:
    """After the commit: attendance, a stand-in or a proxy changed (the board's counts)."""
    transaction.on_commit(lambda: _send(group_name(meeting_id, board=True), "meeting.attendance"))
