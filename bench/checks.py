"""Correctness after every step that voted: the run fails (non-zero exit) if any check fails.

- every acknowledged vote is in the database, once: acknowledged == Participation rows ==
  counted Vote rows, no elector twice, and each receipt code the voter was shown hashes to a
  stored vote (so the counts agree because the same votes are there, not by coincidence);
- every watcher's final state shows that many votes and the ballot closed;
- `manage.py verify_ledger` accepts the ballot (hash chain, rows, recount).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(name: str, ok: bool, detail: str = "") -> dict:
    return {"name": name, "ok": bool(ok), "detail": detail}


def votes_stored(step: str, ballot_id: int, acks: list, prepared: int, asked: int) -> list[dict]:
    from ballots.models import Vote
    from ballots.receipts import receipt_hash
    from bench.prepare import counts

    found = counts(ballot_id)
    acked = len(acks)
    stored_hashes = list(
        Vote.objects.filter(ballot_id=ballot_id, withdrawn=False).values_list(
            "receipt_hash", flat=True
        )
    )
    unique_hashes = set(stored_hashes)
    missing = sum(1 for a in acks if receipt_hash(ballot_id, a.code) not in unique_hashes)
    voters = [a.user_id for a in acks]
    return [
        check(
            f"{step}: every elector reached the confirmation page",
            prepared == asked,
            f"{prepared} of {asked}",
        ),
        check(
            f"{step}: acknowledged == participations == counted votes",
            acked == found["participations"] == found["votes"] and found["pending_votes"] == 0,
            f"acknowledged {acked}, participations {found['participations']}, "
            f"votes {found['votes']}, pending {found['pending_votes']}",
        ),
        check(
            f"{step}: no duplicates",
            found["duplicate_electors"] == 0
            and len(set(voters)) == len(voters)
            and len(unique_hashes) == len(stored_hashes),
            f"electors twice {found['duplicate_electors']}, members acknowledged twice "
            f"{len(voters) - len(set(voters))}, receipt hashes twice "
            f"{len(stored_hashes) - len(unique_hashes)}",
        ),
        check(
            f"{step}: every receipt shown matches a counted vote",
            missing == 0,
            f"{missing} receipt(s) without a vote",
        ),
    ]


def ledger_verified(step: str, ballot_id: int, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "manage.py", "verify_ledger", str(ballot_id)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = (done.stdout + done.stderr).strip().splitlines()
    return check(
        f"{step}: verify_ledger {ballot_id}",
        done.returncode == 0,
        output[-1] if output else f"exit {done.returncode}",
    )


def watchers_saw(step: str, result: dict) -> list[dict]:
    figures = result["figures"]
    acked = len(result["acks"])
    counts = result["final_counts"]
    wrong = sum(1 for c in counts if c != acked)
    not_closed = sum(1 for s in result["final_statuses"] if s != "closed")
    return [
        check(
            f"{step}: every watcher connected and stayed",
            figures["watchers"] == figures["watchers_asked"] and not figures["failures"],
            f"{figures['watchers']} of {figures['watchers_asked']}; failures "
            f"{figures['failures'] or 'none'}",
        ),
        check(
            f"{step}: every watcher saw every vote",
            figures["lag_ms"]["missed"] == 0 and figures["converged_after_last_vote_s"] is not None,
            f"missed {figures['lag_ms']['missed']} (watcher x vote)",
        ),
        check(
            f"{step}: final turnout every watcher saw == acknowledged",
            wrong == 0 and not_closed == 0,
            f"{wrong} watcher(s) with another final count, {not_closed} not shown closed "
            f"(acknowledged {acked})",
        ),
    ]
