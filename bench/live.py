"""The `live` scenario: M watchers on a ballot while votes come in at a given rate.

Per step: open a ballot, prepare the voters, connect the watchers (a child process), measure
the ASGI workers' idle CPU with the watchers connected, run the votes, wait until every
watcher holds a state that includes the last acknowledged vote, then close the ballot and wait
until every watcher has seen it closed. Figures: lag from acknowledgement to receipt
(p50/p95/p99/max over every watcher x vote), messages per watcher per second, and the ASGI
workers' CPU per delivered message above their idle rate.
"""

import asyncio
import multiprocessing
import time

from bench import cpu, lag, prepare, votes, watchers
from bench.stats import messages_per_second

READY_TIMEOUT = 300
CONVERGE_TIMEOUT = 30
CLOSED_TIMEOUT = 30


class Watchers:
    """The child process holding the sockets, and the pipe to drive it."""

    def __init__(self, stack, ballot_id: int, session_keys: list[str], compression):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        url = f"{stack.ws_base}/ws/ballots/{ballot_id}/live/"
        self.process = context.Process(
            target=watchers.main,
            args=(child, url, stack.base_url, session_keys, compression),
            daemon=True,
        )
        self.process.start()

    def ask(self, command: tuple, timeout: float):
        if command:
            self.conn.send(command)
        if not self.conn.poll(timeout):
            raise TimeoutError(f"watchers did not answer {command[:1] or 'ready'} in {timeout} s")
        return self.conn.recv()

    def cpu_seconds(self) -> float:
        return cpu.cpu_seconds(self.process.pid) or 0.0

    def stop(self) -> None:
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)


def run_step(
    stack,
    *,
    ballot_id: int,
    voters: list,
    watcher_keys: list[str],
    rate: float,
    seconds: float,
    concurrency: int,
    idle_seconds: float,
    compression,
    log,
    close_ballot,
) -> dict:
    group = Watchers(stack, ballot_id, watcher_keys, compression)
    try:
        _, connected, connect_s, connect_failures = group.ask((), READY_TIMEOUT)
        log(f"  {connected}/{len(watcher_keys)} watchers connected in {connect_s} s")
        # What holding the sockets costs (per-socket buffers, a deflate context each if
        # negotiated), summed over the ASGI workers.
        asgi_mb = sum(cpu.resident_mb(pid) or 0.0 for pid in stack.processes().get("asgi", []))
        idle = cpu.Meter(stack.processes).start()
        time.sleep(idle_seconds)
        idle_use = idle.stop()
        idle_rate = idle_use["cpu_s"].get("asgi", 0.0) / idle_use["wall_s"]

        meter = cpu.Meter(stack.processes).start()
        client_cpu = group.cpu_seconds()
        window_start_us = time.time_ns() // 1000
        acks, summary = asyncio.run(
            votes.cast(
                stack.base_url,
                votes.Ballot(ballot_id),
                voters,
                rate=rate,
                concurrency=concurrency,
                seconds=seconds,
            )
        )
        last_ack = max((a.at_us for a in acks), default=window_start_us)
        # Every committed vote of this step (a fresh ballot): a state with this turnout
        # includes them all (bench.stats.completion_receipt).
        final_count = prepare.counts(ballot_id)["participations"]
        _, converged_s, window_end_us = group.ask(
            ("converge", last_ack, CONVERGE_TIMEOUT, final_count), CONVERGE_TIMEOUT + 10
        )
        use = meter.stop()
        client_cpu = group.cpu_seconds() - client_cpu

        close_ballot(ballot_id)
        _, saw_closed_s = group.ask(("closed", CLOSED_TIMEOUT), CLOSED_TIMEOUT + 10)
        _, received, failures, closes = group.ask(("finish",), 60)
    finally:
        group.stop()

    window_s = (window_end_us - window_start_us) / 1e6
    # The states each watcher received during the votes, by their version (the server's read
    # time): the stream's rate is the server's, without the client's receive jitter.
    in_window = [
        [m[0] for m in messages if window_start_us <= m[1] <= window_end_us]
        for messages in received
    ]
    deliveries = sum(len(versions) for versions in in_window)
    asgi_cpu = use["cpu_s"].get("asgi", 0.0)
    above_idle = max(0.0, asgi_cpu - idle_rate * use["wall_s"])
    finals = [messages[-1] if messages else None for messages in received]
    return {
        "acks": acks,
        "final_counts": [f[2] if f else None for f in finals],
        "final_statuses": [f[3] if f else None for f in finals],
        "figures": {
            "offered_per_s": rate,
            "watchers": connected,
            "watchers_asked": len(watcher_keys),
            "connect_s": connect_s,
            "connect_failures": connect_failures,
            "failures": failures,
            "server_closes": dict(closes),
            "votes": summary["ok"],
            "votes_per_s": summary["per_s"],
            "cast_ms": summary["latency_ms"],
            "vote_errors": summary["errors"],
            "vote_errors_total": summary["errors_total"],
            "lag_ms": lag.lag_summary(received, [a.at_us for a in acks], final_count),
            "converged_after_last_vote_s": converged_s,
            "saw_closed_s": saw_closed_s,
            "window_s": round(window_s, 2),
            "deliveries": deliveries,
            "messages_per_watcher_per_s": messages_per_second(in_window),
            "asgi_cpu_s": round(asgi_cpu, 3),
            "asgi_idle_cpu_per_s": round(idle_rate, 4),
            "asgi_resident_mb_with_watchers": round(asgi_mb, 1),
            "cpu_ms_per_delivery": round(1000 * above_idle / deliveries, 4) if deliveries else None,
            "server_cpu_s": use["cpu_s"],
            "processes_started": use["processes_started"],
            "machine_busy_s": use["machine_busy_s"],
            "watcher_client_cpu_s": round(client_cpu, 2),
            "vote_client_cpu_s": use["load_generator_s"],
        },
    }
