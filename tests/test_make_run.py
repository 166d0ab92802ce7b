"""`make run` (scripts/run-dev) as a newcomer meets it, on a port other than 8000.

It used to run with DEBUG on: a wrong address showed Django's debug page (settings, URL list),
and every link in emails pointed to http://127.0.0.1:8000 whatever the port. Now it serves
the site's own error pages, static files and the WebSocket with DEBUG off, and SITE_URL
follows HOST and PORT. One server for the whole module (it takes a few seconds to start).
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from members.register_csv import COLUMNS
from tests.test_prod_shape import free_port, request

REPO_ROOT = Path(__file__).resolve().parents[1]
MEMBER = "anna.devries@example.nl"


def _env(var_dir: Path, port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # The embedded default, as a newcomer runs it: none of these set (the test settings
        # put SITE_URL in this process's environment).
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "HTTPS", "SITE_URL", "STATIC_MANIFEST"}
        and not key.startswith(("PYTEST", "DJANGO_"))
    }
    return {**env, "LEDENSTEM_VAR_DIR": str(var_dir), "HOST": "127.0.0.1", "PORT": str(port)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("make-run-var")
    port = free_port()
    env = _env(var_dir, port)
    # What `make demo` does before run-dev, smaller: the schema and one member.
    manage = {**env, "SITE_URL": f"http://127.0.0.1:{port}"}
    register = var_dir / "leden.csv"
    register.write_text(",".join(COLUMNS) + f"\n1001,Anna de Vries,{MEMBER},noord,member,\n")
    region = "from members.models import Region; Region.objects.create(code='noord', name='Noord')"
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["shell", "-c", region],
        ["import_members", str(register)],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=REPO_ROOT,
            env=manage,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    log = var_dir / "run-dev.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(REPO_ROOT / "scripts" / "run-dev")],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                if request(port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield port, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_a_missing_page_is_the_sites_own_404_not_the_debug_page(server):
    port, _log = server
    status, _headers, page = request(port, "GET", "/bestaat-niet/")
    assert status == 404
    assert "Deze pagina bestaat niet" in page and 'class="site-header"' in page
    assert "DEBUG = True" not in page and "URLconf" not in page


def test_static_files_and_the_favicon_are_served(server):
    port, _log = server
    status, headers, css = request(port, "GET", "/static/css/site.css")
    assert status == 200 and "--brand" in css
    status, headers, _ = request(port, "GET", "/favicon.ico")
    assert status == 301
    status, headers, svg = request(port, "GET", headers["Location"])
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
    assert "<svg" in svg


def test_the_websocket_accepts_the_sites_own_origin(server):
    """A refused origin fails the handshake; an anonymous visitor gets a reason instead."""
    port, _log = server
    with connect(
        f"ws://127.0.0.1:{port}/ws/ballots/1/live/",
        origin=f"http://127.0.0.1:{port}",
        open_timeout=10,
    ) as socket:
        message = json.loads(socket.recv(timeout=10))
    assert message["type"] == "error"


def test_links_in_emails_follow_the_port(server):
    """The password-reset email (printed on the console) links to this server's address."""
    port, log = server
    cookies: dict = {}
    status, _, page = request(port, "GET", "/accounts/password/reset/", cookies=cookies)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, _ = request(
        port,
        "POST",
        "/accounts/password/reset/",
        cookies=cookies,
        form={"csrfmiddlewaretoken": token, "email": MEMBER},
        headers={"Referer": f"http://127.0.0.1:{port}/accounts/password/reset/"},
    )
    assert status == 302
    deadline = time.monotonic() + 10
    while "/accounts/password/reset/key/" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    printed = log.read_text()
    assert f"http://127.0.0.1:{port}/accounts/password/reset/key/" in printed
    assert "127.0.0.1:8000" not in printed


def test_make_run_passes_its_address_on_and_leaves_debug_off():
    """The Makefile set DEBUG=1 for run-dev; migrate and demo now see the same SITE_URL as
    the server (the demo signs a document with a verification link)."""
    shown = subprocess.run(
        # Under `make test` this is a sub-make: without --no-print-directory it adds
        # "make[1]: Entering/Leaving directory" lines (found when CI ran it).
        ["make", "-n", "--no-print-directory", "run", "PORT=8310"],
        cwd=REPO_ROOT,
        env={
            key: value
            for key, value in os.environ.items()
            if key not in {"SITE_URL", "DEBUG", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    commands = shown.stdout.splitlines()
    assert "SITE_URL=http://127.0.0.1:8310 .venv/bin/python manage.py demo" in commands
    assert commands[-1] == "HOST=127.0.0.1 PORT=8310 SITE_URL=http://127.0.0.1:8310 scripts/run-dev"
    assert not any("DEBUG=" in command for command in commands)
