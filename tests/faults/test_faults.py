"""Fault tests (issue #8 item 4): the production shape (scripts/serve-prod: nginx, gunicorn,
two uvicorn workers, huey) on a private PostgreSQL cluster and Redis server, a burst of votes
through the real vote form with live watchers connected, and a fault in the middle of it:

- an ASGI (uvicorn) worker SIGKILLed: serve-prod restarts it; its watchers reconnect;
- a gunicorn worker SIGKILLed: gunicorn's master starts another; votes in flight may fail;
- Redis killed and started again on the same port (no persistence: every key is gone);
- PostgreSQL restarted (`pg_ctl restart -m fast`): votes fail while it is down.

After each: every vote that got a receipt is stored exactly once (Participation, and the
secret ballot's PendingVote / Vote rows by receipt hash), a vote recorded without a receipt
(the answer was lost) is counted once and belongs to a voter whose client saw an error, no
elector takes part twice, `verify_ledger` passes after closing, and the live view recovers: a
watcher connected after the fault gets the database's turnout, every watcher reaches the final
(closed) state. What each client saw is printed and written to var/faults/latest.json.

`make test-faults` (excluded from `make test`; CI runs it after the PostgreSQL + Redis pass).
"""

import asyncio
import json
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass

import psycopg
import pytest

from tests.faults.conftest import REPORT_DIR, World
from tests.faults.load import LiveWatcher, outcome_counts, vote_burst, wait_all

pytestmark = pytest.mark.faults

RATE = 50.0  # voters started per second: 300 voters, a 6 s burst
FAULT_AT = 1.5  # s into the burst
WATCHERS = 6
SCENARIO_TIMEOUT = 150  # s for one scenario, whatever happens
CONVERGE_TIMEOUT = 25  # s for every watcher to show the database's turnout / the close


# --- Faults: each runs in a thread during the burst -------------------------------------------
# Each returns what it did, with "_at" (when the fault hit) and "_back" (when the service was
# whole again) as time.monotonic() values.

REDIS_DOWN = 3.0  # s between killing Redis and starting it again: the hubs fall back meanwhile


def kill_asgi_worker(world: World) -> dict:
    server = world.server
    pid = server.children()["asgi-1"]
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    back = server.wait_restarted("asgi-1", pid, server.asgi_ports[0], timeout=30)
    return {"killed": "asgi-1 (uvicorn)", "pid": pid, "_at": killed, "_back": killed + back}


def kill_gunicorn_worker(world: World) -> dict:
    server = world.server
    before = server.gunicorn_workers()
    assert len(before) >= 2, f"gunicorn workers: {before}"
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    deadline = killed + 30
    while time.monotonic() < deadline:
        now = server.gunicorn_workers()
        if victim not in now and len(now) == len(before):
            return {
                "killed": "gunicorn worker",
                "pid": victim,
                "_at": killed,
                "_back": time.monotonic(),
            }
        time.sleep(0.05)
    raise AssertionError(f"gunicorn did not replace worker {victim} within 30 s")


def restart_redis(world: World) -> dict:
    world.redis.kill()
    killed = time.monotonic()
    time.sleep(REDIS_DOWN)
    world.redis.start()
    return {
        "restarted": "redis (SIGKILL, start on the same port)",
        "_at": killed,
        "_back": time.monotonic(),
    }


def restart_postgres(world: World) -> dict:
    started = time.monotonic()
    world.postgres.restart()
    return {
        "restarted": "postgresql (pg_ctl restart -m fast)",
        "_at": started,
        "_back": time.monotonic(),
    }


# --- One scenario ---------------------------------------------------------------------------


def participations(world: World, ballot_id: int, timeout: float = 30) -> int:
    """Participation rows of the ballot, straight from PostgreSQL (retried while it restarts)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(world.postgres.url(world.database), connect_timeout=3) as conn:
                return conn.execute(
                    "SELECT count(*) FROM ballots_participation WHERE ballot_id = %s", [ballot_id]
                ).fetchone()[0]
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def watcher(world: World, name: str, ballot_id: int, member: int) -> LiveWatcher:
    server = world.server
    return LiveWatcher(
        name=name,
        url=f"ws://127.0.0.1:{server.http_port}/ws/ballots/{ballot_id}/live/",
        origin=server.base_url,
        session_key=world.members[member][1],
        ballot_id=ballot_id,
    )


@dataclass
class Run:
    """One scenario's report, and what the scenario-specific checks need besides it."""

    report: dict
    watchers: list[LiveWatcher]  # connected before the burst (not the late one)
    fault_at: float  # time.monotonic() values
    fault_back: float


async def run_scenario(world: World, name: str, fault) -> Run:
    began = time.monotonic()
    ballot_id = await asyncio.to_thread(world.dbside, "open", f"Storingstest {name}?")
    watchers = [watcher(world, f"w{i}", ballot_id, i).begin() for i in range(WATCHERS)]
    late = None
    try:
        ready = await wait_all(watchers, lambda s: s[2] == "open", CONVERGE_TIMEOUT)
        assert ready is not None, "watchers did not connect before the burst"

        burst = asyncio.create_task(
            vote_burst(world.server.base_url, ballot_id, world.members, per_second=RATE, seed=7)
        )
        await asyncio.sleep(FAULT_AT)
        fault_info = await asyncio.to_thread(fault, world)
        records, burst_start = await burst
        at, back = fault_info.pop("_at"), fault_info.pop("_back")

        # The database's truth once the burst is over, then the live view's recovery.
        expected = await asyncio.to_thread(participations, world, ballot_id)
        converged = await wait_all(
            watchers, lambda s: s[1] == expected and s[2] == "open", CONVERGE_TIMEOUT
        )
        late = watcher(world, "late", ballot_id, WATCHERS).begin()
        late_ready = await late.wait_for(lambda s: True, CONVERGE_TIMEOUT)
        late_first = late.states[0][1] if late.states else None

        receipts = {r.user_id: r.code for r in records if r.code}
        finish = await asyncio.to_thread(
            world.dbside,
            "finish",
            str(ballot_id),
            stdin={"receipts": receipts, "attempted": [r.user_id for r in records]},
        )
        everyone = [*watchers, late]
        closed = await wait_all(
            everyone, lambda s: s[1] == expected and s[2] == "closed", CONVERGE_TIMEOUT
        )
    finally:
        for w in [*watchers, *([late] if late else [])]:
            await w.stop()

    by_user = {r.user_id: r for r in records}
    blind = finish["closed"]["recorded_without_receipt"]
    fault_at, fault_back = at - burst_start, back - burst_start
    report = {
        "scenario": name,
        "ballot": ballot_id,
        "voters": len(records),
        "rate_per_s": RATE,
        "fault": {
            **fault_info,
            "at_s": round(fault_at, 2),
            "whole_again_at_s": round(fault_back, 2),
        },
        "outcomes": outcome_counts(records),
        "errors_by_phase": _errors_by_phase(records, fault_at, fault_back),
        "receipts_after_fault": sum(1 for r in records if r.code and r.started > fault_back),
        "recorded_without_receipt": {
            "count": len(blind),
            "what_those_clients_saw": dict(
                Counter(by_user[u].outcome for u in blind if u in by_user)
            ),
        },
        "database_participations": expected,
        "audit_open": {k: v for k, v in finish["open"].items() if not isinstance(v, list)},
        "audit_closed": {k: v for k, v in finish["closed"].items() if not isinstance(v, list)},
        "verify_ledger": finish["verify_ledger"],
        "live": {
            "ready_s": ready,
            "converged_after_burst_s": converged,
            "late_watcher_first_count": late_first,
            "late_watcher_ready_s": late_ready,
            "all_saw_closed_s": closed,
            "watchers": [w.summary(burst_start) for w in everyone],
        },
    }
    report["checks"] = _common_checks(report, finish, blind, by_user, late_first)
    report["duration_s"] = round(time.monotonic() - began, 1)
    return Run(report, watchers, at, back)


def _errors_by_phase(records, fault_at: float, fault_done: float) -> dict:
    phases = {"before fault": 0, "during fault (+2 s)": 0, "after": 0}
    for r in records:
        if r.outcome == "receipt":
            continue
        if r.ended < fault_at:
            phases["before fault"] += 1
        elif r.started <= fault_done + 2:
            phases["during fault (+2 s)"] += 1
        else:
            phases["after"] += 1
    return phases


def _common_checks(report, finish, recorded_blind, by_user, late_first) -> dict:
    opened, closed = finish["open"], finish["closed"]
    live = report["live"]
    unclear = [k for k in report["outcomes"] if "without a receipt code" in k]
    receipts_once_open = opened["receipts_missing"] == 0 and opened["receipts_stored_twice"] == 0
    receipts_once_closed = (
        closed["receipts_missing"] == 0
        and closed["receipts_stored_twice"] == 0
        and closed["pending_rows"] == 0
    )
    whole_votes = (
        opened["pending_rows"] + opened["vote_rows"] == opened["participations"]
        and closed["vote_rows"] == closed["participations"]
    )
    blind_ok = (
        closed["rows_without_shown_receipt"] == len(recorded_blind)
        and all(u in by_user and by_user[u].outcome != "receipt" for u in recorded_blind)
        and not closed["recorded_without_attempt"]
    )
    return {
        "every receipt stored exactly once (open: PendingVote + Vote)": receipts_once_open,
        "every receipt stored exactly once (closed: Vote)": receipts_once_closed,
        "every receipt holder has a participation": (
            closed["receipt_holders_without_participation"] == 0
        ),
        "no half-recorded vote: vote rows == participations": whole_votes,
        "no elector twice, no receipt hash twice": (
            closed["electors_twice"] == 0 and closed["hashes_stored_twice"] == 0
        ),
        "a vote without a receipt: counted once, only for a client that saw an error": blind_ok,
        "no answer that was neither a receipt nor a clear error": not unclear,
        "no error later than 2 s after the service was whole again": (
            report["errors_by_phase"]["after"] == 0
        ),
        "verify_ledger passes": finish["verify_ledger"]["ok"],
        "watchers converged on the database's turnout": live["converged_after_burst_s"] is not None,
        "a watcher connected after the fault gets the right turnout": (
            late_first == report["database_participations"]
        ),
        "every watcher saw the ballot closed with the final turnout": (
            live["all_saw_closed_s"] is not None
        ),
    }


def finish_report(world: World, report: dict, extra: dict) -> None:
    """Record the report (var/faults/), print it, then fail on any failed check."""
    report["checks"].update(extra)
    failed = [name for name, ok in report["checks"].items() if not ok]
    report["passed"] = not failed
    world.reports[report["scenario"]] = report
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{report['scenario']}.json").write_text(json.dumps(report, indent=2) + "\n")
    live = report["live"]
    print(
        f"\n[{report['scenario']}] {report['duration_s']} s; fault {report['fault']}\n"
        f"  voters saw: {report['outcomes']}\n"
        f"  errors by phase: {report['errors_by_phase']}; receipts after the fault: "
        f"{report['receipts_after_fault']}\n"
        f"  recorded without a receipt: {report['recorded_without_receipt']}\n"
        f"  database: {report['audit_closed']}\n"
        f"  verify_ledger: {report['verify_ledger']['output']}\n"
        f"  live: converged {live['converged_after_burst_s']} s, late watcher first count "
        f"{live['late_watcher_first_count']}, all closed {live['all_saw_closed_s']} s\n"
        + "".join(f"    {w}\n" for w in live["watchers"])
    )
    # What the voters saw goes in the message too: CI's excerpt of the output may not reach
    # the printed report.
    assert not failed, (
        f"{report['scenario']}: failed checks {failed}; voters saw {report['outcomes']}, "
        f"errors by phase {report['errors_by_phase']}; report above"
    )


async def scenario(world: World, name: str, fault) -> Run:
    async with asyncio.timeout(SCENARIO_TIMEOUT):
        return await run_scenario(world, name, fault)


# --- The scenarios ------------------------------------------------------------------------------


async def test_asgi_worker_killed_during_a_burst(world):
    """serve-prod restarts the worker; its watchers reconnect through nginx to the other one
    (before the killed one is back) and reach the final state."""
    run = await scenario(world, "asgi-worker-killed", kill_asgi_worker)
    dropped = [w for w in run.watchers if w.drops]
    reconnected = {w.name: w.reconnected_after(w.drops[0][0]) for w in dropped}
    run.report["live"]["dropped_reconnected_after_s"] = {
        name: round(t - run.fault_at, 2) if t else None for name, t in reconnected.items()
    }
    finish_report(
        world,
        run.report,
        {
            "serve-prod restarted the killed worker": run.fault_back > run.fault_at,
            "the killed worker's watchers were dropped": bool(dropped),
            "every dropped watcher reconnected before the killed worker was back": all(
                t is not None and t < run.fault_back for t in reconnected.values()
            ),
            "no vote failed (votes go through gunicorn)": run.report["outcomes"]
            == {"receipt": run.report["voters"]},
        },
    )


async def test_gunicorn_worker_killed_during_a_burst(world):
    """Requests in flight on the killed worker fail (nginx: 502, or an answer cut off), only in
    the fault's window; none is half-recorded."""
    run = await scenario(world, "gunicorn-worker-killed", kill_gunicorn_worker)
    errors = [kind for kind in run.report["outcomes"] if kind != "receipt"]
    phases = run.report["errors_by_phase"]
    finish_report(
        world,
        run.report,
        {
            "every failure is the killed worker's: nginx's 502, or its answer cut off": all(
                killed_worker_failure(k) for k in errors
            ),
            "every failure falls in the fault's window": (
                phases["before fault"] == 0 and phases["after"] == 0
            ),
            "voting works again after the fault": run.report["receipts_after_fault"] > 0,
        },
    )


def killed_worker_failure(outcome: str) -> bool:
    """What a request in flight on a SIGKILLed gunicorn worker can end as: nginx's 502 when the
    worker died before its answer began, or a connection cut mid-answer when it died between
    gunicorn's two writes (headers, then body: nginx has already passed the headers on). A 500,
    a refusal or a timeout is not the fault's doing and fails the check."""
    _step, _, kind = outcome.partition(": ")
    return kind == "502 server error" or kind.startswith("connection: ")


async def test_redis_restarted_during_a_burst(world):
    """Votes do not need Redis; while it is down the hubs refresh from the database, then
    resubscribe. Ideally no vote fails."""
    run = await scenario(world, "redis-restarted", restart_redis)
    updated = [w.updates_between(run.fault_at + 0.5, run.fault_back) for w in run.watchers]
    run.report["live"]["turnout_updates_while_redis_was_down"] = updated
    finish_report(
        world,
        run.report,
        {
            "no vote failed": run.report["outcomes"] == {"receipt": run.report["voters"]},
            "voting went on after Redis was back": run.report["receipts_after_fault"] > 0,
            "every watcher got turnout updates while Redis was down": all(updated),
        },
    )


async def test_postgresql_restarted_during_a_burst(world):
    """Votes fail while PostgreSQL restarts (a clear error); none is silently lost."""
    run = await scenario(world, "postgresql-restarted", restart_postgres)
    finish_report(
        world,
        run.report,
        {"voting works again after the fault": run.report["receipts_after_fault"] > 0},
    )
