"""A run's record: the JSON file, the README's performance table (markdown) and the chart of
latency and live lag against the offered vote rate."""

import json
from pathlib import Path


def write_json(record: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def _fmt(value, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    if isinstance(value, int | float):
        return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:g}"
    return str(value)


def _steps(section: dict) -> list[tuple[str, dict]]:
    steps = section.get("steps", {})
    return sorted(steps.items(), key=lambda kv: kv[1].get("offered_per_s") or 1e9)


def table(record: dict) -> str:
    """The performance section's tables, from one run's record."""
    machine = record.get("machine", {})
    figures = record.get("figures", {})
    lines = [
        f"Run `{record.get('command', '')}` at {record.get('at', '?')} on {machine.get('cpu')}, "
        f"{machine.get('cores')} cores, {machine.get('memory_gb')} GB"
        + (" (**quick**: small numbers, indicative only)" if record.get("quick") else "")
        + ". Load generator on the same machine; synchronous_commit on.",
        "",
        "| Target | Goal | Measured | Gap | Result |",
        "|---|---|---|---|---|",
    ]
    for row in record.get("targets", []):
        gap = "-" if row["gap"] in (None, 0) else f"{_fmt(row['gap'], 2)} ({row['gap_pct']}%)"
        lines.append(
            f"| {row['name']} | {row['target']} | {_fmt(row['value'])} | {gap} | {row['status']} |"
        )
    votes = figures.get("votes")
    if votes:
        lines += [
            "",
            "Votes through the full form (session, CSRF, review, cast, receipt), by offered rate:",
            "",
            "| Offered | Votes | Votes/s | p50 ms | p95 ms | p99 ms | Errors "
            "| CPU ms/vote: gunicorn | whole machine |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for _name, step in _steps(votes):
            cast = step["cast_ms"]
            cpu = step.get("cpu_ms_per_vote", {})
            lines.append(
                f"| {_fmt(step['offered_per_s']) if step['offered_per_s'] else 'flat out'} | "
                f"{_fmt(step['votes'])} | {_fmt(step['votes_per_s'])} | {_fmt(cast['p50'])} | "
                f"{_fmt(cast['p95'])} | {_fmt(cast['p99'])} | {step['errors_total']} | "
                f"{_fmt(cpu.get('wsgi'), 1)} | {_fmt(cpu.get('machine_total'), 1)} |"
            )
    live = figures.get("live")
    if live:
        lines += [
            "",
            "Live watchers while votes come in, by offered vote rate:",
            "",
            "| Offered | Watchers | Lag p50 ms | p95 | p99 | max | Msg/watcher/s (max) "
            "| ASGI CPU ms/delivery |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for _name, step in _steps(live):
            lag = step["lag_ms"]
            lines.append(
                f"| {_fmt(step['offered_per_s'])} | {_fmt(step['watchers'])} | "
                f"{_fmt(lag['p50'])} | "
                f"{_fmt(lag['p95'])} | {_fmt(lag['p99'])} | {_fmt(lag['max'])} | "
                f"{step['messages_per_watcher_per_s']['max']} | {step['cpu_ms_per_delivery']} |"
            )
    assembly = figures.get("assembly")
    if assembly:
        lines += [
            "",
            "An assembly's minute: members arriving within the window (Poisson), each home, "
            "ballot page, review, cast, while the watchers follow the live turnout:",
            "",
            "| Members | Window s | Voted | Last done s | p99 ms: home | ballot page | review "
            "| cast | Errors | Watchers | Lag p99 ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for _name, step in _steps(assembly):
            p99 = {k: v["latency_ms"]["p99"] for k, v in step["steps"].items()}
            lines.append(
                f"| {_fmt(step['members'])} | {_fmt(step['arrival_window_s'])} | "
                f"{_fmt(step['voted'])} | {_fmt(step['last_done_s'], 1)} | "
                f"{_fmt(p99.get('home'))} | {_fmt(p99.get('ballot_page'))} | "
                f"{_fmt(p99.get('review'))} | {_fmt(p99.get('cast'))} | "
                f"{step['errors_total']} | {_fmt(step['watchers'])} | "
                f"{_fmt(step['lag_ms']['p99'])} |"
            )
    baseline = figures.get("baseline")
    if baseline:
        pg = baseline.get("pgbench", {})
        lines += [
            "",
            "This machine's own limits, same run:",
            "",
            "| Baseline | Per second | p99 ms |",
            "|---|---|---|",
            f"| `hello` view (no session), nginx + gunicorn | "
            f"{_fmt(baseline['hello']['requests_per_s'])} | "
            f"{_fmt(baseline['hello']['latency_ms']['p99'])} |",
            f"| authenticated `ping` view (session, and the user from the database) | "
            f"{_fmt(baseline['ping']['requests_per_s'])} | "
            f"{_fmt(baseline['ping']['latency_ms']['p99'])} |",
        ]
        for run in pg.get("runs", {}).values():
            lines.append(
                f"| pgbench: one INSERT per transaction, UNIQUE, synchronous_commit on, "
                f"{run['clients']} client(s) | {_fmt(run['tps'])} | "
                f"{_fmt(run['latency_ms']['p99'])} |"
            )
    ratios = record.get("ratios", {})
    if any(v is not None for v in ratios.values()):
        lines += ["", "| Ratio (same run) | |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in ratios.items() if value is not None]
    checks = record.get("checks", [])
    if checks:
        failed = [c for c in checks if not c["ok"]]
        lines += [
            "",
            f"Correctness checks: {len(checks) - len(failed)} of {len(checks)} passed"
            + ("." if not failed else ": FAILED " + "; ".join(c["name"] for c in failed)),
        ]
    return "\n".join(lines) + "\n"


def chart(record: dict, path: Path) -> Path | None:
    """Vote latency (p50, p99) and live lag (p50, p99) against the offered vote rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    figures = record.get("figures", {})
    steps = [s for _, s in _steps(figures.get("votes", {}))]
    votes = [(s["offered_per_s"], s) for s in steps if s["offered_per_s"]]
    flat = [s for s in steps if not s["offered_per_s"]]
    live = [(s["offered_per_s"], s) for _, s in _steps(figures.get("live", {}))]
    if not steps and not live:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for q, style in (("p50", "o-"), ("p99", "s--")):
        left.plot([x for x, _ in votes], [s["cast_ms"][q] for _, s in votes], style, label=q)
        right.plot([x for x, _ in live], [s["lag_ms"][q] for _, s in live], style, label=q)
    for step in flat:  # flat out: at the rate it reached, not connected to the offered steps
        left.plot(
            [step["votes_per_s"]] * 2,
            [step["cast_ms"]["p50"], step["cast_ms"]["p99"]],
            "k^",
            label="flat out (p50, p99)",
        )
        left.annotate(
            f"flat out: {step['votes_per_s']:.0f}/s",
            (step["votes_per_s"], step["cast_ms"]["p99"]),
            textcoords="offset points",
            xytext=(-30, 6),
            fontsize=8,
        )
    left.axhline(150, color="grey", linewidth=0.8, linestyle=":", label="target p99 (at 250/s)")
    right.axhline(1000, color="grey", linewidth=0.8, linestyle=":", label="target p99")
    left.set(
        title="Vote (cast POST) latency",
        xlabel="votes/s offered (flat out: reached)",
        ylabel="ms (log)",
    )
    watchers = max((s["watchers"] for _, s in live), default=0)
    right.set(title=f"Live lag, {watchers} watchers", xlabel="offered votes/s", ylabel="ms (log)")
    for axis in (left, right):
        axis.set_yscale("log")  # p50 of tens of ms and flat-out p99 of seconds on one axis
        axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axis.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axis.set_xlim(left=0)
        axis.grid(True, linewidth=0.3)
        axis.legend(fontsize=8)
    machine = record.get("machine", {})
    fig.suptitle(
        f"Ledenstem bench {record.get('at', '')[:10]}: {machine.get('cores')} cores "
        f"{machine.get('cpu', '')[:40]}" + (" (quick)" if record.get("quick") else ""),
        fontsize=9,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
