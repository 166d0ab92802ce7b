"""WebSocket watchers of one ballot's live page, in a process of their own.

The parent drives it over a pipe: the child connects every watcher (session cookie, Origin
header, permessage-deflate offered as browsers do) and says "ready"; on "converge" it waits
until every watcher has a state at least as new as the given version; on "closed" until every
watcher has seen the ballot closed; then it closes the sockets and sends back what each
watcher received: (version µs, received µs, turnout count, status) per message.
"""

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import ws_client

CONNECT_CONCURRENCY = 50
OPEN_TIMEOUT = 60


@dataclass
class Watcher:
    messages: list = field(default_factory=list)  # (version, received_us, count, status)
    failure: str = ""
    closed_by_server: str = ""

    @property
    def last(self):
        return self.messages[-1] if self.messages else None


def main(conn, url: str, origin: str, session_keys: list[str], compression: str | None) -> None:
    """Entry point of the child process (multiprocessing, spawn)."""
    asyncio.run(_run(conn, url, origin, session_keys, compression))


async def _run(conn, url, origin, session_keys, compression):
    watchers = [Watcher() for _ in session_keys]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    first = [asyncio.Event() for _ in session_keys]
    sockets = []
    finishing = False

    async def watch(i: int, key: str):
        watcher = watchers[i]

        def received(raw: str, at: int) -> None:
            message = json.loads(raw)
            if message.get("type") == "state":
                watcher.messages.append(
                    (message["version"], at, message["turnout"]["count"], message["status"])
                )
                first[i].set()

        try:
            async with gate:
                ws = await ws_client.connect(
                    url,
                    origin=origin,
                    cookie=f"sessionid={key}",
                    compression=compression,
                    on_message=received,
                    timeout=OPEN_TIMEOUT,
                )
            sockets.append(ws)
            code = await ws.closed
            if not finishing:
                watcher.closed_by_server = f"closed {code}"
        except Exception as failed:
            watcher.failure = f"{type(failed).__name__}: {str(failed)[:80]}"
        finally:
            first[i].set()

    started = time.monotonic()
    tasks = [asyncio.create_task(watch(i, key)) for i, key in enumerate(session_keys)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in first)), timeout=OPEN_TIMEOUT * 3)
    connected = sum(1 for w in watchers if w.messages and not w.failure)
    conn.send(("ready", connected, round(time.monotonic() - started, 2), _failures(watchers)))

    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        kind = command[0]
        if kind == "converge":  # every watcher has a version >= this (or the final turnout)
            _, version, timeout, final_count = command
            waited = await _wait(
                lambda w, v=version, n=final_count: (
                    w.last is not None
                    and (w.last[0] >= v or (n is not None and (w.last[2] or 0) >= n))
                ),
                watchers,
                timeout,
            )
            conn.send(("converged", waited, time.time_ns() // 1000))
        elif kind == "closed":
            _, timeout = command
            waited = await _wait(
                lambda w: w.last is not None and w.last[3] == "closed", watchers, timeout
            )
            conn.send(("saw closed", waited))
        elif kind == "finish":
            finishing = True
            for ws in sockets:
                with contextlib.suppress(Exception):  # closing at the end: nothing to report
                    await ws.close(2)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            conn.send(
                (
                    "data",
                    [w.messages for w in watchers],
                    _failures(watchers),
                    Counter(w.closed_by_server for w in watchers if w.closed_by_server),
                )
            )
            return


def _failures(watchers) -> dict:
    return dict(Counter(w.failure for w in watchers if w.failure))


async def _wait(done, watchers, timeout: float) -> float | None:
    """Seconds until done(w) holds for every watcher still connected; None on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if all(done(w) for w in watchers if not w.failure and not w.closed_by_server):
            return round(time.monotonic() - start, 3)
        await asyncio.sleep(0.02)
    return None
