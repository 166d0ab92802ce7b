"""The live WebSocket of one ballot: thin; the hub does the work.

Routed behind AllowedHostsOriginValidator and AuthMiddlewareStack (config/asgi.py). Consumers
use no channel layer: they are fed by the process's hub, not by a group_send per socket.
"""

import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from ballots.live import access
from ballots.live.hub import get_hub

UNKNOWN_MESSAGE = json.dumps(
    {"type": "error", "error": 'Onbekend bericht; alleen {"type": "resync"} wordt begrepen.'}
)


class BallotLiveConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = "live-sockets-use-no-channel-layer"  # an alias that is never set

    ballot_id: int | None = None
    audience: str | None = None

    async def connect(self) -> None:
        ballot_id = int(self.scope["url_route"]["kwargs"]["pk"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        requested = (query.get("audience") or [None])[0]
        decision = await database_sync_to_async(access.decide)(
            ballot_id, self.scope["user"], requested
        )
        # Accept first: a close code (and its reason) only reaches the browser after the
        # handshake; a refused handshake is just "failed" and the client would keep retrying.
        await self.accept()
        if decision.audience is None:
            await self.send(json.dumps({"type": "error", "error": decision.reason}))
            await self.close(code=decision.refusal)
            return
        self.ballot_id, self.audience = ballot_id, decision.audience
        if not await get_hub().join(ballot_id, decision.audience, self):
            await self.close(code=access.NOT_FOUND)

    async def disconnect(self, code) -> None:
        if self.audience is not None:
            get_hub().leave(self.ballot_id, self.audience, self)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        try:
            message = json.loads(text_data) if text_data else None
        except ValueError:
            message = None
        if (
            self.audience is not None
            and isinstance(message, dict)
            and message.get("type") == "resync"
        ):
            bundle = await get_hub().current(self.ballot_id)
            if bundle is not None:
                await self.send_frame(bundle.frames[self.audience])
            return
        await self.send(UNKNOWN_MESSAGE)

    async def send_frame(self, frame: str) -> None:
        # Straight to the server's send: the same string for every socket, no re-encoding.
        await self.base_send({"type": "websocket.send", "text": frame})
