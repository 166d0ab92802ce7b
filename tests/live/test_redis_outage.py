"""Redis goes down in the middle of a ballot and comes back (a private redis-server on a
port of its own, so the suite's shared Redis is never touched)."""

import shutil
import time

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ballots.live import marks
from tests.conftest import skip_or_fail
from tests.factories import RegionFactory, choice, member, open_ballot
from tests.faults.services import PrivateRedis
from tests.live.helpers import drain, next_state, watcher

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def private_redis(settings):
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server not installed")
    server = PrivateRedis()  # the fault tests' own: free port, no persistence
    server.start()
    settings.REDIS_URL = server.url
    marks._client.cache_clear()
    yield server
    server.stop()
    marks._client.cache_clear()


def cast(ballot, user) -> float:
    from ballots import services

    started = time.monotonic()
    services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice(ballot, "Voor").pk)
    return time.monotonic() - started


async def test_voting_and_watching_survive_a_redis_outage(private_redis):
    from ballots.live.hub import get_hub

    @database_sync_to_async
    def setup():
        region = RegionFactory()
        people = [member(region=region) for _ in range(5)]
        return open_ballot(result_visibility="everyone", secrecy="named"), people

    ballot, people = await setup()
    communicator = await watcher(ballot.pk, people[0])
    await next_state(communicator)
    hub = get_hub()
    for _ in range(50):  # subscribed within a few ticks
        if hub.redis_ok:
            break
        await drain(communicator, quiet=0.1)
    assert hub.redis_ok
    await database_sync_to_async(cast)(ballot, people[0])
    assert (await drain(communicator))[-1]["turnout"]["count"] == 1

    private_redis.kill()
    took = await database_sync_to_async(cast)(ballot, people[1])
    assert took < 1.0, f"a vote took {took:.2f} s with Redis down"
    # Watchers of this process keep getting updates (from the database, locally).
    assert (await drain(communicator))[-1]["turnout"]["count"] == 2
    assert not hub.redis_ok

    # The polling endpoint needs no Redis either.
    @database_sync_to_async
    def poll():
        client = Client()
        client.force_login(people[4])
        return client.get(f"/api/ballots/{ballot.pk}/live")

    response = await poll()
    assert response.status_code == 200 and response.json()["turnout"]["count"] == 2

    private_redis.start()
    for _ in range(100):  # reconnects with backoff
        if hub.redis_ok:
            break
        await drain(communicator, quiet=0.1)
    assert hub.redis_ok, "the hub did not resubscribe after Redis came back"
    await database_sync_to_async(cast)(ballot, people[2])
    assert (await drain(communicator))[-1]["turnout"]["count"] == 3
    await communicator.disconnect()
