"""The live socket through the real ASGI stack: who may watch what, snapshot, coalescing,
and nothing announced before (or without) a commit. Runs on the in-memory default and, in
the PostgreSQL pass, with the hub fanning out through Redis."""

import asyncio
import threading
import time

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from ballots import services
from ballots.live import access
from ballots.models import ResultVisibility, Secrecy
from tests.factories import (
    MandateFactory,
    RegionFactory,
    add_totp,
    board_member,
    choice,
    member,
    open_ballot,
)
from tests.live.helpers import drain, next_state, refusal, watcher

pytestmark = pytest.mark.django_db(transaction=True)


def make_ballot(*, voters=3, **kwargs):
    region = RegionFactory()
    people = [member(region=region) for _ in range(voters)]
    return open_ballot(**kwargs), people


def vote(ballot, user, label="Voor"):
    return services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice(ballot, label).pk)


def watcher_for(role: str, region):
    if role == "anonymous":
        return None
    if role == "member":
        return member(region=region)
    if role == "ambassador":
        user = member(region=region)
        MandateFactory(user=user, region=region)
        add_totp(user)
        return user
    user = board_member()
    add_totp(user)
    return user


# A secret ballot has one visibility rule: no tally before closing (a constraint, issue #12).
SETTINGS = [(Secrecy.SECRET, ResultVisibility.CLOSED)] + [
    (Secrecy.NAMED, visibility) for visibility in ResultVisibility
]


@pytest.mark.parametrize(("secrecy", "visibility"), SETTINGS)
@pytest.mark.parametrize("role", ["anonymous", "member", "ambassador", "board"])
async def test_permission_matrix(secrecy, visibility, role):
    @database_sync_to_async
    def setup():
        ballot, people = make_ballot(secrecy=secrecy, result_visibility=visibility)
        vote(ballot, people[0])
        return ballot, watcher_for(role, people[0].membership.region)

    ballot, user = await setup()
    communicator = await watcher(ballot.pk, user)
    if role == "anonymous":
        assert (await refusal(communicator))[1] == access.NOT_LOGGED_IN
        return
    state = await next_state(communicator)
    assert state["turnout"]["count"] == 1
    assert state["turnout"]["electorate_count"] >= 3
    board = role == "board"
    assert (state["regions"] is not None) == board
    shows_tally = visibility == ResultVisibility.EVERYONE or (
        board and visibility == ResultVisibility.BOARD
    )
    assert (state["tally"] is not None) == shows_tally
    if shows_tally:
        assert state["tally"]["counted"] == 1
    assert state["outcome"] is None
    await communicator.disconnect()


async def test_after_closing_everyone_sees_the_result_and_outcome():
    @database_sync_to_async
    def setup():
        ballot, people = make_ballot(result_visibility=ResultVisibility.CLOSED)
        vote(ballot, people[0])
        vote(ballot, people[1], "Tegen")
        vote(ballot, people[2])
        return ballot, people[0]

    ballot, user = await setup()
    communicator = await watcher(ballot.pk, user)
    assert (await next_state(communicator))["tally"] is None
    await database_sync_to_async(services.close_ballot)(ballot, notify=False)
    # Closing announces twice: voting stopped (still counting, no tally), then the count.
    # Which of the two a watcher reads first depends on timing; the counted one must come.
    state = await next_state(communicator)
    if state["tally"] is None:
        assert state["status"] == "closed" and state["outcome"] is None
        state = await next_state(communicator)
    assert state["status"] == "closed"
    votes = {c["label"]: c["votes"] for c in state["tally"]["choices"]}
    assert votes == {"Voor": 2, "Tegen": 1, "Onthouding": 0}
    assert state["outcome"]["result"] and state["outcome"]["explanation"]
    await communicator.disconnect()


async def test_second_factor_missing_refuses_board_and_ambassadors():
    @database_sync_to_async
    def setup():
        ballot, people = make_ballot()
        ambassador = member(region=people[0].membership.region)
        MandateFactory(user=ambassador, region=people[0].membership.region)
        return ballot, board_member(), ambassador

    ballot, board, ambassador = await setup()
    for user in (board, ambassador):
        reason, code = await refusal(await watcher(ballot.pk, user))
        assert code == access.FORBIDDEN and "tweede factor" in reason


async def test_projector_audience_never_gets_board_data():
    @database_sync_to_async
    def setup():
        ballot, people = make_ballot(result_visibility=ResultVisibility.BOARD, secrecy="named")
        vote(ballot, people[0])
        board = board_member()
        add_totp(board)
        return ballot, board

    ballot, board = await setup()
    communicator = await watcher(ballot.pk, board, query="audience=public")
    state = await next_state(communicator)
    assert state["audience"] == "member"
    assert state["regions"] is None and state["tally"] is None
    await communicator.disconnect()


async def test_unknown_and_draft_ballots_are_refused():
    @database_sync_to_async
    def setup():
        from tests.factories import BallotFactory

        return BallotFactory(), member()

    draft, user = await setup()
    for ballot_id in (draft.pk, 999_999):
        assert (await refusal(await watcher(ballot_id, user)))[1] == access.NOT_FOUND


async def test_foreign_origin_is_refused():
    user = await database_sync_to_async(member)()
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from tests.live.helpers import session_cookie

    communicator = WebsocketCommunicator(
        application,
        "/ws/ballots/1/live/",
        headers=[
            (b"origin", b"https://evil.example"),
            (b"cookie", f"sessionid={await session_cookie(user)}".encode()),
        ],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


async def test_resync_and_bad_messages():
    ballot, people = await database_sync_to_async(make_ballot)()
    communicator = await watcher(ballot.pk, people[0])
    first = await next_state(communicator)
    await communicator.send_json_to({"type": "resync"})
    again = await next_state(communicator)
    assert again["turnout"] == first["turnout"] and again["version"] >= first["version"]
    for bad in ("not json", '{"type": "vote"}', "[]", "null"):
        await communicator.send_to(text_data=bad)
        error = await communicator.receive_json_from(timeout=3)
        assert error["type"] == "error" and error["error"]
    await communicator.disconnect()


async def test_a_burst_of_100_votes_is_coalesced_and_the_last_state_is_exact():
    ballot, people = await database_sync_to_async(make_ballot)(
        voters=100, secrecy=Secrecy.NAMED, result_visibility=ResultVisibility.EVERYONE
    )
    communicator = await watcher(ballot.pk, people[0])
    first = await next_state(communicator)
    assert first["turnout"]["count"] == 0

    @database_sync_to_async
    def burst():
        started = time.monotonic()
        for index, person in enumerate(people):
            vote(ballot, person, "Voor" if index % 3 else "Tegen")
        return time.monotonic() - started

    took = await burst()
    states = await drain(communicator)
    assert states, "no update after 100 votes"
    # At most 2 per second while the burst lasts, plus the final state after it.
    assert len(states) <= int(took * 2) + 3, (len(states), took)
    versions = [first["version"]] + [s["version"] for s in states]
    assert versions == sorted(set(versions))
    last = states[-1]
    assert last["turnout"]["count"] == 100
    votes = {c["label"]: c["votes"] for c in last["tally"]["choices"]}
    assert votes == {"Voor": 66, "Tegen": 34, "Onthouding": 0}
    await communicator.disconnect()


async def test_secret_ballot_shows_no_tally_until_counted_then_the_result():
    """Issue #12: two frames taken while a secret ballot is open differ only in turnout; the
    tally first appears with the counted result."""
    ballot, people = await database_sync_to_async(make_ballot)(voters=30, secrecy=Secrecy.SECRET)
    board = await database_sync_to_async(board_member)()
    await database_sync_to_async(add_totp)(board)
    communicator = await watcher(ballot.pk, board)
    first = await next_state(communicator)

    @database_sync_to_async
    def cast_all():
        for person in people:
            vote(ballot, person, "Voor" if person.pk % 2 else "Tegen")

    await cast_all()
    states = await drain(communicator)
    assert states[-1]["turnout"]["count"] == 30
    for state in [first, *states]:
        assert state["tally"] is None and state["outcome"] is None
    await database_sync_to_async(services.close_ballot)(ballot)
    states = await drain(communicator)
    final = states[-1]
    assert final["status"] == "closed" and not final["counting"]
    assert final["tally"]["counted"] == 30
    assert final["outcome"] is not None
    await communicator.disconnect()


async def test_a_rolled_back_vote_announces_nothing():
    ballot, people = await database_sync_to_async(make_ballot)()
    communicator = await watcher(ballot.pk, people[0])
    await next_state(communicator)

    @database_sync_to_async
    def vote_and_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            vote(ballot, people[1])
            raise RuntimeError("rolled back")

    await vote_and_roll_back()
    assert await communicator.receive_nothing(timeout=1.5)
    await communicator.disconnect()


async def test_nothing_is_announced_before_the_commit():
    ballot, people = await database_sync_to_async(make_ballot)()
    communicator = await watcher(ballot.pk, people[0])
    await next_state(communicator)
    await drain(communicator)  # the opening's own announcement
    committed_at = {}

    def vote_then_wait_then_commit():
        with transaction.atomic():
            vote(ballot, people[1])
            time.sleep(1.2)  # the vote is written but not committed
        committed_at["t"] = time.monotonic()

    # Its own thread: the transaction stays open while the socket is watched.
    thread = threading.Thread(target=vote_then_wait_then_commit)
    thread.start()
    state = await next_state(communicator, timeout=5)
    received_at = time.monotonic()
    await asyncio.get_running_loop().run_in_executor(None, thread.join)
    assert received_at >= committed_at["t"]
    assert state["turnout"]["count"] == 1
    await communicator.disconnect()


async def test_one_read_per_update_however_many_watchers(monkeypatch):
    from ballots.live import hub

    reads = []
    real = hub.read_state
    monkeypatch.setattr(hub, "read_state", lambda pk: reads.append(pk) or real(pk))
    ballot, people = await database_sync_to_async(make_ballot)(voters=30)
    sockets = [await watcher(ballot.pk, person) for person in people]
    for communicator in sockets:
        await next_state(communicator)
    reads.clear()
    await database_sync_to_async(vote)(ballot, people[0])
    for communicator in sockets:
        assert (await next_state(communicator))["turnout"]["count"] == 1
    assert len(reads) <= 2  # one per update (a safety re-read at most), not one per socket
    for communicator in sockets:
        await communicator.disconnect()


async def test_a_failed_read_is_retried_not_lost(monkeypatch):
    """A read that fails (seen: SQLite's table lock while a test closed a ballot) used to drop
    the change; the last state then never reached the watchers."""
    from django.db import OperationalError

    from ballots.live import hub

    ballot, people = await database_sync_to_async(make_ballot)()
    communicator = await watcher(ballot.pk, people[0])
    await next_state(communicator)
    await drain(communicator)
    real, failures = hub.read_state, []

    def flaky(pk):
        if not failures:
            failures.append(pk)
            raise OperationalError("database table is locked")
        return real(pk)

    monkeypatch.setattr(hub, "read_state", flaky)
    await database_sync_to_async(vote)(ballot, people[1])
    state = await next_state(communicator, timeout=5)
    assert failures and state["turnout"]["count"] == 1
    await communicator.disconnect()
