"""Live lag over thousands of watchers x thousands of votes, with numpy.

The rule is stats.first_receipts (one watcher, pure Python, the reference); this computes the
same thing for every (watcher, vote) pair in a histogram of 1 ms bins, so 5,000 watchers x
10,000 votes need no 50-million-element list. Percentiles come out to the millisecond.
"""

import numpy as np

from bench.stats import completion_receipt


def watcher_lags_us(
    messages, acks_us: np.ndarray, final_count: int | None = None
) -> tuple[np.ndarray, int]:
    """One watcher: lag (µs, >= 0) for every ack it saw, and how many it never saw.
    `messages` are (version, received_us, count, ...) in arrival order; `acks_us` sorted.
    A state with the step's `final_count` includes every vote (stats.completion_receipt)."""
    versions, received = [], []
    for message in messages:
        if versions and message[0] <= versions[-1]:
            continue  # stale: not newer than what the client already applied
        versions.append(message[0])
        received.append(message[1])
    complete = completion_receipt(messages, final_count)
    never = np.iinfo(np.int64).max
    got = np.full(len(acks_us), never, dtype=np.int64)
    if versions:
        index = np.searchsorted(np.asarray(versions, dtype=np.int64), acks_us, side="left")
        by_version = index < len(versions)
        got[by_version] = np.asarray(received, dtype=np.int64)[index[by_version]]
    if complete is not None:
        got = np.minimum(got, complete)
    seen = got != never
    return np.maximum(got[seen] - acks_us[seen], 0), int((~seen).sum())


class LagHistogram:
    def __init__(self):
        self.bins = np.zeros(1000, dtype=np.int64)  # 1 ms each; grows as needed
        self.count = 0
        self.missed = 0
        self.max_us = 0
        self.total_us = 0

    def add(self, lags_us: np.ndarray, missed: int = 0) -> None:
        self.missed += missed
        if not len(lags_us):
            return
        ms = lags_us // 1000
        top = int(ms.max())
        if top >= len(self.bins):
            self.bins = np.concatenate([self.bins, np.zeros(top + 1 - len(self.bins), np.int64)])
        self.bins += np.bincount(ms, minlength=len(self.bins))
        self.count += len(lags_us)
        self.max_us = max(self.max_us, int(lags_us.max()))
        self.total_us += int(lags_us.sum())

    def percentile_ms(self, q: float) -> float | None:
        """Nearest rank, like stats.percentile; the answer is the upper edge of its 1 ms bin,
        so it never understates the lag."""
        if not self.count:
            return None
        rank = max(1, int(np.ceil(q / 100 * self.count)))
        index = int(np.searchsorted(np.cumsum(self.bins), rank, side="left"))
        return float(min(index + 1, self.max_us / 1000))

    def summary(self) -> dict:
        return {
            "count": self.count,
            "missed": self.missed,
            "p50": self.percentile_ms(50),
            "p95": self.percentile_ms(95),
            "p99": self.percentile_ms(99),
            "max": round(self.max_us / 1000, 1) if self.count else None,
            "mean": round(self.total_us / self.count / 1000, 1) if self.count else None,
        }


def lag_summary(watchers: list, acks_us: list[int], final_count: int | None = None) -> dict:
    acks = np.sort(np.asarray(acks_us, dtype=np.int64))
    histogram = LagHistogram()
    for messages in watchers:
        histogram.add(*watcher_lags_us(messages, acks, final_count))
    return histogram.summary()
