"""python -m bench run --scenario {votes,live,assembly,pdf,faq,baseline,close,all} [--quick]
python -m bench table [RESULT.json]

`run` starts the production shape (scripts/serve-prod) on free ports with a fresh PostgreSQL
database and a Redis database of its own, drives it over HTTP and WebSockets on 127.0.0.1,
checks correctness, stops everything and writes JSON (+ the README table and a chart for
`all`) to bench/results/ (bench/results/quick/ for --quick). Exit 1 if a correctness check
failed, 2 if the run could not be made. `pdf` runs in this process on a throwaway embedded
database; `close` (closing a secret ballot of 1,000 / 13,000 / 100,000 electors) in this
process on a throwaway PostgreSQL database. `table` prints the performance table of a result
file (default: the newest full
`all` run). See bench/README.md.
"""

import argparse
import atexit
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCENARIOS = ("votes", "live", "assembly", "pdf", "faq", "baseline", "close", "all")
ORIGINAL_ENV = dict(os.environ)  # before a run adds the servers' settings to it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario")
    run.add_argument("--scenario", required=True, choices=SCENARIOS)
    run.add_argument("--quick", action="store_true", help="small numbers, for a smoke test / CI")
    run.add_argument("--electors", type=int, help="electors of the flat-out votes step")
    run.add_argument("--watchers", type=int, help="WebSocket watchers per live step")
    run.add_argument("--rates", help="offered votes/s of the votes steps, e.g. 100,250,500")
    run.add_argument("--live-rates", help="offered votes/s of the live steps, e.g. 250")
    run.add_argument("--seconds", type=float, help="length of each offered-rate step")
    run.add_argument("--members", help="members of each assembly step, e.g. 5000,13000")
    run.add_argument(
        "--no-ws-compression",
        action="store_true",
        help="do not offer permessage-deflate (browsers do; default offers it)",
    )
    run.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the WSGI workers during the flat-out votes and faq steps (needs py-spy)",
    )
    run.add_argument("--output", type=Path, help=argparse.SUPPRESS)  # pdf step of `all`
    table = sub.add_parser("table", help="print the README performance table of a result")
    table.add_argument("result", nargs="?", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.command == "table":
        return _table(args.result)
    return _run(args)


def _log(message: str) -> None:
    # UTC, as the result files are named: Django's setup sets TZ (Europe/Amsterdam) in this
    # process, which moved the local clock by an hour in the middle of a run's log.
    print(f"[bench {time.strftime('%H:%M:%SZ', time.gmtime())}] {message}", flush=True)


def _plan(args):
    from dataclasses import replace

    from bench.runner import FULL, QUICK

    plan = QUICK if args.quick else FULL
    changes = {}
    if args.electors:
        changes["flat_electors"] = args.electors
    if args.watchers:
        changes["watchers"] = args.watchers
    if args.rates:
        changes["rates"] = [float(x) for x in args.rates.split(",") if x]
    if args.live_rates:
        changes["live_rates"] = [float(x) for x in args.live_rates.split(",") if x]
    if args.members:
        changes["assembly_members"] = [int(x) for x in args.members.split(",") if x]
    if args.seconds:
        changes["rate_seconds"] = changes["live_seconds"] = args.seconds
    if args.no_ws_compression:
        changes["ws_compression"] = None
    if args.profile:
        changes["profile_dir"] = str(
            RESULTS / "profiles" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        )
    return replace(plan, **changes)


def _run(args) -> int:
    from bench import machine, report, targets

    started = time.monotonic()
    at = datetime.datetime.now(datetime.UTC)
    wanted = (
        {"baseline", "faq", "votes", "live", "assembly", "pdf", "close"}
        if args.scenario == "all"
        else {args.scenario}
    )
    record = {
        "scenario": args.scenario,
        "command": "python -m bench run --scenario "
        + args.scenario
        + (" --quick" if args.quick else ""),
        "at": at.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine.describe(),
        "figures": {},
    }
    if args.scenario == "pdf":
        return _pdf_only(args, record)
    if args.scenario == "close":
        return _close_only(args, record)
    from bench import runner

    plan = _plan(args)
    record["parameters"] = {"scenarios": sorted(wanted)}
    try:
        served = runner.run(wanted - {"pdf", "close"}, plan, _log)
    except Exception as failed:
        import traceback

        traceback.print_exc()
        _log(f"the run could not be made: {type(failed).__name__}: {failed}")
        return 2
    record["parameters"].update(served["plan"])
    record["machine"]["services"] = served["services"]
    record["figures"].update(served["figures"])
    record["checks"] = served["checks"]
    if "pdf" in wanted:
        _log("pdf: render + sign in a separate process")
        record["figures"]["pdf"] = _pdf_subprocess(args.quick)
    if "close" in wanted:
        _log("close: a secret ballot closed and counted, in a separate process")
        record["figures"]["close"] = _scenario_subprocess("close", args.quick)
        for size, figures in record["figures"]["close"].get("sizes", {}).items():
            checks = figures["checks"]
            record["checks"].append(
                {
                    "name": f"close {size}: ledger verifies, counted == cast",
                    "ok": bool(checks["ledger_verifies"] and checks["counted_equals_cast"]),
                    "detail": checks,
                }
            )
        if "error" in record["figures"]["close"]:
            record["checks"].append(
                {"name": "close scenario ran", "ok": False, "detail": record["figures"]["close"]}
            )
    record["targets"] = targets.evaluate_all(record["figures"])
    record["ratios"] = targets.ratios(record["figures"])
    record["ok"] = all(c["ok"] for c in record["checks"])
    record["elapsed_s"] = round(time.monotonic() - started, 1)

    folder = RESULTS / "quick" if args.quick else RESULTS
    stamp = record["at"].replace(":", "").replace("+0000", "Z")
    out = folder / f"{args.scenario}-{stamp}.json"
    report.write_json(record, out)
    text = report.table(record)
    if args.scenario in ("all", "votes", "live"):
        chart = report.chart(record, folder / f"chart-{args.scenario}-{stamp}.png")
        if chart and args.scenario == "all":
            (folder / "latest.png").write_bytes(chart.read_bytes())
    if args.scenario == "all":
        (folder / "latest.md").write_text(text)
    print(text)
    for check in record["checks"]:
        if not check["ok"]:
            _log(f"CHECK FAILED: {check['name']}: {check['detail']}")
    for row in targets.missed(record["targets"]):
        _log(f"target not met: {row['name']} {row['target']}, measured {row['value']}")
    _log(f"written: {out} ({record['elapsed_s']} s)")
    return 0 if record["ok"] else 1


def _pdf_subprocess(quick: bool) -> dict:
    return _scenario_subprocess("pdf", quick)


def _scenario_subprocess(scenario: str, quick: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"ledenstem-bench-{scenario}-") as tmp:
        out = Path(tmp) / f"{scenario}.json"
        command = [sys.executable, "-m", "bench", "run", "--scenario", scenario]
        command += ["--output", str(out)]
        env = {k: v for k, v in ORIGINAL_ENV.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        if scenario == "close" and "DATABASE_URL" in ORIGINAL_ENV:
            env["BENCH_ADMIN_DATABASE_URL"] = ORIGINAL_ENV["DATABASE_URL"]
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run(
            command + (["--quick"] if quick else []), cwd=ROOT, env=env, timeout=3600, check=False
        )
        if done.returncode != 0 or not out.exists():
            return {"error": f"{scenario} scenario exited {done.returncode}"}
        return json.loads(out.read_text())["figures"][scenario]


def _pdf_only(args, record: dict) -> int:
    # A throwaway embedded database, so a bench run never touches real data.
    workdir = tempfile.mkdtemp(prefix="ledenstem-bench-pdf-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ["LEDENSTEM_VAR_DIR"] = workdir
    # The document needs a public address to print; a run started without one (not through
    # `make bench`) failed here after an hour of the other scenarios.
    os.environ.setdefault("SITE_URL", "https://stem.vereniging.example")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from bench import pdf, report, targets

    repeats = 3 if args.quick else 20
    record["parameters"] = {"repeats": repeats, "quick": args.quick}
    record["figures"]["pdf"] = pdf.run(repeats=repeats)
    record["targets"] = [
        row for row in targets.evaluate_all(record["figures"]) if row["figure"].startswith("pdf.")
    ]
    if args.output:
        report.write_json(record, args.output)
        return 0
    folder = RESULTS / "quick" if args.quick else RESULTS
    stamp = record["at"].replace(":", "").replace("+0000", "Z")
    out = folder / f"pdf-{stamp}.json"
    report.write_json(record, out)
    print(json.dumps(record["figures"]["pdf"], indent=2))
    print(f"written: {out}")
    return 0


def _close_only(args, record: dict) -> int:
    """A throwaway PostgreSQL database (the admin URL from BENCH_ADMIN_DATABASE_URL or
    DATABASE_URL, else postgres@127.0.0.1:5432) and a throwaway key directory."""
    from bench import stack

    admin = (
        os.environ.get("BENCH_ADMIN_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name, url = stack.create_database(admin)
    atexit.register(stack.drop_database, admin, name)
    workdir = tempfile.mkdtemp(prefix="ledenstem-bench-close-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ.update(
        {
            "LEDENSTEM_VAR_DIR": workdir,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SITE_URL": os.environ.get("SITE_URL") or "http://127.0.0.1:8000",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import closing, report

    call_command("migrate", verbosity=0)
    record["parameters"] = {"quick": args.quick}
    record["figures"]["close"] = closing.run(quick=args.quick)
    ok = all(
        f["checks"]["ledger_verifies"] and f["checks"]["counted_equals_cast"]
        for f in record["figures"]["close"]["sizes"].values()
    )
    if args.output:
        report.write_json(record, args.output)
        return 0 if ok else 1
    folder = RESULTS / "quick" if args.quick else RESULTS
    stamp = record["at"].replace(":", "").replace("+0000", "Z")
    out = folder / f"close-{stamp}.json"
    record["ok"] = ok
    report.write_json(record, out)
    print(json.dumps(record["figures"]["close"], indent=2))
    print(f"written: {out}")
    return 0 if ok else 1


def _table(path: Path | None) -> int:
    from bench import report

    if path is None:
        candidates = sorted(RESULTS.glob("all-*.json"))
        if not candidates:
            print("no full `all` run in bench/results/ yet; name a result file", file=sys.stderr)
            return 2
        path = candidates[-1]
    print(report.table(json.loads(path.read_text())), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
