"""Backups (PostgreSQL): a dump of a database holding a certified ballot, restored into a
fresh database, passes verify_ledger and verify_result there, run as an operator would (a
separate process with DATABASE_URL pointing at the restored copy). The procedure tested here
is the one documented in the README (backups)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ballots import certification, ledger, services
from ballots.models import BallotStatus, ResultDocument
from tests.conftest import only_on, skip_or_fail
from tests.factories import RegionFactory, board_member, choice, member, open_ballot

pytestmark = [only_on("postgresql"), pytest.mark.django_db(transaction=True)]

PROJECT = Path(settings.BASE_DIR)


def certified_ballot():
    region = RegionFactory(code="utrecht", name="Utrecht")
    voters = [member(region=region) for _ in range(6)]
    ballot = open_ballot(question="Wordt de back-up goed teruggezet?")
    for n, voter in enumerate(voters):
        label = "Voor" if n < 4 else "Tegen"
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, label).pk)
    ballot = services.close_ballot(ballot, notify=False)
    certification.approve_result(ballot=ballot, by=board_member())
    certification.approve_result(ballot=ballot, by=board_member())
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CERTIFIED
    return ballot


def postgres_env() -> dict[str, str]:
    """libpq's variables for the test database's server (pg_dump, pg_restore, createdb)."""
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"] or "postgres"
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def database_url(name: str, env: dict[str, str]) -> str:
    password = f":{env['PGPASSWORD']}" if "PGPASSWORD" in env else ""
    return f"postgres://{env['PGUSER']}{password}@{env['PGHOST']}:{env['PGPORT']}/{name}"


def test_a_restored_dump_passes_verify_ledger_and_verify_result(tmp_path):
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if not shutil.which(tool):
            skip_or_fail(f"{tool} not installed (apt-get install postgresql-client)")
    ballot = certified_ballot()
    head = ledger.head(ballot)[1]
    pdf = tmp_path / "proces-verbaal.pdf"
    pdf.write_bytes(bytes(ResultDocument.objects.get(ballot=ballot).pdf))
    env = postgres_env()
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restore_{os.getpid()}"
    dump = tmp_path / "ledenstem.dump"

    done = run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source], env)
    assert done.returncode == 0, done.stderr
    run(["dropdb", "--if-exists", "--force", restored], env)
    done = run(["createdb", restored], env)
    assert done.returncode == 0, done.stderr
    try:
        restore = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)]
        done = run(restore, env)
        assert done.returncode == 0, done.stderr

        command_env = {**env, "DATABASE_URL": database_url(restored, env)}

        def manage(*args: str) -> subprocess.CompletedProcess:
            return run([sys.executable, str(PROJECT / "manage.py"), *args], command_env)

        checked = manage("verify_ledger", str(ballot.pk))
        assert checked.returncode == 0, checked.stderr
        assert "grootboek in orde" in checked.stdout and head in checked.stdout
        # The signed PDF as the restored database holds it, and as it was handed out before.
        exported = tmp_path / "uit-de-kopie.pdf"
        done = manage("export_results", str(ballot.pk), "--format", "pdf", "-o", str(exported))
        assert done.returncode == 0, done.stderr
        assert exported.read_bytes() == pdf.read_bytes()
        for document in (exported, pdf):
            checked = manage("verify_result", str(document))
            assert checked.returncode == 0, checked.stderr
            assert f"echt proces-verbaal van stemming {ballot.pk}" in checked.stdout
        # The control: the restored copy still tells a changed document from the real one.
        tampered = tmp_path / "gewijzigd.pdf"
        data = bytearray(pdf.read_bytes())
        data[len(data) // 2] ^= 0x01
        tampered.write_bytes(bytes(data))
        assert manage("verify_result", str(tampered)).returncode != 0
    finally:
        dropped = run(["dropdb", "--if-exists", "--force", restored], env)
        assert dropped.returncode == 0, dropped.stderr
