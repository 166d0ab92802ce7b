"""The live socket under arbitrary frames: text and bytes of any shape get an error answer
(or, for a resync, the state), the socket stays open and usable, and nothing in the database
changes. Runs with the in-memory hub and, in the PostgreSQL pass, with Redis."""

import json

import pytest
from channels.db import database_sync_to_async
from hypothesis import given
from hypothesis import strategies as st

from ballots import services
from tests.abuse.helpers import db_state, fuzz_settings
from tests.abuse.strategies import NASTY
from tests.factories import RegionFactory, add_totp, board_member, choice, member, open_ballot
from tests.live.helpers import next_state, watcher

pytestmark = pytest.mark.django_db(transaction=True)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
# Messages that look like ours but are not {"type": "resync"}.
NEAR_MISSES = st.one_of(
    st.dictionaries(st.sampled_from(["type", "ballot", "audience", "vote"]), JSON_VALUES).filter(
        lambda m: m.get("type") != "resync"
    ),
    st.sampled_from(["RESYNC", "resync ", "state", "vote", "error", None, 1, ["resync"]]).map(
        lambda t: {"type": t}
    ),
    st.just(["resync"]),
    st.just("resync"),
).map(json.dumps)
TEXT_FRAMES = st.one_of(
    st.text(max_size=200),
    NASTY,
    JSON_VALUES.map(json.dumps),
    NEAR_MISSES,
    st.just("x" * 200_000),
)
FRAMES = st.one_of(
    TEXT_FRAMES.map(lambda text: ("text", text)),
    st.binary(max_size=200).map(lambda data: ("bytes", data)),
    TEXT_FRAMES.map(lambda text: ("bytes", text.encode("utf-8"))),
)


@pytest.fixture
def scene():
    region = RegionFactory()
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot(result_visibility="everyone", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    board = board_member()
    add_totp(board)
    return ballot, {"member": voters[1], "board": board}


async def send(communicator, frame) -> None:
    # Straight to the ASGI receive: send_to() refuses empty frames, a client may not.
    kind, payload = frame
    await communicator.send_input({"type": "websocket.receive", kind: payload})


async def check_answer(communicator) -> None:
    answer = json.loads(await communicator.receive_from(timeout=5))
    assert answer["type"] == "error" and "resync" in answer["error"], answer


async def check_resync(communicator, ballot_id: int) -> None:
    await communicator.send_to(text_data=json.dumps({"type": "resync", "extra": [1, 2]}))
    state = await next_state(communicator, timeout=5)
    assert state["ballot"] == ballot_id and state["turnout"]["count"] == 1


@pytest.fixture(params=["member", "board"])
async def socket(scene, request):
    """One connected watcher, shared by all examples: it must survive every one of them."""
    ballot, users = scene
    communicator = await watcher(ballot.pk, users[request.param])
    await next_state(communicator)
    before = await database_sync_to_async(db_state)()
    yield ballot, communicator
    assert await communicator.receive_nothing(timeout=0.2)
    assert await database_sync_to_async(db_state)() == before
    await communicator.disconnect()


@fuzz_settings(60)
@given(frames=st.lists(FRAMES, min_size=1, max_size=4))
async def test_arbitrary_frames_get_an_error_and_the_socket_stays_usable(socket, frames):
    ballot, communicator = socket
    for frame in frames:
        await send(communicator, frame)
        await check_answer(communicator)
    await check_resync(communicator, ballot.pk)


@pytest.mark.parametrize("pk", [0, 999_999, 2**63, 10**30])
async def test_watching_a_ballot_that_does_not_exist_is_refused(scene, pk):
    _ballot, users = scene
    communicator = await watcher(pk, users["board"])
    error = json.loads(await communicator.receive_from(timeout=5))
    closed = await communicator.receive_output(timeout=5)
    assert error["type"] == "error" and closed == {"type": "websocket.close", "code": 4404}


@pytest.mark.parametrize(
    "query", ["audience=%00", "audience=board&audience=public", "a=" + "x" * 20_000, "%ff%fe=%ff"]
)
async def test_odd_query_strings_still_give_a_state(scene, query):
    ballot, users = scene
    communicator = await watcher(ballot.pk, users["member"], query=query)
    state = await next_state(communicator, timeout=5)
    assert state["audience"] == "member"  # never more than the user may see
    await communicator.disconnect()
