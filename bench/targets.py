"""The targets (issues #7 and #18), checked against a run's figures, and the ratios to the
same run's baselines. Pure: no Django, no I/O (tests/test_bench.py checks it).

A target is never lowered here to make a run pass; a figure that is missing (its scenario
did not run) is reported as not measured, neither pass nor fail.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    figure: str  # dotted path into the figures, e.g. "votes.steps.flat_out.votes_per_s"
    op: str  # ">=" or "<="
    value: float
    unit: str
    moonshot: bool = False  # reported with its gap, never a failure


TARGETS = [
    # Issue #18: an assembly's minute (bench/assembly.py), the steps of the biggest.
    Target("assembly: every member done", "assembly.headline.last_done_s", "<=", 90, "s"),
    Target("assembly: p99 of every step", "assembly.headline.worst_step_p99_ms", "<=", 1000, "ms"),
    Target("assembly: errors", "assembly.headline.errors_total", "<=", 0, "errors"),
    Target("assembly: live lag p99", "assembly.headline.lag_ms_p99", "<=", 1000, "ms"),
    Target("ping against hello", "baseline.ping_vs_hello", ">=", 0.5, "x hello"),
    Target("votes/s flat out", "votes.steps.flat_out.votes_per_s", ">=", 500, "votes/s"),
    Target("votes sustained", "votes.steps.flat_out.duration_s", ">=", 60, "s"),
    Target("vote p99 at 250/s offered", "votes.steps.at_250.cast_ms.p99", "<=", 150, "ms"),
    Target("vote errors", "votes.errors_total", "<=", 0, "errors"),
    Target("votes/s moonshot", "votes.steps.flat_out.votes_per_s", ">=", 1000, "votes/s", True),
    Target("vote errors while watched", "live.headline.vote_errors_total", "<=", 0, "errors"),
    Target("live watchers", "live.headline.watchers", ">=", 5000, "watchers"),
    Target("live lag p99", "live.headline.lag_ms.p99", "<=", 1000, "ms"),
    Target(
        "live messages per watcher",
        "live.headline.messages_per_watcher_per_s.max",
        "<=",
        2,
        "msg/s",
    ),
    Target("live CPU per delivery", "live.headline.cpu_ms_per_delivery", "<=", 0.15, "ms"),
    Target("pdf p95", "pdf.render_and_sign_s.p95", "<=", 1.5, "s"),
    Target("faq req/s flat out", "faq.flat_out.requests_per_s", ">=", 1000, "req/s"),
    Target("faq p99 at 300/s offered", "faq.at_300.latency_ms.p99", "<=", 100, "ms"),
    Target("ballot page req/s flat out", "ballot_page.flat_out.requests_per_s", ">=", 500, "req/s"),
    # Scale (bench/closing.py): a vote sent while a 100,000-elector ballot closes waits at
    # most a second, and no phase grows worse than linearly from 13,000 to 100,000 electors
    # (time per elector at 100,000 over time per elector at 13,000; 1.0 is linear).
    Target(
        "scale: a vote waits at closing (100,000)",
        "close.sizes.100000.late_vote_waited_s",
        "<=",
        1,
        "s",
    ),
    *(
        Target(
            f"scale: {phase} growth 13,000 -> 100,000",
            f"close.growth.{phase}",
            "<=",
            1.25,
            "x linear",
        )
        for phase in ("open", "count", "tally", "verify_ledger", "ballot_box", "render_pdf")
    ),
]

# name -> (numerator figure, denominator figure): every figure against this machine's limits.
RATIOS = {
    "votes/s vs hello req/s": ("votes.steps.flat_out.votes_per_s", "baseline.hello.requests_per_s"),
    "votes/s vs authenticated GET req/s": (
        "votes.steps.flat_out.votes_per_s",
        "baseline.ping.requests_per_s",
    ),
    "votes/s vs pgbench insert tx/s": ("votes.steps.flat_out.votes_per_s", "baseline.pgbench.tps"),
    "faq req/s vs authenticated GET req/s": (
        "faq.flat_out.requests_per_s",
        "baseline.ping.requests_per_s",
    ),
    "faq req/s vs hello req/s": ("faq.flat_out.requests_per_s", "baseline.hello.requests_per_s"),
}


def lookup(figures: dict, path: str):
    node = figures
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, int | float) and not isinstance(node, bool) else None


def evaluate(target: Target, value: float | None) -> dict:
    """Pass or fail, and the gap: how far the figure is from the target in the target's unit
    (0 when met) and as a fraction of the target."""
    row = {
        "name": target.name,
        "figure": target.figure,
        "target": f"{target.op} {target.value:g} {target.unit}",
        "value": value,
        "moonshot": target.moonshot,
    }
    if value is None:
        return {**row, "status": "not measured", "pass": None, "gap": None, "gap_pct": None}
    if target.op == ">=":
        met = value >= target.value
        gap = max(0.0, target.value - value)
    elif target.op == "<=":
        met = value <= target.value
        gap = max(0.0, value - target.value)
    else:
        raise ValueError(f"unknown comparison {target.op!r}")
    gap_pct = round(100 * gap / target.value, 1) if target.value else None
    status = "pass" if met else ("short of moonshot" if target.moonshot else "FAIL")
    return {**row, "status": status, "pass": met, "gap": round(gap, 3), "gap_pct": gap_pct}


def evaluate_all(figures: dict, targets: list[Target] = TARGETS) -> list[dict]:
    return [evaluate(t, lookup(figures, t.figure)) for t in targets]


def ratios(figures: dict) -> dict:
    out = {}
    for name, (numerator, denominator) in RATIOS.items():
        top, bottom = lookup(figures, numerator), lookup(figures, denominator)
        out[name] = round(top / bottom, 3) if top is not None and bottom else None
    return out


def missed(rows: list[dict]) -> list[dict]:
    """The targets (not moonshots) that were measured and not met."""
    return [r for r in rows if r["pass"] is False and not r["moonshot"]]
