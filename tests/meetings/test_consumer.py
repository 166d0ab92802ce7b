"""The projector and the members' agenda follow the chair over the meeting's socket, through
the real ASGI stack and the real channel layer (Redis when REDIS_URL is set)."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from meetings import attendance
from meetings.models import Presence
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    RegionFactory,
    add_totp,
    agenda_ballot,
    board_member,
    member,
)
from tests.meetings.live_helpers import meeting_watcher, next_message

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _world():
    region = RegionFactory()
    chair = board_member(region=region)
    add_totp(chair)
    meeting = MeetingFactory()
    first = AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    second = AgendaItemFactory(meeting=meeting, order=2, title="Het akkoord")
    ballot = agenda_ballot(second)
    return {
        "chair": chair,
        "member": member(region=region),
        "meeting": meeting,
        "first": first,
        "second": second,
        "ballot": ballot,
    }


@database_sync_to_async
def _console_post(chair, meeting, action, target=""):
    """What the chair's button does: a POST to the console (the real view)."""
    client = Client()
    client.force_login(chair)
    response = client.post(
        f"/vergaderingen/{meeting.pk}/voorzitter/{action}/", {"target": str(target)}
    )
    assert response.status_code == 302, response.status_code
    return response


async def test_projector_follows_the_console():
    world = await _world()
    projector, connected = await meeting_watcher(
        world["meeting"].pk, world["chair"], query="audience=public"
    )
    assert connected
    first_state = await next_message(projector)
    assert first_state["type"] == "meeting" and first_state["current_item"] is None
    await _console_post(world["chair"], world["meeting"], "start")
    state = await next_message(projector)
    assert (state["status"], state["current_item"]["title"]) == ("in_progress", "Opening")
    await _console_post(world["chair"], world["meeting"], "next")
    state = await next_message(projector)
    assert state["current_item"]["id"] == world["second"].pk
    assert state["ballots"] == [{"id": world["ballot"].pk, "status": "draft"}]
    await _console_post(world["chair"], world["meeting"], "open", world["ballot"].pk)
    opened = await next_message(projector)
    assert opened["ballots"][0]["status"] == "open"
    assert opened["signature"] != state["signature"]
    await _console_post(world["chair"], world["meeting"], "close", world["ballot"].pk)
    closed = await next_message(projector)
    assert closed["ballots"][0]["status"] == "closed"
    await projector.disconnect()


async def test_a_member_follows_but_hears_nothing_of_attendance():
    world = await _world()
    watcher, connected = await meeting_watcher(world["meeting"].pk, world["member"])
    assert connected
    assert (await next_message(watcher))["type"] == "meeting"
    board, _ = await meeting_watcher(world["meeting"].pk, world["chair"])
    assert (await next_message(board))["type"] == "meeting"
    await database_sync_to_async(attendance.set_attendance)(
        meeting=world["meeting"],
        user_id=world["member"].pk,
        presence=Presence.HALL,
        by=world["chair"],
    )
    counts = await next_message(board)
    assert counts["type"] == "attendance"
    assert (counts["hall"], counts["present"]) == (1, 1)
    assert counts["total"] == counts["present"] + counts["absent"]
    assert await watcher.receive_nothing(timeout=0.5)
    await watcher.disconnect()
    await board.disconnect()


async def test_resync_answers_with_the_state_and_nonsense_with_an_error():
    world = await _world()
    watcher, _ = await meeting_watcher(world["meeting"].pk, world["member"])
    await next_message(watcher)
    await watcher.send_to(text_data='{"type": "resync"}')
    assert (await next_message(watcher))["type"] == "meeting"
    await watcher.send_to(text_data="{nonsense")
    assert (await next_message(watcher))["type"] == "error"
    await watcher.disconnect()


async def test_refusals():
    world = await _world()
    anonymous, connected = await meeting_watcher(world["meeting"].pk)
    assert connected
    assert (await next_message(anonymous))["type"] == "error"
    assert (await anonymous.receive_output(timeout=3))["code"] == 4401
    missing, _ = await meeting_watcher(999_999, world["member"])
    assert (await next_message(missing))["type"] == "error"
    assert (await missing.receive_output(timeout=3))["code"] == 4404
    no_factor = await database_sync_to_async(board_member)()
    refused, _ = await meeting_watcher(world["meeting"].pk, no_factor)
    await next_message(refused)
    assert (await refused.receive_output(timeout=3))["code"] == 4403


async def test_another_origin_is_refused():
    world = await _world()
    _communicator, connected = await meeting_watcher(
        world["meeting"].pk, world["member"], origin="http://127.0.0.1:9999"
    )
    assert not connected
