"""One run of the server scenarios (baseline, faq, votes, live, assembly) against the
production shape:
start it, prepare the data, drive each scenario, check correctness, stop it."""

import asyncio
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import assembly, cpu, live, pages, pgbench, profile, stack, votes
from bench import checks as checking

SERVER_SCENARIOS = ("baseline", "faq", "votes", "live", "assembly")


@dataclass
class Plan:
    quick: bool
    flat_electors: int  # electors for the flat-out votes step
    flat_seconds: float  # ... which stops after this long if electors remain
    rates: list[float]  # offered votes/s, one step (and one fresh ballot) each
    rate_seconds: float
    live_rates: list[float]
    live_seconds: float
    watchers: int
    concurrency: int = 64  # flat-out clients, as wrk -c 64 in STACK.md
    page_seconds: float = 20  # faq and baseline: each flat-out and offered-rate step
    faq_rate: float = 300
    pgbench_seconds: int = 10
    pgbench_clients: list[int] = field(default_factory=lambda: [1, 16])
    idle_seconds: float = 5  # ASGI idle CPU with the watchers connected
    prepare_concurrency: int = 16
    ws_compression: str | None = "deflate"  # browsers offer permessage-deflate
    profile_dir: str | None = None  # py-spy the WSGI workers in the flat-out votes/faq steps
    assembly_members: list[int] = field(default_factory=lambda: [5000, 13000])
    assembly_window_s: float = 60  # the members arrive within this long of the opening

    def electors_at(self, rate: float, seconds: float) -> int:
        return min(self.members, max(1, int(rate * seconds)))

    @property
    def members(self) -> int:
        return max(self.flat_electors, self.watchers, *self.assembly_members)


QUICK = Plan(
    quick=True,
    flat_electors=300,
    flat_seconds=60,
    rates=[100, 250],
    rate_seconds=3,
    live_rates=[100],
    live_seconds=3,
    watchers=200,
    page_seconds=3,
    pgbench_seconds=3,
    idle_seconds=2,
    assembly_members=[200],
    assembly_window_s=5,
)
FULL = Plan(
    quick=False,
    flat_electors=40_000,
    flat_seconds=60,
    rates=[100, 250, 500],
    rate_seconds=20,
    live_rates=[100, 250, 500],
    live_seconds=20,
    watchers=5000,
)


def run(scenarios: set[str], plan: Plan, log) -> dict:
    """Figures, checks and service versions of the server scenarios in `scenarios`."""
    figures: dict = {}
    checks: list[dict] = []
    with stack.running(log=log) as served:
        os.environ.update(served.env)
        import django

        django.setup()
        from bench import machine, prepare

        started = time.monotonic()
        log(f"preparing {plan.members} members with sessions")
        members = prepare.members(plan.members)
        keys = [m.session_key for m in members]
        log(f"  done in {time.monotonic() - started:.1f} s")
        if "baseline" in scenarios:
            figures["baseline"] = _baseline(served, keys, plan, log)
        if "faq" in scenarios:
            figures["faq"] = _faq(served, keys, plan, log)
            figures["ballot_page"] = _ballot_page(served, keys, plan, log)
        if "votes" in scenarios:
            figures["votes"] = _votes(served, members, plan, checks, log)
        if "live" in scenarios:
            figures["live"] = _live(served, members, plan, checks, log)
        if "assembly" in scenarios:
            figures["assembly"] = _assembly(served, members, plan, checks, log)
        services = machine.services(served.env["DATABASE_URL"], served.env["REDIS_URL"])
        from django.db import connections

        connections.close_all()
    return {"figures": figures, "checks": checks, "services": services, "plan": asdict(plan)}


def _baseline(served, keys, plan, log) -> dict:
    log("baseline: hello, authenticated ping, pgbench")
    out = {}
    for name, path, cookies, expect in (
        ("hello", "/bench/hello", [], b"hello"),
        ("ping", "/bench/ping", keys, b"ok"),
    ):
        out[name] = _pages(served, [path], cookies, plan, rate=None, expect=expect)
        _log_pages(log, name, out[name])
    hello, ping = out["hello"]["requests_per_s"], out["ping"]["requests_per_s"]
    out["ping_vs_hello"] = round(ping / hello, 3) if hello and ping else None
    out["members_cycled"] = len(keys)  # each ping request is the next member's
    out["pgbench"] = pgbench.run(
        served.env["DATABASE_URL"], clients=plan.pgbench_clients, seconds=plan.pgbench_seconds
    )
    log(f"  pgbench: {out['pgbench'].get('tps')} tx/s")
    return out


def _profiler(served, plan, name: str, seconds: float):
    if not plan.profile_dir:
        return None
    folder = Path(plan.profile_dir) / name
    return profile.Recorder(served.processes().get("wsgi", []), folder, seconds)


def _pages(served, paths, keys, plan, *, rate, expect=None, profile_as=None) -> dict:
    recorder = _profiler(served, plan, profile_as, plan.page_seconds) if profile_as else None
    meter = cpu.Meter(served.processes).start()
    figures = asyncio.run(
        pages.drive(
            served.base_url,
            paths,
            keys,
            rate=rate,
            seconds=plan.page_seconds,
            concurrency=plan.concurrency,
            expect=expect,
        )
    )
    use = meter.stop()
    figures["cpu_ms_per_request"] = cpu.per_event_ms(use, figures["requests"])
    figures["processes_started"] = use["processes_started"]
    if recorder is not None:
        figures["profile"] = recorder.stop()
    return figures


def _faq(served, keys, plan, log) -> dict:
    from bench import prepare

    paths = [f"/faq/vraag/{pk}/" for pk in prepare.faq_questions()]
    log(f"faq: {len(paths)} question pages, logged in")
    out = {}
    for name, rate in (("flat_out", None), (f"at_{plan.faq_rate:g}", plan.faq_rate)):
        out[name] = _pages(
            served, paths, keys, plan, rate=rate, profile_as=None if rate else "faq-flat_out"
        )
        _log_pages(log, name, out[name])
    return out


def _ballot_page(served, keys, plan, log) -> dict:
    """An open secret ballot's page (the vote form) for logged-in electors who have not voted
    yet, flat out, each request the next member's."""
    from bench import prepare

    ballot_id = prepare.open_ballot("Bench: de stempagina")
    log("ballot page: an open ballot's vote form, logged in")
    out = {
        "flat_out": _pages(
            served,
            [votes.Ballot(ballot_id).page],
            keys,
            plan,
            rate=None,
            expect=b'name="choice"',
            profile_as="ballot_page-flat_out",
        )
    }
    _log_pages(log, "flat_out", out["flat_out"])
    prepare.close_ballot(ballot_id)
    return out


def _prepared_voters(served, ballot_id, members, plan, seed, log):
    voters, prepared = asyncio.run(
        votes.prepare(
            served.base_url,
            votes.Ballot(ballot_id),
            members,
            seed=seed,
            concurrency=plan.prepare_concurrency,
            seconds=3600,
        )
    )
    log(f"  {len(voters)} electors at the confirmation page ({prepared['per_s']}/s)")
    return voters, prepared


def _votes(served, members, plan, checks, log) -> dict:
    from bench import prepare

    steps = {}
    schedule = [("flat_out", None, plan.flat_electors, plan.flat_seconds)] + [
        (f"at_{rate:g}", rate, plan.electors_at(rate, plan.rate_seconds), plan.rate_seconds)
        for rate in plan.rates
    ]
    for seed, (name, rate, electors, seconds) in enumerate(schedule):
        log(f"votes {name}: {electors} electors")
        ballot_id = prepare.open_ballot(f"Bench: stemming {name}")
        voters, prepared = _prepared_voters(served, ballot_id, members[:electors], plan, seed, log)
        recorder = _profiler(served, plan, "votes-flat_out", seconds) if rate is None else None
        meter = cpu.Meter(served.processes).start()
        acks, summary = asyncio.run(
            votes.cast(
                served.base_url,
                votes.Ballot(ballot_id),
                voters,
                rate=rate,
                concurrency=plan.concurrency,
                seconds=seconds,
            )
        )
        use = meter.stop()
        steps[name] = votes.step_figures(summary, prepared)
        steps[name]["cpu_ms_per_vote"] = cpu.per_event_ms(use, summary["ok"])
        steps[name]["processes_started"] = use["processes_started"]
        if recorder is not None:
            steps[name]["profile"] = recorder.stop()
        steps[name]["ballot"] = ballot_id
        log(
            f"  {summary['ok']} votes, {summary['per_s']}/s, p99 {summary['latency_ms']['p99']} ms,"
            f" errors {summary['errors'] or 'none'}"
        )
        prepare.close_ballot(ballot_id)
        checks += checking.votes_stored(name, ballot_id, acks, len(voters), electors)
        checks.append(checking.ledger_verified(f"votes {name}", ballot_id, served.env))
    return {"steps": steps, "errors_total": sum(s["errors_total"] for s in steps.values())}


def _live(served, members, plan, checks, log) -> dict:
    from bench import prepare

    steps = {}
    watcher_keys = [m.session_key for m in members[-plan.watchers :]]
    for seed, rate in enumerate(plan.live_rates, start=100):
        name = f"at_{rate:g}"
        electors = plan.electors_at(rate, plan.live_seconds)
        log(f"live {name}: {plan.watchers} watchers, {electors} electors")
        ballot_id = prepare.open_ballot(f"Bench: live {name}")
        voters, _ = _prepared_voters(served, ballot_id, members[:electors], plan, seed, log)
        result = live.run_step(
            served,
            ballot_id=ballot_id,
            voters=voters,
            watcher_keys=watcher_keys,
            rate=rate,
            seconds=plan.live_seconds,
            concurrency=plan.concurrency,
            idle_seconds=plan.idle_seconds,
            compression=plan.ws_compression,
            log=log,
            close_ballot=prepare.close_ballot,
        )
        step = result["figures"]
        step["ballot"] = ballot_id
        steps[name] = step
        log(
            f"  lag p50 {step['lag_ms']['p50']} p99 {step['lag_ms']['p99']} ms, "
            f"{step['messages_per_watcher_per_s']['max']} msg/watcher/s, "
            f"{step['cpu_ms_per_delivery']} ms CPU/delivery"
        )
        checks += checking.votes_stored(
            f"live {name}", ballot_id, result["acks"], len(voters), electors
        )
        checks += checking.watchers_saw(f"live {name}", result)
        checks.append(checking.ledger_verified(f"live {name}", ballot_id, served.env))
    return {"steps": steps, "headline": headline(steps)}


def _assembly(served, members, plan, checks, log) -> dict:
    from bench import prepare

    steps = {}
    watcher_keys = [m.session_key for m in members[-plan.watchers :]]
    for seed, count in enumerate(plan.assembly_members, start=200):
        name = f"members_{count}"
        log(f"assembly {name}: {count} members within {plan.assembly_window_s:g} s")
        result = assembly.run_step(
            served,
            members=members[:count],
            watcher_keys=watcher_keys,
            window_s=plan.assembly_window_s,
            seed=seed,
            compression=plan.ws_compression,
            log=log,
            open_ballot=prepare.open_ballot,
            close_ballot=prepare.close_ballot,
            profiler=lambda name=name: _profiler(
                served, plan, f"assembly-{name}", plan.assembly_window_s
            ),
        )
        step = steps[name] = result["figures"]
        log(
            f"  {step['voted']}/{count} voted, last done at {step['last_done_s']} s, worst p99 "
            f"{step['worst_step_p99_ms']} ms, errors {step['errors_total']}, lag p99 "
            f"{step['lag_ms']['p99']} ms"
        )
        ballot_id = step["ballot"]
        checks += checking.votes_stored(
            f"assembly {name}", ballot_id, result["acks"], step["voted"], count
        )
        checks += checking.watchers_saw(f"assembly {name}", {**result, "figures": step})
        checks.append(checking.ledger_verified(f"assembly {name}", ballot_id, served.env))
    return {"steps": steps, "headline": assembly.headline(steps)}


def headline(steps: dict) -> dict:
    """The figures the targets judge: the worst step for each (the fewest watchers, the
    highest lag p99, the most messages, the most CPU per delivery)."""
    if not steps:
        return {}
    values = list(steps.values())
    worst_lag = max(values, key=lambda s: s["lag_ms"]["p99"] or 0)
    return {
        "watchers": min(s["watchers"] for s in values),
        "lag_ms": worst_lag["lag_ms"],
        "lag_at_offered_per_s": worst_lag["offered_per_s"],
        "vote_errors_total": sum(s["vote_errors_total"] for s in values),
        "messages_per_watcher_per_s": {
            "max": max(s["messages_per_watcher_per_s"]["max"] or 0 for s in values)
        },
        "cpu_ms_per_delivery": max(
            (s["cpu_ms_per_delivery"] for s in values if s["cpu_ms_per_delivery"] is not None),
            default=None,
        ),
    }


def _log_pages(log, name: str, figures: dict) -> None:
    log(
        f"  {name}: {figures['requests_per_s']} req/s, p99 {figures['latency_ms']['p99']} ms, "
        f"errors {figures['errors'] or 'none'}"
    )
