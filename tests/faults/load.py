"""The fault tests' clients: voters going through the real vote form, and live watchers that
reconnect as the browser's live.js does. Every client records exactly what it saw.

Built on the bench's pieces (bench.client: cookies, forms, receipt codes, error kinds;
bench.http1: the HTTP client; bench.loadgen: the offered-rate driver), but each voter does the
whole path inside the burst (ballot page, review, cast), so a fault can hit any step.
"""

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import connect

from bench import loadgen
from bench.client import Browser, error_kind, find_form, make_client, receipt_code

REQUEST_TIMEOUT = 20.0  # s per HTTP request
WS_OPEN_TIMEOUT = 5.0
BACKOFF_START, BACKOFF_CAP = 0.25, 3.0  # s: live.js's full-jitter backoff, capped for a test


@dataclass
class VoteRecord:
    """What one voter saw: a receipt code, or the step and kind of the failure."""

    user_id: int
    outcome: str = "not started"  # "receipt" or "<step>: <error kind>"
    status: int | None = None  # HTTP status of the last answer, if any
    code: str | None = None
    started: float = 0.0  # s since the burst started
    ended: float = 0.0


async def vote_burst(
    base_url: str,
    ballot_id: int,
    voters: list[tuple[int, str]],
    *,
    per_second: float,
    connections: int = 48,
    seed: int = 0,
) -> tuple[list[VoteRecord], float]:
    """Every voter (user id, session key) votes once, started at `per_second`; returns the
    records (in voter order) and the burst's monotonic start time."""
    rng = random.Random(seed)
    page = f"/stemmingen/{ballot_id}/"
    action = f"/stemmingen/{ballot_id}/stemmen/"
    records = [VoteRecord(user) for user, _ in voters]
    browsers = [Browser(base_url, {"sessionid": key}) for _, key in voters]
    start = time.monotonic()

    async with make_client(base_url, connections) as client:
        client.timeout = REQUEST_TIMEOUT

        async def one(index: int):
            record, browser = records[index], browsers[index]
            record.started = time.monotonic() - start
            step = "page"
            try:
                answer = await client.get(page, headers=browser.header())
                browser.remember(answer)
                record.status = answer.status_code
                form = find_form(answer.text, action, step="review")
                if answer.status_code != 200 or form is None or not form.radios.get("choice"):
                    record.outcome = f"page: {_failed(answer, 'no vote form')}"
                    return False, record.outcome, record
                step = "review"
                data = {**form.fields, "choice": rng.choice(form.radios["choice"])}
                answer = await client.post(action, data=data, headers=browser.post_headers(page))
                browser.remember(answer)
                record.status = answer.status_code
                form = find_form(answer.text, action, step="cast")
                if answer.status_code != 200 or form is None:
                    record.outcome = f"review: {_failed(answer, 'no confirmation form')}"
                    return False, record.outcome, record
                step = "cast"
                answer = await client.post(
                    action, data=form.fields, headers=browser.post_headers(action)
                )
                browser.remember(answer)
                record.status = answer.status_code
                record.code = receipt_code(answer.text) if answer.status_code == 200 else None
                if record.code is None:
                    record.outcome = f"cast: {_failed(answer, '200 without a receipt code')}"
                    return False, record.outcome, record
                record.outcome = "receipt"
                return True, "", record
            except Exception as failed:
                record.outcome = f"{step}: {error_kind(None, failed)}"
                return False, record.outcome, record
            finally:
                record.ended = time.monotonic() - start

        await loadgen.at_rate(
            range(len(voters)),
            one,
            per_second=per_second,
            seconds=len(voters) / per_second + 1,
            max_in_flight=connections,
        )
    return records, start


def _failed(answer, otherwise: str) -> str:
    return error_kind(answer) if answer.status_code != 200 else otherwise


def outcome_counts(records: list[VoteRecord]) -> dict[str, int]:
    return dict(Counter(r.outcome for r in records).most_common())


# --- Live watchers ------------------------------------------------------------------------------


@dataclass
class LiveWatcher:
    """One live page: connects through nginx, reconnects with backoff when the socket ends,
    records every state and every drop."""

    name: str
    url: str
    origin: str
    session_key: str
    ballot_id: int
    # Times are time.monotonic() values; summary() shows them relative to a given origin.
    states: list = field(default_factory=list)  # (time, turnout count, status, version)
    connects: list = field(default_factory=list)  # time of each successful open
    drops: list = field(default_factory=list)  # (time, how the socket ended)
    failed_attempts: Counter = field(default_factory=Counter)
    _task: asyncio.Task | None = None
    _stopping: bool = False

    @property
    def last(self):
        return self.states[-1] if self.states else None

    def begin(self) -> "LiveWatcher":
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            try:
                async with connect(
                    self.url,
                    origin=self.origin,
                    additional_headers={"Cookie": f"sessionid={self.session_key}"},
                    open_timeout=WS_OPEN_TIMEOUT,
                    close_timeout=2,
                    ping_interval=None,  # browsers do not ping; the server does
                    max_queue=None,
                ) as ws:
                    self.connects.append(time.monotonic())
                    attempt = 0
                    async for raw in ws:
                        message = json.loads(raw)
                        ours = message.get("ballot") == self.ballot_id
                        if message.get("type") == "state" and ours:
                            self.states.append(
                                (
                                    time.monotonic(),
                                    message["turnout"]["count"],
                                    message["status"],
                                    message["version"],
                                )
                            )
                    ended = f"closed {ws.close_code}"
                if not self._stopping:
                    self.drops.append((time.monotonic(), ended))
            except asyncio.CancelledError:
                raise
            except Exception as failed:
                if self._stopping:
                    return
                kind = type(failed).__name__
                if self.connects and (not self.drops or self.drops[-1][0] < self.connects[-1]):
                    self.drops.append((time.monotonic(), kind))
                else:
                    self.failed_attempts[kind] += 1
            if self._stopping:
                return
            await asyncio.sleep(random.random() * min(BACKOFF_CAP, BACKOFF_START * 2**attempt))
            attempt += 1

    async def wait_for(self, check, timeout: float) -> float | None:
        """Seconds until check(last state) holds, None on timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.last is not None and check(self.last):
                return round(time.monotonic() - started, 2)
            await asyncio.sleep(0.05)
        return None

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5)

    def summary(self, origin: float) -> dict:
        """What this watcher saw; times in s since `origin` (the burst's start)."""

        def at(t: float) -> float:
            return round(t - origin, 2)

        return {
            "name": self.name,
            "connects_at_s": [at(t) for t in self.connects],
            "drops": [f"{at(t)}s {how}" for t, how in self.drops],
            "failed_attempts": dict(self.failed_attempts),
            "states": len(self.states),
            "last": {"count": self.last[1], "status": self.last[2]} if self.last else None,
        }

    def reconnected_after(self, t: float) -> float | None:
        """The first successful open after time t, if any."""
        return next((c for c in self.connects if c > t), None)

    def updates_between(self, start: float, end: float) -> int:
        """States received in [start, end] that showed a new turnout."""
        seen = [count for t, count, _, _ in self.states if t < start]
        last = seen[-1] if seen else None
        changed = 0
        for t, count, _, _ in self.states:
            if start <= t <= end and count != last:
                changed += 1
                last = count
        return changed


async def wait_all(watchers: list[LiveWatcher], check, timeout: float) -> float | None:
    """Seconds until every watcher's last state passes `check`; None on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(w.last is not None and check(w.last) for w in watchers):
            return round(time.monotonic() - started, 2)
        await asyncio.sleep(0.05)
    return None
