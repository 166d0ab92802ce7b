"""The live WebSocket of one meeting: the projector and the members' agenda follow the chair.

Routed behind the origin check and the session (config/asgi.py). Only pushes: the state is
read when a change is announced (meetings.live) or when the client asks for a resync.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from meetings import live
from meetings.models import Meeting
from members.roles import may_stay_logged_in, second_factor_missing

NOT_LOGGED_IN = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404


def decide(meeting_id: int, user) -> tuple[int | None, bool, str]:
    """(close code or None, board audience?, reason). Every logged-in member may follow
    every meeting; a board member (with the meetings permission) also hears attendance,
    unless the page asked for the public view (the projector)."""
    if not user.is_authenticated or not user.is_active or not may_stay_logged_in(user):
        return NOT_LOGGED_IN, False, "Log eerst in."
    if second_factor_missing(user):
        return FORBIDDEN, False, "Stel eerst uw tweede factor in om mee te kijken."
    if not Meeting.objects.filter(pk=meeting_id).exists():
        return NOT_FOUND, False, "Deze vergadering bestaat niet."
    return None, user.has_perm("meetings.run_meeting"), ""


class MeetingLiveConsumer(AsyncWebsocketConsumer):
    meeting_id: int | None = None
    groups_joined: tuple[str, ...] = ()

    async def connect(self) -> None:
        meeting_id = int(self.scope["url_route"]["kwargs"]["pk"])
        refusal, board, reason = await database_sync_to_async(decide)(
            meeting_id, self.scope["user"]
        )
        # Accept first: a close code only reaches the browser after the handshake.
        await self.accept()
        if refusal is not None:
            await self.send(json.dumps({"type": "error", "error": reason}))
            await self.close(code=refusal)
            return
        self.meeting_id = meeting_id
        self.groups_joined = (live.group_name(meeting_id),)
        if board and b"audience=public" not in self.scope.get("query_string", b""):
            self.groups_joined += (live.group_name(meeting_id, board=True),)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self._send_state()

    async def disconnect(self, code) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        try:
            message = json.loads(text_data) if text_data else None
        except ValueError:
            message = None
        if self.meeting_id is not None and message == {"type": "resync"}:
            await self._send_state()
            return
        await self.send(json.dumps({"type": "error", "error": "Onbekend bericht."}))

    async def meeting_changed(self, event) -> None:
        await self._send_state()

    async def meeting_attendance(self, event) -> None:
        state = await database_sync_to_async(live.attendance_state)(self.meeting_id)
        if state is not None:
            await self.send(json.dumps(state))

    async def _send_state(self) -> None:
        state = await database_sync_to_async(live.read_state)(self.meeting_id)
        if state is None:
            await self.close(code=NOT_FOUND)
            return
        await self.send(json.dumps(state))
