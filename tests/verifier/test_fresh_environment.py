"""The verifier as a member installs it: a fresh virtual environment with nothing but the
`verifier/` package and what it declares (pyHanko), no Django, no server code. It recounts
the box of every closed demo ballot and checks the signed proces-verbaal of every kind, all
through its console script, and never imports Django.

Slow (a virtual environment, the demo, a certified document per ballot), but it runs in the
normal suite: it is the one test that proves the verifier stands on its own."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from ballots import ballot_box, certification
from ballots.models import Ballot, BallotStatus
from ballots.signing import signing_identity
from members.demo import BOARD, DEMO_DOMAIN
from members.models import User
from members.roles import is_board

pytestmark = pytest.mark.django_db

REPO = Path(django_settings.BASE_DIR)
INSTALL_TIMEOUT = 600  # pyHanko and its dependencies may come from PyPI, not the uv cache

# Prints the verifier's exit status and every module starting with "django" it imported.
NO_DJANGO = """
import sys
import ledenstem_verify
from ledenstem_verify import cli
code = cli.main(sys.argv[1:])
django = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print("VERIFIER-FILE", ledenstem_verify.__file__)
print("DJANGO-MODULES", django)
sys.exit(code)
"""


def uv() -> str:
    found = Path(sys.executable).with_name("uv")
    path = str(found) if found.exists() else shutil.which("uv")
    if not path:
        pytest.fail("uv not found beside the interpreter nor on PATH (it is in requirements)")
    return path


def clean_env() -> dict[str, str]:
    """The environment without whatever would let the fresh venv see the project's code."""
    drop = {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with only ledenstem-verify (from a copy of verifier/, so
    the build leaves nothing behind in the repository)."""
    root = tmp_path_factory.mktemp("fresh")
    source = root / "verifier"
    shutil.copytree(
        REPO / "verifier",
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "*.pyc"),
    )
    env = root / "venv"
    run = {"capture_output": True, "text": True, "env": clean_env(), "cwd": root}
    made = subprocess.run([uv(), "venv", "--python", sys.executable, str(env)], timeout=120, **run)
    assert made.returncode == 0, made.stderr
    installed = subprocess.run(
        [uv(), "pip", "install", "--python", str(env / "bin" / "python"), str(source)],
        timeout=INSTALL_TIMEOUT,
        **run,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (env / "bin" / "ledenstem-verify").exists()
    return env


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    # cwd outside the repository: the repository's ./ledenstem_verify must not be imported.
    return subprocess.run(
        [str(c) for c in command],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=cwd,
        timeout=120,
    )


def test_the_venv_has_no_django_and_its_own_copy_of_the_verifier(venv, tmp_path):
    python = venv / "bin" / "python"
    refused = run([python, "-c", "import django"], tmp_path)
    assert refused.returncode != 0 and "No module named 'django'" in refused.stderr
    refused = run([python, "-c", "import ballots"], tmp_path)
    assert refused.returncode != 0 and "No module named 'ballots'" in refused.stderr
    where = run(
        [python, "-c", "import ledenstem_verify; print(ledenstem_verify.__file__)"], tmp_path
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve())
    version = run([venv / "bin" / "ledenstem-verify", "--version"], tmp_path)
    assert version.returncode == 0 and "ledenstem-verify 1.0.0" in version.stdout


def demo_board() -> list[User]:
    board = [User.objects.get(email=f"{title}@{DEMO_DOMAIN}") for _n, _name, title in BOARD]
    assert len(board) == 2 and all(is_board(user) for user in board)
    return board


def test_every_demo_ballot_and_every_certified_kind_verifies_in_a_fresh_venv(venv, tmp_path):
    call_command("demo", stdout=io.StringIO())
    verify = venv / "bin" / "ledenstem-verify"
    closed = list(Ballot.objects.exclude(status=BallotStatus.OPEN).order_by("pk"))
    kinds = {
        (b.kind, b.secrecy, b.electorate, bool(b.motion_text), bool(b.amends_id)) for b in closed
    }
    assert {k[0] for k in kinds} == {"proposal", "single", "approval", "ranked", "election"}
    assert ("proposal", "secret", "members", False, False) in kinds  # the consultation
    assert ("proposal", "named", "ambassadors", False, False) in kinds  # the assembly
    assert any(k[3] for k in kinds) and any(k[4] for k in kinds)  # a motion, an amendment

    # 1. The box of every closed (and the one certified) demo ballot, as published.
    for ballot in closed:
        path = tmp_path / f"stembus-{ballot.pk}.json"
        path.write_bytes(ballot_box.published(ballot))
        done = run([verify, path], tmp_path)
        assert done.returncode == 0, (ballot.question, done.stdout, done.stderr)
        assert "IN ORDE: alles klopt." in done.stdout and ballot.final_seal in done.stdout

    # 2. Certify every other closed ballot by the two demo board members, as the site does.
    board = demo_board()
    for ballot in closed:
        if ballot.status == BallotStatus.CLOSED:
            for approver in board:
                certification.approve_result(ballot=ballot, by=approver, notify=False)
    certified = list(Ballot.objects.filter(pk__in=[b.pk for b in closed]).order_by("pk"))
    assert all(b.status == BallotStatus.CERTIFIED for b in certified)

    # 3. Every signed proces-verbaal, against the association's certificate, and once through
    #    a script that then lists what was imported: nothing of Django.
    certificate = tmp_path / "vereniging.pem"
    certificate.write_bytes(signing_identity().cert_pem)
    script = tmp_path / "no_django.py"
    script.write_text(NO_DJANGO)
    for ballot in certified:
        pdf = tmp_path / f"proces-verbaal-{ballot.pk}.pdf"
        pdf.write_bytes(bytes(ballot.document.pdf))
        done = run([verify, pdf, "--certificate", certificate], tmp_path)
        assert done.returncode == 0, (ballot.question, done.stdout, done.stderr)
        assert "OK    handtekening intact en over het hele bestand" in done.stdout
        assert "OK    elk cijfer in het document is gelijk aan de hertelling" in done.stdout
        assert "IN ORDE: alles klopt." in done.stdout
        box = tmp_path / f"stembus-{ballot.pk}-vastgesteld.json"
        box.write_bytes(ballot_box.published(ballot))
        done = run([venv / "bin" / "python", script, box], tmp_path)
        assert done.returncode == 0, (ballot.question, done.stdout, done.stderr)
        assert "DJANGO-MODULES []" in done.stdout, done.stdout
        [where] = [line for line in done.stdout.splitlines() if line.startswith("VERIFIER-FILE")]
        assert Path(where.split(" ", 1)[1]).resolve().is_relative_to(venv.resolve())

    # 4. The whole check of one document (signature, PDF text, recount) under -X importtime:
    #    every module it imports is listed, and none is Django's.
    done = run([venv / "bin" / "python", "-X", "importtime", script, pdf], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "ledenstem_verify.document" in imported and "pyhanko" in imported
    assert not [name for name in imported if name.split(".")[0] == "django"]
    assert "DJANGO-MODULES []" in done.stdout


def test_a_changed_box_fails_in_the_fresh_venv_too(venv, tmp_path):
    """The fresh install reports a discrepancy with exit status 1 and its reason."""
    from tests.verifier.conftest import weighted_split_proposal

    ballot, _receipts = weighted_split_proposal()
    lines = ballot_box.published(ballot).decode().splitlines()
    vote = json.loads(lines[4].rstrip(","))  # line 5: the first vote, edited by hand
    vote["weight"] += 1
    lines[4] = json.dumps(vote, ensure_ascii=False, sort_keys=True, separators=(", ", ": ")) + ","
    path = tmp_path / "veranderd.json"
    path.write_text("\n".join(lines) + "\n")
    done = run([venv / "bin" / "ledenstem-verify", path], tmp_path)
    assert done.returncode == 1, done.stdout
    assert "NIET IN ORDE: votes[1] (line 5): no ledger entry records this vote" in done.stdout
    junk = tmp_path / "rommel.pdf"
    junk.write_bytes(b"%PDF-1.7\nrommel")
    assert run([venv / "bin" / "ledenstem-verify", junk], tmp_path).returncode == 2
