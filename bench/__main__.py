"""python -m bench run --scenario pdf [--quick]

Each run writes JSON (machine, versions, parameters, figures) to bench/results/. The other
scenarios of DESIGN.md §8 (votes, live, faq, baseline) come with the live-tally and bench
issues; asking for one of them says so instead of pretending.
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIOS = {"pdf"}
PLANNED = {"votes", "live", "faq", "baseline", "all"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--scenario", required=True, choices=sorted(SCENARIOS | PLANNED))
    run.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke test")
    args = parser.parse_args(argv)
    if args.scenario not in SCENARIOS:
        print(f"scenario {args.scenario!r} is not built yet (see bench/README.md)", file=sys.stderr)
        return 2
    # A throwaway embedded database, so a bench run never touches real data.
    workdir = tempfile.mkdtemp(prefix="ledenstem-bench-")
    os.environ.setdefault("LEDENSTEM_VAR_DIR", workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from bench import machine, pdf

    repeats = 3 if args.quick else 20
    figures = pdf.run(repeats=repeats)
    record = {
        "scenario": args.scenario,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "parameters": {"repeats": repeats, "quick": args.quick},
        "figures": figures,
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = record["at"].replace(":", "").replace("+0000", "Z")
    out = RESULTS / f"{args.scenario}-{stamp}.json"
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
