"""The production shape for real: scripts/serve-prod with nginx, gunicorn, two uvicorn workers
and huey, against a throwaway PostgreSQL database and its own Redis database.

Issue #6: "two ASGI workers with the Redis layer, a vote through one, the update on a socket of
the other within 1 s" -- checked worker to worker directly and through nginx (vote by gunicorn).
Runs in the PostgreSQL + Redis pass only; the SQLite pass skips it as the other backend's test.
"""

import asyncio
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import dj_database_url
import psycopg
import pytest
import redis
from psycopg import sql
from websockets.asyncio.client import connect

from tests.conftest import only_on, skip_or_fail

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVE_PROD = REPO_ROOT / "scripts" / "serve-prod"
START_TIMEOUT = 150  # s: migrate on an empty database, collectstatic, five processes
LIVE_LIMIT = 1.0  # s from the vote's response to the update on the other worker's socket

# Run in the throwaway database by `manage.py shell`: two members, an open named ballot whose
# tally everyone may see, and a logged-in session for each member.
SETUP = """
import json
from django.test import Client
from tests.factories import member, open_ballot
voters = [member(email=f"kiezer{i}@prodshape.example") for i in range(3)]
ballot = open_ballot(question=QUESTION, secrecy="named", result_visibility="everyone")
sessions = []
for user in voters:
    client = Client()
    client.force_login(user)
    sessions.append(client.cookies["sessionid"].value)
choices = {c.label: c.pk for c in ballot.choices.all()}
print("SETUP" + json.dumps({"ballot": ballot.pk, "choices": choices, "sessions": sessions}))
"""


@dataclass
class Shape:
    env: dict
    run_dir: Path
    log: Path
    process: subprocess.Popen
    http_port: int
    wsgi_port: int
    asgi_ports: list[int]
    question: str = ""
    ballot: int = 0
    choices: dict = field(default_factory=dict)
    sessions: list[str] = field(default_factory=list)
    children: dict[str, int] = field(default_factory=dict)  # name -> process group id

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the script (as Ctrl-C or systemd would); SIGKILL to whatever is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        for pgid in [self.process.pid, *self.children.values()]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


# --- Helpers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_pair() -> int:
    """A port p with p and p + 1 free (the ASGI workers take consecutive ports)."""
    for _ in range(50):
        port = free_port()
        if port < 65535 and port_is_free(port + 1):
            return port
    raise RuntimeError("no two consecutive free ports")


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def request(port, method, path, *, cookies=None, form=None, headers=None, timeout=15):
    """(status, headers, body) of one request; cookies (a dict) take the Set-Cookie answers."""
    cookies = {} if cookies is None else cookies
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = {"Origin": f"http://127.0.0.1:{port}", **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, text
    finally:
        conn.close()


def cast_vote(port: int, ballot: int, choice: int, session: str) -> float:
    """Vote as a browser does (ballot page, review, cast); the monotonic time of the receipt."""
    cookies = {"sessionid": session}
    status, _, page = request(port, "GET", f"/stemmingen/{ballot}/", cookies=cookies)
    assert status == 200, page[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token and "csrftoken" in cookies, "no CSRF token on the ballot page"
    form = {"csrfmiddlewaretoken": token.group(1), "choice": str(choice)}
    url = f"/stemmingen/{ballot}/stemmen/"
    status, _, page = request(port, "POST", url, cookies=cookies, form={**form, "step": "review"})
    assert status == 200 and 'name="step" value="cast"' in page, (status, page[:500])
    status, _, page = request(port, "POST", url, cookies=cookies, form={**form, "step": "cast"})
    acknowledged = time.monotonic()
    assert status == 200 and 'id="receipt-code"' in page, (status, page[:500])
    return acknowledged


async def vote_reaches_socket(shape: Shape, *, ws_port: int, vote_port: int, voter: int) -> float:
    """Watch the ballot on ws_port, vote through vote_port; seconds from receipt to update."""
    origin = f"http://127.0.0.1:{ws_port}"
    uri = f"ws://127.0.0.1:{ws_port}/ws/ballots/{shape.ballot}/live/"
    cookie = f"sessionid={shape.sessions[0]}"
    ours = []  # (monotonic time, state) for this run's ballot only

    def is_ours(message: dict) -> bool:
        # Other test runs on the same Redis may publish states of their own ballot with this id.
        return (
            message.get("type") == "state"
            and message.get("ballot") == shape.ballot
            and message.get("question") == shape.question
        )

    async with connect(
        uri,
        origin=origin,
        additional_headers=[("Cookie", cookie)],
        open_timeout=10,
        close_timeout=2,
    ) as ws:
        while True:  # the snapshot comes at once
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message.get("type") != "error", message
            if is_ours(message):
                break
        before = message["turnout"]["count"]

        async def read():
            async for raw in ws:
                received = json.loads(raw)
                if is_ours(received):
                    ours.append((time.monotonic(), received))

        reader = asyncio.create_task(read())
        try:
            choice = shape.choices["Voor"]
            session = shape.sessions[voter]
            acknowledged = await asyncio.to_thread(
                cast_vote, vote_port, shape.ballot, choice, session
            )
            deadline = acknowledged + 5
            while time.monotonic() < deadline:
                arrived = [t for t, s in ours if s["turnout"]["count"] == before + 1]
                if arrived:
                    return arrived[0] - acknowledged
                assert not reader.done(), "the socket closed while waiting for the update"
                await asyncio.sleep(0.01)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
    seen = [s["turnout"] for _, s in ours]
    raise AssertionError(f"no state with turnout {before + 1} within 5 s; states seen: {seen}")


# --- The running shape --------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database():
    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"ledenstem_prodshape_{secrets.token_hex(4)}"
    params = {
        "host": base.get("HOST") or "127.0.0.1",
        "port": base.get("PORT") or 5432,
        "user": base.get("USER") or "postgres",
        "password": base.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 10,
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlsplit(os.environ["DATABASE_URL"])
    try:
        yield urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(**params) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def throwaway_redis_db():
    """A Redis database of its own: 13 (12 if the suite uses 13), or LEDENSTEM_PRODSHAPE_REDIS_DB.

    Reserved for this test: flushed before and after.
    """
    base = os.environ["REDIS_URL"]
    url = urlsplit(base)
    base_db = int(url.path.strip("/") or 0)
    number = int(os.environ.get("LEDENSTEM_PRODSHAPE_REDIS_DB", 12 if base_db == 13 else 13))
    assert number != base_db, "the production shape needs a Redis database apart from the suite's"
    own = urlunsplit(url._replace(path=f"/{number}"))
    client = redis.Redis.from_url(own, socket_timeout=5)  # (db=... would lose to the URL's)
    client.flushdb()
    try:
        yield own
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def shape():
    if not os.environ.get("REDIS_URL"):
        skip_or_fail("the production shape needs REDIS_URL (channel layer, cache, task queue)")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        skip_or_fail("nginx not installed (apt-get install nginx)")
    if not shutil.which("envsubst"):
        skip_or_fail("envsubst not installed (apt-get install gettext-base)")
    # Not pytest's tmp_path: that is mode 0700, and nginx's workers (user nobody when the
    # master is root) must read the static files.
    work = Path(tempfile.mkdtemp(prefix="ledenstem-prod-"))
    work.chmod(0o755)
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        database_url = stack.enter_context(throwaway_database())
        redis_url = stack.enter_context(throwaway_redis_db())
        http_port, wsgi_port, asgi_port = free_port(), free_port(), free_port_pair()
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_SETTINGS_MODULE", "HUEY_IMMEDIATE", "DEBUG", "HTTPS"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            SECRET_KEY=secrets.token_urlsafe(50),
            HTTPS="0",
            EMAIL_URL="locmem://",
            LEDENSTEM_VAR_DIR=str(work / "var"),
            RUN_DIR=str(work / "run"),
            STATIC_ROOT=str(work / "static"),
            HTTP_PORT=str(http_port),
            WSGI_PORT=str(wsgi_port),
            ASGI_PORT=str(asgi_port),
            ASGI_WORKERS="2",
        )
        log = work / "serve-prod.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(SERVE_PROD)],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        running = Shape(
            env=env,
            run_dir=work / "run",
            log=log,
            process=process,
            http_port=http_port,
            wsgi_port=wsgi_port,
            asgi_ports=[asgi_port, asgi_port + 1],
        )
        stack.callback(running.stop)
        ready = f"serve-prod: ready at http://127.0.0.1:{http_port}/"
        started = time.monotonic()
        deadline = started + START_TIMEOUT
        while ready not in log.read_text(errors="replace"):
            if process.poll() is not None:
                pytest.fail(f"serve-prod exited with {process.returncode}:\n{running.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"serve-prod not ready in {START_TIMEOUT} s:\n{running.log_tail()}")
            time.sleep(0.2)
        print(f"serve-prod ready in {time.monotonic() - started:.1f} s")
        for line in (running.run_dir / "pids").read_text().splitlines():
            name, pid = line.split()
            running.children[name] = int(pid)

        running.question = f"Productievorm-test {secrets.token_hex(4)}?"
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", f"QUESTION={running.question!r}\n{SETUP}"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout.split("SETUP", 1)[1])
        running.ballot, running.choices = data["ballot"], data["choices"]
        running.sessions = data["sessions"]
        yield running


# --- Tests ----------------------------------------------------------------------------------------


def test_serve_prod_refuses_to_start_without_postgresql_and_redis():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}

    def refusal(**extra) -> str:
        result = subprocess.run(
            [str(SERVE_PROD)],
            cwd=REPO_ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, result.stdout + result.stderr
        return result.stderr

    assert "DATABASE_URL is not set" in refusal()
    assert "must point to PostgreSQL" in refusal(DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert "REDIS_URL is not set" in refusal(DATABASE_URL="postgres://u@127.0.0.1/db")


@only_on("postgresql")
def test_every_process_runs_and_nginx_answers(shape):
    assert set(shape.children) == {"huey", "wsgi", "asgi-1", "asgi-2", "nginx"}
    assert all(group_alive(pgid) for pgid in shape.children.values())
    status, headers, body = request(shape.http_port, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert headers["Server"] == "nginx"
    # nginx's own config: nothing written outside the run dir.
    assert (shape.run_dir / "nginx.pid").exists()
    assert (shape.run_dir / "logs" / "access.log").exists()


@only_on("postgresql")
def test_nginx_serves_static_files_with_cache_headers(shape):
    manifest = json.loads((Path(shape.env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    status, headers, _ = request(
        shape.http_port, "GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip"  # the .gz collectstatic wrote, not re-zipped
    assert headers["Server"] == "nginx"  # not Django (whitenoise) behind it
    status, headers, _ = request(shape.http_port, "GET", "/static/admin/css/base.css")
    assert (status, headers["Cache-Control"]) == (200, "public, max-age=3600")


@only_on("postgresql")
def test_nginx_refuses_uploads_over_the_limit_before_django_sees_them(shape):
    conn = http.client.HTTPConnection("127.0.0.1", shape.http_port, timeout=10)
    try:
        conn.putrequest("POST", "/stemmingen/controleren/")
        conn.putheader("Content-Type", "application/pdf")
        conn.putheader("Content-Length", str(22 * 1024 * 1024))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()


@only_on("postgresql")
def test_a_logged_in_member_gets_the_page_through_nginx(shape):
    status, _, page = request(shape.http_port, "GET", "/", cookies={"sessionid": shape.sessions[2]})
    assert status == 200 and "Uitloggen" in page
    status, _, page = request(shape.http_port, "GET", f"/stemmingen/{shape.ballot}/")
    assert status in (200, 302) and "Uitloggen" not in page  # anonymous: not logged in


@only_on("postgresql")
async def test_a_vote_through_one_asgi_worker_reaches_a_socket_on_the_other(shape):
    first, second = shape.asgi_ports
    lag = await vote_reaches_socket(shape, ws_port=second, vote_port=first, voter=0)
    print(f"worker 1 vote -> worker 2 socket: {lag * 1000:.0f} ms after the receipt")
    assert lag <= LIVE_LIMIT


@only_on("postgresql")
async def test_a_vote_through_gunicorn_reaches_a_socket_through_nginx(shape):
    lag = await vote_reaches_socket(
        shape, ws_port=shape.http_port, vote_port=shape.http_port, voter=1
    )
    print(f"gunicorn vote -> socket through nginx: {lag * 1000:.0f} ms after the receipt")
    assert lag <= LIVE_LIMIT


@only_on("postgresql")
def test_database_connections_stay_within_the_budget(shape):
    """gunicorn 4 x 2 threads (CONN_MAX_AGE) + 2 ASGI pools of 4 + huey 2 = 18 at most."""
    name = urlsplit(shape.env["DATABASE_URL"]).path.strip("/")
    # Some load first, so every worker has had a reason to connect.
    for port in [shape.http_port, shape.wsgi_port, *shape.asgi_ports] * 4:
        request(port, "GET", "/", cookies={"sessionid": shape.sessions[2]})
    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=base.get("HOST") or "127.0.0.1",
        port=base.get("PORT") or 5432,
        user=base.get("USER") or "postgres",
        password=base.get("PASSWORD") or None,
        dbname="postgres",
        connect_timeout=10,
    ) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchone()
    print(f"connections to the shape's database: {count}")
    assert 0 < count <= 18


@only_on("postgresql")
def test_a_worker_that_dies_is_restarted_and_the_others_keep_running(shape):
    """serve-prod supervises like systemd's Restart=always: one process dies, only it is
    started again (after RESTART_DELAY, 1 s); RUN_DIR/pids names the new pid."""
    name, port = "asgi-2", shape.asgi_ports[1]
    old = shape.children[name]
    others = {n: pgid for n, pgid in shape.children.items() if n != name}
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 60
    new = old
    while time.monotonic() < deadline:
        pids = dict(line.split() for line in (shape.run_dir / "pids").read_text().splitlines())
        new = int(pids[name])
        if new != old and port_answers(port):
            break
        time.sleep(0.2)
    assert new != old and port_answers(port), shape.log_tail()
    assert shape.process.poll() is None
    assert all(group_alive(pgid) for pgid in others.values())
    assert f"serve-prod: {name} exited (status 137); restarting it in 1 s." in shape.log_tail()
    shape.children[name] = new  # the SIGTERM test below must stop the new one too
    status, _, _ = request(shape.http_port, "GET", "/healthz")
    assert status == 200


@only_on("postgresql")
def test_sigterm_stops_every_process_and_frees_the_ports(shape):
    started = time.monotonic()
    shape.process.send_signal(signal.SIGTERM)
    assert shape.process.wait(30) == 143
    took = time.monotonic() - started
    assert not [name for name, pgid in shape.children.items() if group_alive(pgid)]
    ports = [shape.http_port, shape.wsgi_port, *shape.asgi_ports]
    assert not [port for port in ports if port_answers(port)]
    assert "serve-prod: stopped." in shape.log_tail()
    print(f"stopped in {took:.1f} s")
