"""Connecting WebsocketCommunicators through the real ASGI stack (origin check, session)."""

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application


@database_sync_to_async
def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def watcher(
    ballot_id: int, user=None, *, query: str = "", origin="http://127.0.0.1", host="127.0.0.1"
):
    """A connected communicator; for an anonymous watcher pass user=None. `host` is the Host
    header a browser sends, which the origin check compares with `origin`."""
    headers = [(b"host", host.encode()), (b"origin", origin.encode())]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await session_cookie(user)}".encode()))
    path = f"/ws/ballots/{ballot_id}/live/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def next_state(communicator, timeout: float = 3.0) -> dict:
    message = json.loads(await communicator.receive_from(timeout=timeout))
    assert message["type"] == "state", message
    return message


async def refusal(communicator) -> tuple[str, int]:
    """The error text and close code of a refused watcher."""
    error = json.loads(await communicator.receive_from(timeout=3))
    closed = await communicator.receive_output(timeout=3)
    assert closed["type"] == "websocket.close"
    return error["error"], closed["code"]


async def drain(communicator, quiet: float = 1.2) -> list[dict]:
    """Every state received until nothing arrives for `quiet` seconds."""
    states = []
    while not await communicator.receive_nothing(timeout=quiet):
        states.append(await next_state(communicator))
    return states
