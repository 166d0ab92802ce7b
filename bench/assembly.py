"""The `assembly` scenario (issue #18): the chair says "de stemming is geopend" and the members
arrive within a minute, while the hall and the members at home watch the live turnout.

Per step (5,000 members, then the association's 13,000): one fresh ballot, opened through the
service; the watchers connect to its live socket first (the live page and the projector read
the same stream); then every member arrives once, at a Poisson time within the arrival window
(exponential gaps, seeded), and goes through what a browser does: the home page, the ballot
page, the review step (POST) and the cast (POST), reading the receipt code. Nothing is
prepared before the clock starts: every member's first request of the step is cold.

Figures per step: each of the four requests' latency (the first from the member's arrival
time, so a server that falls behind shows it, the rest from when the previous answer came),
errors by step, when the last member was done (seconds after the opening), the live lag of
the watchers over those votes. Checks: as every voting step (acknowledged == stored ==
counted, no duplicates, every receipt found, the ledger verifies) and the watchers saw every
vote and the closing.
"""

import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import cpu, lag, live, prepare
from bench.client import Browser, error_kind, find_form, make_client, receipt_code
from bench.prepare import Member
from bench.stats import latency_summary_ms
from bench.votes import Ack, Ballot

STEPS = ("home", "ballot_page", "review", "cast")
CONNECTIONS = 512  # browsers each hold their own; nginx takes them all
CONVERGE_TIMEOUT = 60
CLOSED_TIMEOUT = 60


@dataclass
class Journey:
    """One member's way through the vote: per request (started, ended, ok, error kind)."""

    member: Member
    due: float  # monotonic s: the member's arrival
    requests: dict = field(default_factory=dict)
    ack: Ack | None = None
    failed_at: str = ""


def arrivals(count: int, window_s: float, seed: int) -> list[float]:
    """`count` Poisson arrival offsets (s) over `window_s`: exponential gaps at rate
    count/window, scaled so the last one falls inside the window."""
    rng = random.Random(seed)
    times, t = [], 0.0
    for _ in range(count):
        t += rng.expovariate(count / window_s)
        times.append(t)
    if times and times[-1] > window_s:
        scale = window_s / times[-1]
        times = [x * scale for x in times]
    return times


async def _walk(client, origin: str, ballot: Ballot, journey: Journey, rng: random.Random) -> None:
    browser = Browser(origin, {"sessionid": journey.member.session_key})

    async def step(name: str, started: float, send):
        try:
            response = await send()
        except Exception as failed:
            journey.requests[name] = (started, time.monotonic(), False, error_kind(None, failed))
            journey.failed_at = name
            return None
        browser.remember(response)
        ok = response.status_code == 200
        kind = "" if ok else error_kind(response)
        journey.requests[name] = (started, time.monotonic(), ok, kind)
        if not ok:
            journey.failed_at = name
            return None
        return response

    def fail(name: str, kind: str) -> None:
        started, ended, _, _ = journey.requests[name]
        journey.requests[name] = (started, ended, False, kind)
        journey.failed_at = name

    home = await step("home", journey.due, lambda: client.get("/", headers=browser.header()))
    if home is None:
        return
    page = await step(
        "ballot_page", time.monotonic(), lambda: client.get(ballot.page, headers=browser.header())
    )
    if page is None:
        return
    form = find_form(page.text, ballot.action, step="review")
    if form is None or not form.radios.get("choice"):
        return fail("ballot_page", "no vote form")
    data = {**form.fields, "choice": rng.choice(form.radios["choice"])}
    confirm = await step(
        "review",
        time.monotonic(),
        lambda: client.post(ballot.action, data=data, headers=browser.post_headers(ballot.page)),
    )
    if confirm is None:
        return
    cast_form = find_form(confirm.text, ballot.action, step="cast")
    if cast_form is None:
        return fail("review", "no confirmation form")
    answer = await step(
        "cast",
        time.monotonic(),
        lambda: client.post(
            ballot.action, data=cast_form.fields, headers=browser.post_headers(ballot.action)
        ),
    )
    if answer is None:
        return
    code = receipt_code(answer.text)
    if code is None:
        return fail("cast", "200 without a receipt code")
    journey.ack = Ack(journey.member.user_id, time.time_ns() // 1000, code)


async def arrive(
    base_url: str, ballot: Ballot, members: list[Member], *, window_s: float, seed: int
) -> tuple[list[Journey], float]:
    """Every member arrives once (Poisson over `window_s`) and votes; returns the journeys
    and the monotonic time of the opening (the first arrival's zero)."""
    rng = random.Random(seed)
    offsets = arrivals(len(members), window_s, seed)
    async with make_client(base_url, CONNECTIONS) as client:
        opened = time.monotonic()
        journeys = [Journey(m, opened + t) for m, t in zip(members, offsets, strict=True)]
        tasks = []
        for journey in journeys:
            delay = journey.due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_walk(client, base_url, ballot, journey, rng)))
        await asyncio.gather(*tasks)
    return journeys, opened


def step_summary(journeys: list[Journey], opened: float, window_s: float) -> dict:
    """Latency and errors per request kind; when the last member was done."""
    per_step = {}
    for name in STEPS:
        done = [j.requests[name] for j in journeys if name in j.requests]
        good = [end - start for start, end, ok, _ in done if ok]
        errors = dict(Counter(kind for _, _, ok, kind in done if not ok))
        per_step[name] = {
            "requests": len(done),
            "ok": len(good),
            "latency_ms": latency_summary_ms(good),
            "errors_total": sum(errors.values()),
            "errors": errors,
        }
    finished = [j.requests["cast"][1] - opened for j in journeys if j.ack is not None]
    return {
        "members": len(journeys),
        "arrival_window_s": window_s,
        "voted": len(finished),
        "not_done": len(journeys) - len(finished),
        "last_done_s": round(max(finished), 2) if finished else None,
        "steps": per_step,
        "errors_total": sum(s["errors_total"] for s in per_step.values()),
        "worst_step_p99_ms": max(
            (s["latency_ms"]["p99"] or 0 for s in per_step.values()), default=None
        ),
        "failed_at": dict(Counter(j.failed_at for j in journeys if j.failed_at)),
    }


def run_step(
    served,
    *,
    members: list[Member],
    watcher_keys: list[str],
    window_s: float,
    seed: int,
    compression,
    log,
    open_ballot,
    close_ballot,
    profiler=None,
) -> dict:
    """One assembly: watchers connected, the ballot opened, the members arriving, the
    watchers converged, the ballot closed. Returns figures, acks and the watchers' data."""
    ballot_id = open_ballot(f"Bench: vergadering, {len(members)} leden")
    group = live.Watchers(served, ballot_id, watcher_keys, compression)
    try:
        _, connected, connect_s, connect_failures = group.ask((), live.READY_TIMEOUT)
        log(f"  {connected}/{len(watcher_keys)} watchers connected in {connect_s} s")
        meter = cpu.Meter(served.processes).start()
        watchers_cpu = group.cpu_seconds()
        recorder = profiler() if profiler else None  # py-spy over the arrival window
        journeys, opened = asyncio.run(
            arrive(served.base_url, Ballot(ballot_id), members, window_s=window_s, seed=seed)
        )
        use = meter.stop()
        use["watchers_s"] = round(group.cpu_seconds() - watchers_cpu, 3)
        profiled = recorder.stop() if recorder is not None else None
        acks = [j.ack for j in journeys if j.ack is not None]
        last_ack = max((a.at_us for a in acks), default=time.time_ns() // 1000)
        # Every committed vote of this step (a fresh ballot): a state with this turnout
        # includes them all (bench.stats.completion_receipt).
        final_count = prepare.counts(ballot_id)["participations"]
        _, converged_s, _ = group.ask(
            ("converge", last_ack, CONVERGE_TIMEOUT, final_count), CONVERGE_TIMEOUT + 10
        )
        close_ballot(ballot_id)
        _, saw_closed_s = group.ask(("closed", CLOSED_TIMEOUT), CLOSED_TIMEOUT + 10)
        _, received, failures, closes = group.ask(("finish",), 60)
    finally:
        group.stop()
    figures = step_summary(journeys, opened, window_s)
    finals = [messages[-1] if messages else None for messages in received]
    figures.update(
        {
            "ballot": ballot_id,
            "watchers": connected,
            "watchers_asked": len(watcher_keys),
            "watcher_connect_s": connect_s,
            "watcher_connect_failures": connect_failures,
            "failures": failures,
            "server_closes": dict(closes),
            "lag_ms": lag.lag_summary(received, [a.at_us for a in acks], final_count),
            "converged_after_last_vote_s": converged_s,
            "saw_closed_s": saw_closed_s,
            "cpu": _cpu_shares(use),
        }
    )
    if profiled is not None:
        figures["profile"] = profiled
    return {
        "figures": figures,
        "acks": acks,
        "final_counts": [f[2] if f else None for f in finals],
        "final_statuses": [f[3] if f else None for f in finals],
    }


def _cpu_shares(use: dict) -> dict:
    """Where the machine's CPU went while the members arrived and voted: seconds per server
    role, the watchers' process and this load generator (both bench, on the same cores), the
    rest (PostgreSQL, Redis, nginx), and the share of both cores that was busy."""
    roles = use["cpu_s"]
    bench_s = use["load_generator_s"] + use["watchers_s"]
    rest = use["machine_busy_s"] - sum(roles.values()) - bench_s
    cores = os.cpu_count() or 1
    return {
        "wall_s": use["wall_s"],
        "seconds": {
            **roles,
            "bench_load_generator": use["load_generator_s"],
            "bench_watchers": use["watchers_s"],
            "rest_of_machine": round(max(0.0, rest), 3),
        },
        "machine_busy_share": round(use["machine_busy_s"] / (use["wall_s"] * cores), 3)
        if use["wall_s"]
        else None,
    }


def headline(steps: dict) -> dict:
    """What the targets judge, over every step: the latest finish, the worst p99 of any
    request, all errors."""
    if not steps:
        return {}
    values = list(steps.values())
    return {
        "members": max(s["members"] for s in values),
        # None when a member never got through: no finishing time to speak of.
        "last_done_s": None
        if any(s["last_done_s"] is None or s["not_done"] for s in values)
        else max(s["last_done_s"] for s in values),
        "worst_step_p99_ms": max(s["worst_step_p99_ms"] or 0 for s in values),
        "errors_total": sum(s["errors_total"] + s["not_done"] for s in values),
        "lag_ms_p99": max((s["lag_ms"]["p99"] or 0) for s in values),
    }
