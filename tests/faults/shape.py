"""scripts/serve-prod against the private services: start, find its processes, stop.

Like tests/test_prod_shape.py, but on the private PostgreSQL cluster and Redis server, and
with the real production settings (config.settings, DEBUG=0). Every process it ever ran is
remembered by pid and command line, so teardown kills only our own leftovers.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.stack import free_ports, server_env
from tests.faults.services import port_answers

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVE_PROD = REPO_ROOT / "scripts" / "serve-prod"
START_TIMEOUT = 150  # s: migrate on an empty database, collectstatic, five processes
STOP_TIMEOUT = 30


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@dataclass
class ServeProd:
    workdir: Path
    database_url: str
    redis_url: str
    process: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)
    http_port: int = 0
    wsgi_port: int = 0
    asgi_ports: list[int] = field(default_factory=list)
    seen: dict[int, str] = field(default_factory=dict)  # pid -> command line, for teardown

    @property
    def run_dir(self) -> Path:
        return self.workdir / "run"

    @property
    def log(self) -> Path:
        return self.workdir / "serve-prod.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def start(self) -> float:
        """Start serve-prod on free ports; seconds until it said it was ready."""
        self.http_port = free_ports(1)[0]
        self.wsgi_port = free_ports(1, taken=(self.http_port,))[0]
        self.asgi_ports = free_ports(2, taken=(self.http_port, self.wsgi_port))
        env = server_env(
            database_url=self.database_url,
            redis_url=self.redis_url,
            workdir=self.workdir,
            http_port=self.http_port,
            asgi_ports=self.asgi_ports,
            wsgi_port=self.wsgi_port,
        )
        for key in ("HUEY_IMMEDIATE", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"):
            env.pop(key, None)
        # The real production settings (bench.settings only adds the bench's baseline views).
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY=secrets.token_urlsafe(50),
            EMAIL_URL="locmem://",
            RESTART_DELAY="1",
        )
        self.env = env
        started = time.monotonic()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(SERVE_PROD)],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        ready = f"serve-prod: ready at http://127.0.0.1:{self.http_port}/"
        deadline = started + START_TIMEOUT
        while ready not in self.log_text():
            if self.process.poll() is not None:
                status = self.process.returncode
                raise RuntimeError(f"serve-prod exited ({status}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve-prod not ready in {START_TIMEOUT} s:\n{self.log_tail()}")
            time.sleep(0.2)
        self.children()
        return time.monotonic() - started

    def children(self) -> dict[str, int]:
        """name -> pid (= process group) of serve-prod's processes now, from RUN_DIR/pids."""
        found = {}
        with contextlib.suppress(OSError):
            for line in (self.run_dir / "pids").read_text().splitlines():
                name, _, pid = line.partition(" ")
                if pid.strip().isdigit():
                    found[name] = int(pid)
        for pid in found.values():
            self._remember(pid)
            for child in children_of(pid):
                self._remember(child)
        return found

    def _remember(self, pid: int) -> None:
        line = cmdline(pid)
        if line:
            self.seen.setdefault(pid, line)

    def gunicorn_workers(self) -> list[int]:
        # Not every child: the [wsgi] output prefixer (sed) is one too, since the shell that
        # execs gunicorn starts it (serve-prod's process substitution).
        master = self.children().get("wsgi")
        workers = [
            pid for pid in (children_of(master) if master else []) if "gunicorn" in cmdline(pid)
        ]
        for pid in workers:
            self._remember(pid)
        return workers

    def wait_restarted(self, name: str, old_pid: int, port: int | None, timeout: float) -> float:
        """Seconds until `name` runs again under a new pid (and answers on `port`)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pid = self.children().get(name)
            alive = pid and pid != old_pid and cmdline(pid)
            if alive and (port is None or port_answers(port)):
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"{name} was not restarted within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to serve-prod (as systemd or Ctrl-C would); then SIGKILL to any process we
        saw that is still the same process (same pid and command line)."""
        if self.process is None:
            return
        self.children()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(5)
        for pid, line in self.seen.items():
            if cmdline(pid) == line:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
