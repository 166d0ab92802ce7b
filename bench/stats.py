"""Pure arithmetic over measured samples: percentiles, summaries, live lag.

No Django, no I/O: tests/test_bench.py checks it. Times are in seconds unless a name says ms
or µs.
"""

import bisect
import math
from collections.abc import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method: the smallest sample such that at
    least q% of the samples are <= it. Never interpolates, so p99 of 100 samples is the 99th
    smallest and p100 the maximum. None for no samples."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0-100")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary_ms(seconds: Iterable[float]) -> dict:
    """count, p50/p95/p99/max and mean in milliseconds (rounded to 0.1 ms)."""
    values = sorted(seconds)
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}

    def ms(x: float) -> float:
        return round(x * 1000, 1)

    return {
        "count": len(values),
        "p50": ms(percentile(values, 50)),
        "p95": ms(percentile(values, 95)),
        "p99": ms(percentile(values, 99)),
        "max": ms(values[-1]),
        "mean": ms(sum(values) / len(values)),
    }


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def completion_receipt(messages: Sequence[tuple], final_count: int | None) -> int | None:
    """For one watcher: when (µs) it first received a state whose turnout is the step's final
    count (messages are (version_us, received_us, count, ...)), or None. Such a state
    includes every vote of the step, whatever its version: under overload the read that
    includes the last votes can start before their acknowledgements reach the client, and an
    unchanged state is not sent again, so no newer version follows until the next change
    (the 2026-12-02 run's 500/s live step: 31 s of "lag" for watchers that had every vote)."""
    if final_count is None:
        return None
    for message in messages:
        if len(message) > 2 and message[2] is not None and message[2] >= final_count:
            return message[1]
    return None


def first_receipts(
    messages: Sequence[tuple], acks_us: Sequence[int], complete_us: int | None = None
) -> list[int | None]:
    """For one watcher: for each acknowledged vote (its acknowledgement time in µs), the time
    (µs) the watcher first received a state that includes it, or None if it never did.

    `messages` are (version_us, received_us, ...) in the order received. A state includes every
    vote acknowledged at or before its version (live contract), so the answer for an ack at t
    is the earliest receipt among messages with version >= t; or `complete_us`
    (completion_receipt) when that is earlier. A message whose version is not above the
    previous one's is stale and ignored, as the client does.
    """
    versions: list[int] = []
    received: list[int] = []
    for version, at, *_rest in messages:
        if versions and version <= versions[-1]:
            continue
        versions.append(version)
        received.append(at)
    # Receipt times are non-decreasing in arrival order, and kept versions increase with
    # arrival, so the first message with version >= t is also the earliest receipt.
    out: list[int | None] = []
    for ack in acks_us:
        i = bisect.bisect_left(versions, ack)
        by_version = received[i] if i < len(versions) else None
        found = [t for t in (by_version, complete_us) if t is not None]
        out.append(min(found) if found else None)
    return out


def lags_us(
    messages: Sequence[tuple], acks_us: Sequence[int], complete_us: int | None = None
) -> tuple[list[int], int]:
    """One watcher's lags (receipt minus acknowledgement, µs) and how many votes it never saw.
    A receipt before the acknowledgement (the state was read after the commit but the response
    reached the client later) is a lag of zero, not a negative one."""
    lags, missed = [], 0
    for ack, got in zip(acks_us, first_receipts(messages, acks_us, complete_us), strict=True):
        if got is None:
            missed += 1
        else:
            lags.append(max(0, got - ack))
    return lags, missed


def messages_per_second(times_us: Sequence[Sequence[int]]) -> dict:
    """Messages per watcher per second, from each watcher's message times (µs) in a window
    (the bench passes the states' versions, the server's read times, so the client's receive
    jitter does not count): (n - 1) / (last - first), the rate of its message stream. Counting
    n over the window instead would add up to one message per window and read 2.3/s for a
    steady 2/s in a 3-second run. Mean and max over the watchers with at least two."""
    rates = [
        (len(times) - 1) / ((times[-1] - times[0]) / 1e6)
        for times in times_us
        if len(times) >= 2 and times[-1] > times[0]
    ]
    if not rates:
        return {"mean": None, "max": None}
    return {"mean": round(sum(rates) / len(rates), 2), "max": round(max(rates), 2)}
