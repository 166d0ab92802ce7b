"""The suite runs on what the environment names: CI runs it on both configurations."""

import os

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection


@pytest.mark.django_db
def test_database_is_the_one_the_environment_names():
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_channel_layer_delivers_a_message():
    layer = get_channel_layer()
    expected = "RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer"
    assert type(layer).__name__ == expected

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "ping", "n": 1})
        return await layer.receive(channel)

    assert async_to_sync(round_trip)() == {"type": "ping", "n": 1}


def test_cache_round_trip():
    cache.set("ledenstem-test", {"a": 1}, 10)
    assert cache.get("ledenstem-test") == {"a": 1}
