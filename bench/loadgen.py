"""Driving requests: flat out (a fixed number of concurrent clients) or at an offered rate
(open loop). Bounded in count (the items given) and in time (a deadline for starting new ones;
each request has its own timeout).

At an offered rate, latency is counted from when the request was due, not from when it was
sent: a server (or client) that falls behind shows it in the latency instead of quietly
sending less (no coordinated omission). The slip between due and sent is reported too, so a
saturated load generator cannot pass for a slow server.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bench.client import error_kind
from bench.stats import latency_summary_ms, percentile, rate


@dataclass
class Outcome:
    due: float  # monotonic s: when it was due (open loop) or started (flat out)
    sent: float
    end: float
    ok: bool
    kind: str = ""  # what went wrong, when not ok
    value: object = None  # what the call returned (e.g. a receipt)


# A call does one unit of work and returns (ok, error kind, value).
Call = Callable[[object], Awaitable[tuple[bool, str, object]]]


async def _timed(call: Call, item, due: float) -> Outcome:
    sent = time.monotonic()
    try:
        ok, kind, value = await call(item)
    except Exception as failed:
        ok, kind, value = False, error_kind(None, failed), None
    return Outcome(due, sent, time.monotonic(), ok, kind, value)


async def flat_out(items: Iterable, call: Call, *, concurrency: int, seconds: float) -> list:
    """`concurrency` clients, each starting its next item as soon as the last one finished,
    until the items run out or `seconds` have passed."""
    source = iter(items)
    outcomes: list[Outcome] = []
    stop_at = time.monotonic() + seconds

    async def client():
        while time.monotonic() < stop_at:
            item = next(source, None)
            if item is None:
                return
            outcomes.append(await _timed(call, item, time.monotonic()))

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return outcomes


async def at_rate(
    items: Iterable, call: Call, *, per_second: float, seconds: float, max_in_flight: int = 1000
) -> list:
    """Start one item every 1/per_second s (evenly spaced) until the items run out or
    `seconds` have passed; at most `max_in_flight` run at once (the rest wait, and that wait
    counts in their latency)."""
    gate = asyncio.Semaphore(max_in_flight)
    start = time.monotonic()
    tasks = []

    async def one(item, due):
        async with gate:
            return await _timed(call, item, due)

    for i, item in enumerate(items):
        due = start + i / per_second
        if due - start >= seconds:
            break
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(item, due)))
    return list(await asyncio.gather(*tasks))


def summarize(outcomes: list[Outcome], *, offered: float | None = None) -> dict:
    """Completed and failed counts, errors by kind, throughput over the run's window, latency
    of the successful ones (from due time), the schedule slip, and completions per second."""
    good = [o for o in outcomes if o.ok]
    errors = Counter(o.kind for o in outcomes if not o.ok)
    if outcomes:
        first = min(o.due for o in outcomes)
        window = max(o.end for o in outcomes) - first
    else:
        first, window = 0.0, 0.0
    timeline = Counter(int(o.end - first) for o in good)
    slips = [max(0.0, o.sent - o.due) for o in outcomes]
    return {
        "offered_per_s": offered,
        "attempted": len(outcomes),
        "ok": len(good),
        "errors_total": sum(errors.values()),
        "errors": dict(errors.most_common()),
        "duration_s": round(window, 2),
        "per_s": rate(len(good), window),
        "latency_ms": latency_summary_ms(o.end - o.due for o in good),
        "send_slip_ms_p99": round((percentile(slips, 99) or 0.0) * 1000, 1),
        "ok_per_second": [timeline.get(s, 0) for s in range(int(window) + 1)] if good else [],
    }
