"""Change marks: a committed change to a ballot marks it for the next live update.

`announce` is called inside the transaction that changes the ballot and marks it only after
the commit (a rolled-back vote announces nothing). The mark is one Redis SADD when REDIS_URL
is set, so the process that holds the watchers (an ASGI worker) sees marks made by any other
process (the WSGI workers that take the votes). Without Redis, or while Redis is down, marks
stay in this process: its own watchers keep getting updates, and the hub of every process
refreshes its watched ballots from the database until Redis is back. Redis being down never
fails a vote: a failed SADD (refused at once, or timed out after 0.25 s) makes the next
RETRY_AFTER seconds of votes skip Redis, so at most one vote a second waits for it.
"""

import logging
import threading
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

DIRTY_KEY = "ledenstem:live:dirty"
RETRY_AFTER = 1.0

_local_lock = threading.Lock()
_local_marks: set[int] = set()
_redis_down_until = 0.0


def announce(ballot_id: int, *, turnout_only: bool = False) -> None:
    """`turnout_only`: a vote, which changes only the interim turnout (and a named ballot's
    interim tally). Every watcher still hears of it, but this process keeps the state it
    read less than an update interval ago for its next pages: at an assembly each worker
    takes votes all the time, and dropping the state at every vote made nearly every ballot
    page read it again (issue #18: ~10 ms at 13,000 electors). A page never promised more:
    with several workers the next page may come from another one anyway. A change of
    status (opening, closing, the count, certification) is read afresh at once."""
    transaction.on_commit(lambda: mark_changed(ballot_id, turnout_only=turnout_only))


def mark_changed(ballot_id: int, *, turnout_only: bool = False) -> None:
    from ballots.live.snapshot import forget_recent

    if not turnout_only:
        forget_recent(ballot_id)
    if settings.REDIS_URL and _mark_in_redis(ballot_id):
        return
    with _local_lock:
        _local_marks.add(ballot_id)


def take_local_marks() -> set[int]:
    with _local_lock:
        taken = set(_local_marks)
        _local_marks.clear()
    return taken


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=0.25, socket_connect_timeout=0.25
    )


def _mark_in_redis(ballot_id: int) -> bool:
    global _redis_down_until
    if time.monotonic() < _redis_down_until:
        return False
    try:
        _client().sadd(DIRTY_KEY, ballot_id)
        return True
    except redis.RedisError as error:
        _redis_down_until = time.monotonic() + RETRY_AFTER
        log.warning("live: Redis unreachable, change kept in this process (%s)", error)
        return False
