"""The database's own limit on this machine: pgbench inserting one row per transaction into a
table with a unique constraint (like a vote's participation row), synchronous_commit on."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.stats import latency_summary_ms

SETUP = """
CREATE TABLE bench_insert (
    id bigserial PRIMARY KEY,
    ballot integer NOT NULL,
    voter bigint NOT NULL,
    cast_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ballot, voter)
);
CREATE SEQUENCE bench_voter;
"""
SCRIPT = "INSERT INTO bench_insert (ballot, voter) VALUES (1, nextval('bench_voter'));\n"


def find() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True)
    return str(candidates[0]) if candidates else None


def run(database_url: str, *, clients: list[int], seconds: int) -> dict:
    binary = find()
    if binary is None:
        return {"error": "pgbench not found (apt-get install postgresql-contrib)"}
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SETUP)
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("synchronous_commit", "fsync", "wal_sync_method", "server_version")
        }
    if settings["synchronous_commit"] != "on" or settings["fsync"] != "on":
        raise RuntimeError(f"durability is off on this server: {settings}")
    url = urlsplit(database_url)
    results = {"settings": settings, "seconds": seconds, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="ledenstem-pgbench-") as tmp:
        script = Path(tmp) / "insert.sql"
        script.write_text(SCRIPT)
        for count in clients:
            prefix = Path(tmp) / f"log{count}"
            command = [
                binary,
                "--no-vacuum",
                "--file",
                str(script),
                "--client",
                str(count),
                "--jobs",
                str(min(count, 2)),
                "--time",
                str(seconds),
                "--log",
                "--log-prefix",
                str(prefix),
                "--host",
                url.hostname or "127.0.0.1",
                "--port",
                str(url.port or 5432),
                "--username",
                url.username or "postgres",
                url.path.lstrip("/"),
            ]
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + 60, check=False
            )
            if done.returncode != 0:
                raise RuntimeError(f"pgbench failed: {done.stderr.strip()[-500:]}")
            tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
            latencies = [
                int(line.split()[2]) / 1e6
                for log in Path(tmp).glob(f"log{count}.*")
                for line in log.read_text().splitlines()
                if line.strip()
            ]
            results["runs"][str(count)] = {
                "clients": count,
                "tps": round(float(tps.group(1)), 1) if tps else None,
                "latency_ms": latency_summary_ms(latencies),
            }
    best = max(results["runs"].values(), key=lambda r: r["tps"] or 0)
    results["tps"] = best["tps"]
    results["best_clients"] = best["clients"]
    return results
