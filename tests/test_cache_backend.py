"""The Redis cache backend keeps one client per pool and still behaves like Django's."""

import pytest
from django.core.cache.backends.redis import RedisCache

from config.cache import SharedClientRedisCache


@pytest.fixture
def redis_url(settings):
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        from tests.conftest import skip_or_fail

        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    return url


def test_same_answers_as_djangos_backend_with_one_client(redis_url):
    ours = SharedClientRedisCache(redis_url, {"KEY_PREFIX": "cache-test"})
    stock = RedisCache(redis_url, {"KEY_PREFIX": "cache-test"})
    ours.set("flags", {"board": True}, 30)
    assert stock.get("flags") == {"board": True}
    assert ours.get("missing", "default") == "default"
    ours.delete("flags")
    assert stock.get("flags") is None
    first = ours._cache.get_client(write=True)
    assert ours._cache.get_client(write=True) is first
