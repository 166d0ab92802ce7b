"""The production shape, started for one bench run and stopped after it.

`scripts/serve-prod` (nginx -> gunicorn for HTTP, uvicorn workers for /ws/, the huey worker)
runs on free ports, against a fresh PostgreSQL database made for the run and a Redis database
number of its own (flushed before and after). Both are dropped at the end, whatever happened.
Plain http on 127.0.0.1: HTTPS=0 turns off only what needs TLS (the redirect, Secure cookies,
HSTS); authentication and CSRF are exactly as in production.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

from bench import cpu

ROOT = Path(__file__).resolve().parent.parent
SERVE_PROD = ROOT / "scripts" / "serve-prod"
START_TIMEOUT = 180  # s: serve-prod migrates the fresh database and collects static files
STOP_TIMEOUT = 30


@dataclass
class Stack:
    http_port: int
    asgi_ports: list[int]
    env: dict
    database_name: str
    admin_url: str
    redis_url: str
    workdir: Path
    process: subprocess.Popen | None = None
    known_pids: dict[int, str] = field(default_factory=dict)  # pid -> command line

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.http_port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "serve-prod.log"

    def processes(self) -> dict[str, list[int]]:
        """role -> pids of the running server (asgi, wsgi, worker, proxy)."""
        if self.process is None:
            return {}
        found = cpu.server_processes(self.process.pid)
        for pids in found.values():
            for pid in pids:
                self.known_pids.setdefault(pid, cpu.cmdline(pid))
        return found

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_ports(count: int, taken: tuple[int, ...] = ()) -> list[int]:
    """`count` consecutive free ports on 127.0.0.1 (uvicorn workers take ASGI_PORT, +1, ...),
    none of them in `taken`."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        ports = [base + i for i in range(count)]
        if ports[-1] > 65000 or set(ports) & set(taken):
            continue
        if all(_port_free(port) for port in ports):
            return ports
    raise RuntimeError(f"no {count} consecutive free ports found")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def create_database(admin_url: str) -> tuple[str, str]:
    """A fresh, empty database; returns (name, its URL)."""
    name = f"ledenstem_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_with_path(admin_url, "/postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, _with_path(admin_url, f"/{name}")


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(_with_path(admin_url, "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def claim_redis_db(base_url: str) -> str:
    """BENCH_REDIS_DB if set, else the highest-numbered empty database (15 down to 8), flushed."""
    wanted = os.environ.get("BENCH_REDIS_DB")
    candidates = [int(wanted)] if wanted else list(range(15, 7, -1))
    for number in candidates:
        url = _with_path(base_url, f"/{number}")
        client = redis.Redis.from_url(url)
        try:
            if wanted or client.dbsize() == 0:
                client.flushdb()
                return url
        finally:
            client.close()
    raise RuntimeError("no empty Redis database among 8-15: set BENCH_REDIS_DB")


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def server_env(
    *,
    database_url: str,
    redis_url: str,
    workdir: Path,
    http_port: int,
    asgi_ports: list[int],
    wsgi_port: int,
) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "HTTPS": "0",  # plain http on 127.0.0.1: no redirect, no Secure cookies, no HSTS
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": "dummy://",
            "LEDENSTEM_VAR_DIR": str(workdir / "var"),
            "MEDIA_ROOT": str(workdir / "var" / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "RUN_DIR": str(workdir / "run"),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(http_port),
            "WSGI_PORT": str(wsgi_port),
            "ASGI_PORT": str(asgi_ports[0]),
            "ASGI_WORKERS": str(len(asgi_ports)),
            "SITE_URL": f"http://127.0.0.1:{http_port}",
        }
    )
    return env


def raise_file_limit() -> None:
    """Thousands of watchers need thousands of sockets, here and in the servers (inherited)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def running(*, asgi_workers: int = 2, log=print):
    """Start everything, yield the Stack, stop and drop everything (bounded in time)."""
    if not SERVE_PROD.exists():
        raise RuntimeError(f"{SERVE_PROD} is missing: the bench runs the production shape with it")
    raise_file_limit()
    admin_url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/"
    if not admin_url.startswith(("postgres://", "postgresql://")):
        raise RuntimeError("DATABASE_URL must point to PostgreSQL for the bench")
    redis_base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/"
    workdir = Path(tempfile.mkdtemp(prefix="ledenstem-bench-"))
    workdir.chmod(0o755)  # nginx's workers (another user) serve STATIC_ROOT from inside it
    name, database_url = create_database(admin_url)
    redis_url = None
    stack = None
    failed = True
    try:
        redis_url = claim_redis_db(redis_base)
        http_port = free_ports(1)[0]
        wsgi_port = free_ports(1, taken=(http_port,))[0]
        asgi_ports = free_ports(asgi_workers, taken=(http_port, wsgi_port))
        env = server_env(
            database_url=database_url,
            redis_url=redis_url,
            workdir=workdir,
            http_port=http_port,
            asgi_ports=asgi_ports,
            wsgi_port=wsgi_port,
        )
        stack = Stack(http_port, asgi_ports, env, name, admin_url, redis_url, workdir)
        log(f"database {name}, redis {redis_url}, http :{http_port}, asgi {asgi_ports}")
        _start(stack)
        yield stack
        failed = False
    finally:
        if stack is not None:
            _stop(stack, log)
        with contextlib.suppress(Exception):
            if redis_url:
                flush_redis(redis_url)
        try:
            drop_database(admin_url, name)
        except Exception as error:
            log(f"could not drop database {name}: {error}")
        if failed:
            log(f"server output kept in {stack.log_path if stack else workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _start(stack: Stack) -> None:
    with open(stack.log_path, "wb") as out:
        stack.process = subprocess.Popen(
            [str(SERVE_PROD)],
            cwd=ROOT,
            env=stack.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise RuntimeError(f"serve-prod exited during start-up:\n{stack.log_tail()}")
        if "serve-prod: ready" in stack.log_path.read_text(errors="replace") and all(
            not _port_free(port) for port in stack.asgi_ports
        ):
            stack.processes()
            return
        time.sleep(0.3)
    raise RuntimeError(f"serve-prod was not ready within {START_TIMEOUT} s:\n{stack.log_tail()}")


def _stop(stack: Stack, log) -> None:
    if stack.process is None:
        return
    stack.processes()  # remember every pid, to clean up stragglers by pid
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGTERM)
        try:
            stack.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log("serve-prod did not stop in time; killing it")
            stack.process.kill()
            stack.process.wait(timeout=5)
    for pid, line in stack.known_pids.items():
        # Only a straggler of ours: same pid and same command line as recorded.
        if line and cpu.cmdline(pid) == line:
            log(f"killing leftover server process {pid}: {line[:80]}")
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
