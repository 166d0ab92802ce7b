"""The per-process fan-out of live frames to local WebSockets.

One Hub per ASGI process (per event loop). It keeps the process's sockets by ballot and
audience, and runs two tasks while it has any:

- the ticker, several times per update interval: claims changed ballots and publishes one bundle
  (a serialised frame per audience) per update. With Redis: changed ballots are in a Redis set
  (ballots.live.marks); a ballot is claimed by taking its gate key (SET NX PX interval), so
  however many processes tick, a ballot is read at most once per interval and its last change
  reaches watchers within about one interval plus a tick. Without Redis, the same happens
  in-process.
- the subscriber (Redis only): one pub/sub subscription per process; each bundle is written to
  every local socket of its ballot and audience, the same string to each (STACK.md: ~77 µs a
  delivery instead of ~0.7 ms for a group_send per consumer).

If Redis goes away the hub degrades, it does not fail: it refreshes its watched ballots from
the database every FALLBACK_REFRESH seconds and delivers locally, and keeps reconnecting with
backoff; once resubscribed it marks its ballots changed so every process resynchronises.
"""

import asyncio
import hashlib
import json
import logging
import random
import time
import weakref
from dataclasses import dataclass
from typing import Protocol

import redis
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from ballots.live import marks
from ballots.live.snapshot import BallotState, frames, read_state

log = logging.getLogger(__name__)


def _channel() -> str:
    # Keys live in REDIS_URL's database, but pub/sub channels are server-wide: two sites (or
    # test runs) on one Redis server must not hear each other's frames.
    digest = hashlib.sha256(settings.REDIS_URL.encode()).hexdigest()[:16]
    return f"ledenstem:live:frames:{digest}"


GATE_KEY = "ledenstem:live:gate:{}"
# The ticker looks for changed ballots this many times per update interval: a change waits at
# most one interval (the gate) plus one tick. A tick is one SMEMBERS per process (bench: at
# 2 ticks per interval the tick phase alone added up to 0.25 s to the live lag).
TICKS_PER_INTERVAL = 5
FALLBACK_REFRESH = 1.0  # seconds between database refreshes while Redis is down
SAFETY_REFRESH = 10.0  # seconds: watched ballots are re-read even without a mark (lost marks)


class Watcher(Protocol):
    async def send_frame(self, frame: str) -> None: ...


@dataclass
class Bundle:
    ballot_id: int
    version: int
    signature: str  # the content without the version: equal signatures mean nothing changed
    frames: dict[str, str]

    @classmethod
    def of(cls, state: BallotState) -> "Bundle":
        content = {k: v for k, v in state.__dict__.items() if k != "version"}
        return cls(
            state.ballot_id, state.version, json.dumps(content, sort_keys=True), frames(state)
        )

    def encode(self) -> str:
        return json.dumps(
            {"b": self.ballot_id, "v": self.version, "s": self.signature, "f": self.frames}
        )

    @classmethod
    def decode(cls, data: bytes | str) -> "Bundle":
        raw = json.loads(data)
        return cls(int(raw["b"]), int(raw["v"]), raw["s"], raw["f"])


def _read_state(ballot_id: int) -> BallotState | None:
    # A thread of the executor: close connections that outlived CONN_MAX_AGE, as Channels does.
    close_old_connections()
    try:
        return read_state(ballot_id)
    finally:
        close_old_connections()


_read_state_async = sync_to_async(_read_state, thread_sensitive=False)


class Hub:
    def __init__(self) -> None:
        self.interval = 1 / float(settings.LIVE_UPDATES_PER_SECOND)
        self.use_redis = bool(settings.REDIS_URL)
        self.sockets: dict[int, dict[str, set[Watcher]]] = {}
        self.latest: dict[int, tuple[Bundle, float]] = {}  # ballot -> (bundle, received at)
        self.redis_ok = False
        self.subscribed_at = float("inf")
        self._reads: dict[int, asyncio.Future] = {}
        self._sent: weakref.WeakKeyDictionary[Watcher, int] = weakref.WeakKeyDictionary()
        self._local_due: dict[int, float] = {}
        self._local_waiting: set[int] = set()
        self._last_refresh = 0.0
        self._tasks: list[asyncio.Task] = []
        self._commands: aioredis.Redis | None = None

    # --- sockets -------------------------------------------------------------------------
    async def join(self, ballot_id: int, audience: str, watcher: Watcher) -> bool:
        """Add a socket and send it the current state at once; False if the ballot is gone."""
        self._start()
        if await self.current(ballot_id) is None:
            if not self.sockets:
                self._stop()
            return False
        # No await between adding the socket and picking the frame to send: every later
        # delivery reaches it, and an update that landed during the read is sent now.
        self.sockets.setdefault(ballot_id, {}).setdefault(audience, set()).add(watcher)
        await self._send(watcher, self.latest[ballot_id][0], audience)
        return True

    def leave(self, ballot_id: int, audience: str, watcher: Watcher) -> None:
        audiences = self.sockets.get(ballot_id, {})
        audiences.get(audience, set()).discard(watcher)
        if not any(audiences.values()):
            self.sockets.pop(ballot_id, None)
        if not self.sockets and not self._reads:
            self._stop()

    async def current(self, ballot_id: int) -> Bundle | None:
        """The latest bundle if it can be trusted to be current, else a fresh read (one read
        per ballot however many sockets connect at once)."""
        cached = self.latest.get(ballot_id)
        if cached and self._trusted(cached[1]):
            return cached[0]
        if ballot_id in self._reads:
            return await asyncio.shield(self._reads[ballot_id])
        future = asyncio.get_running_loop().create_future()
        self._reads[ballot_id] = future
        try:
            state = await _read_state_async(ballot_id)
            bundle = None if state is None else Bundle.of(state)
            if bundle is not None:
                self._remember(bundle)
            future.set_result(bundle)
            return bundle
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it twice
            raise
        finally:
            del self._reads[ballot_id]

    def _trusted(self, received_at: float) -> bool:
        if not self.use_redis:
            return True  # every change of this process passes through its own ticker
        if self.redis_ok:
            return received_at >= self.subscribed_at
        return time.monotonic() - received_at < FALLBACK_REFRESH

    def _remember(self, bundle: Bundle) -> bool:
        """Keep the bundle if it is newer; True if its content differs from what was sent."""
        cached = self.latest.get(bundle.ballot_id)
        if cached and bundle.version <= cached[0].version:
            return False
        self.latest[bundle.ballot_id] = (bundle, time.monotonic())
        return cached is None or cached[0].signature != bundle.signature

    async def deliver(self, bundle: Bundle) -> None:
        """Write the bundle's frames to the local sockets, unless it is stale or unchanged."""
        if not self._remember(bundle):
            return
        for audience, watchers in list(self.sockets.get(bundle.ballot_id, {}).items()):
            for watcher in list(watchers):
                await self._send(watcher, bundle, audience)

    async def _send(self, watcher: Watcher, bundle: Bundle, audience: str) -> None:
        # Each socket sees strictly increasing versions, whatever order the sends interleave.
        if bundle.version <= self._sent.get(watcher, 0):
            return
        self._sent[watcher] = bundle.version
        try:
            await watcher.send_frame(bundle.frames[audience])
        except Exception:  # a socket that closed meanwhile: its disconnect removes it
            log.debug("live: send failed", exc_info=True)

    # --- tasks ---------------------------------------------------------------------------
    def _start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.ensure_future(self._tick_forever()))
        if self.use_redis:
            self._tasks.append(asyncio.ensure_future(self._subscribe_forever()))

    def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        self.redis_ok = False
        self.subscribed_at = float("inf")
        self.latest.clear()

    async def _tick_forever(self) -> None:
        while True:
            try:
                if self.use_redis and self.redis_ok:
                    await self._tick_redis()
                else:
                    await self._tick_local()
            except (redis.RedisError, OSError) as error:
                log.warning("live: Redis error in the ticker, updating locally (%s)", error)
                self.redis_ok = False
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live: update failed")
            await asyncio.sleep(self.interval / TICKS_PER_INTERVAL)

    async def _tick_redis(self) -> None:
        client = self._commands
        now = time.monotonic()
        wanted = marks.take_local_marks()
        if now - self._last_refresh >= SAFETY_REFRESH:
            wanted |= set(self.sockets)
            self._last_refresh = now
        if wanted:
            await client.sadd(marks.DIRTY_KEY, *wanted)
        gate_ms = max(1, int(self.interval * 1000))
        for raw in await client.smembers(marks.DIRTY_KEY):
            ballot_id = int(raw)
            if not await client.set(GATE_KEY.format(ballot_id), 1, nx=True, px=gate_ms):
                continue  # read less than an interval ago (by any process): next tick
            await client.srem(marks.DIRTY_KEY, raw)
            try:
                state = await _read_state_async(ballot_id)
            except Exception:
                await client.sadd(marks.DIRTY_KEY, ballot_id)  # read again next tick
                raise
            if state is not None:
                await client.publish(_channel(), Bundle.of(state).encode())

    async def _tick_local(self) -> None:
        now = time.monotonic()
        self._local_waiting |= marks.take_local_marks()
        if self.use_redis and now - self._last_refresh >= FALLBACK_REFRESH:
            # Redis is down: changes made in other processes cannot reach us; re-read.
            self._local_waiting |= set(self.sockets)
            self._last_refresh = now
        for ballot_id in list(self._local_waiting):
            if self._local_due.get(ballot_id, 0.0) > now:
                continue
            self._local_due[ballot_id] = now + self.interval
            state = await _read_state_async(ballot_id)  # on failure it stays waiting
            self._local_waiting.discard(ballot_id)
            if state is not None:
                await self.deliver(Bundle.of(state))

    async def _subscribe_forever(self) -> None:
        backoff = 0.25
        while True:
            listener = aioredis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, health_check_interval=2
            )
            self._commands = aioredis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            try:
                async with listener.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(_channel())
                    self.subscribed_at = time.monotonic()
                    self.redis_ok = True
                    backoff = 0.25
                    if self.sockets:  # resynchronise after a (re)connect
                        await self._commands.sadd(marks.DIRTY_KEY, *self.sockets)
                    while True:
                        message = await pubsub.get_message(timeout=1.0)
                        if message is not None:
                            await self.deliver(Bundle.decode(message["data"]))
            except (redis.RedisError, OSError) as error:
                if self.redis_ok:
                    log.warning("live: lost Redis, updating from the database (%s)", error)
                self.redis_ok = False
                self.subscribed_at = float("inf")
            finally:
                await asyncio.gather(
                    listener.aclose(), self._commands.aclose(), return_exceptions=True
                )
            await asyncio.sleep(backoff * (1 + random.random()))
            backoff = min(backoff * 2, 5.0)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def get_hub() -> Hub:
    """This event loop's hub (one per process in production; tests run a loop per test)."""
    loop = asyncio.get_running_loop()
    for other in [lp for lp in _hubs if lp.is_closed()]:
        del _hubs[other]
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
