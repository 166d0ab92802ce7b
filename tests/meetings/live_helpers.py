"""Connecting to a meeting's live socket through the real ASGI stack (origin check, session)."""

import json

from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.live.helpers import session_cookie


async def meeting_watcher(
    meeting_id: int, user=None, *, query: str = "", origin="http://127.0.0.1"
):
    headers = [(b"host", b"127.0.0.1"), (b"origin", origin.encode())]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await session_cookie(user)}".encode()))
    path = f"/ws/meetings/{meeting_id}/live/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def next_message(communicator, timeout: float = 3.0) -> dict:
    return json.loads(await communicator.receive_from(timeout=timeout))
