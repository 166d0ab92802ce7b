"""One private world for the fault tests: a PostgreSQL cluster, a Redis server and
scripts/serve-prod against them, plus the members who vote. Torn down whatever happens."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.faults.services import PrivatePostgres, PrivateRedis, postgres_bin
from tests.faults.shape import REPO_ROOT, ServeProd

MEMBERS = 300  # every scenario's ballot has them all as electors; each votes once
REPORT_DIR = REPO_ROOT / "var" / "faults"


@dataclass
class World:
    postgres: PrivatePostgres
    redis: PrivateRedis
    server: ServeProd
    database: str
    members: list[tuple[int, str]] = field(default_factory=list)  # (user id, session key)
    reports: dict = field(default_factory=dict)

    def dbside(self, *args: str, stdin: dict | None = None, timeout: float = 120):
        """Run tests/faults/dbside.py with the server's environment; its RESULT."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.faults.dbside", *args],
            cwd=REPO_ROOT,
            env=self.server.env,
            input=json.dumps(stdin) if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            status, errors = done.returncode, done.stderr[-3000:]
            raise RuntimeError(f"dbside {args[0]} failed ({status}):\n{errors}")
        return json.loads(lines[-1].removeprefix("RESULT "))


def _require_tools() -> Path:
    missing = [tool for tool in ("redis-server", "envsubst", "curl") if not shutil.which(tool)]
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx")
    bin_dir = postgres_bin()
    if bin_dir is None:
        missing.append("PostgreSQL server (/usr/lib/postgresql/*/bin/initdb)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser (initdb does not run as root)")
    if missing:
        skip_or_fail(f"the fault tests need {', '.join(missing)}")
    return bin_dir


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def world():
    bin_dir = _require_tools()
    # A SIGTERM (CI's timeout, a cancelled job) would end Python without teardown and leave
    # the PostgreSQL cluster (a daemon) running: make it an interrupt, which tears down.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.ExitStack() as stack:
        stack.callback(signal.signal, signal.SIGTERM, previous)
        postgres = PrivatePostgres(bin_dir)
        stack.callback(postgres.stop)
        redis = PrivateRedis()
        stack.callback(redis.stop)
        # Not pytest's tmp_path: nginx's workers (user nobody under root) read STATIC_ROOT.
        workdir = Path(tempfile.mkdtemp(prefix="ledenstem-faults-"))
        workdir.chmod(0o755)
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        postgres.start()
        redis.start()
        assert postgres.setting("fsync") == "on"
        assert postgres.setting("synchronous_commit") == "on"
        database = "ledenstem_faults"
        server = ServeProd(workdir, postgres.create_database(database), redis.url)
        stack.callback(server.stop)
        took = server.start()
        print(
            f"\nprivate PostgreSQL :{postgres.port}, Redis :{redis.port};"
            f" serve-prod ready in {took:.1f} s"
        )
        found = World(postgres, redis, server, database)
        found.members = [tuple(m) for m in found.dbside("members", str(MEMBERS))]
        try:
            yield found
        finally:
            REPORT_DIR.mkdir(parents=True, exist_ok=True)
            if found.reports:
                path = REPORT_DIR / "latest.json"
                path.write_text(json.dumps(found.reports, indent=2) + "\n")
                print(f"\nfault test report: {path}")
            # serve-prod's output (every process, prefixed) outlives the temp dir.
            (REPORT_DIR / "serve-prod.log").write_text(server.log_text())
