"""The Django side of the fault tests, run in a subprocess against the private database
(`python -m tests.faults.dbside COMMAND`, with serve-prod's environment): the test process
itself keeps its own settings.

  members N            N members with logged-in sessions (bench.prepare): [[user id, key], ...]
  open QUESTION        a secret members' ballot opened through the service: its id
  finish BALLOT        stdin: {"receipts": {user id: code}, "attempted": [user id, ...]}
                       audit while open, close through the service (mixes and seals every
                       vote), audit again, then `manage.py verify_ledger BALLOT`

Prints one line `RESULT <json>` on stdout.
"""

import io
import json
import sys
from collections import Counter


def audit(ballot_id: int, receipts: dict[int, str], attempted: set[int]) -> dict:
    """What the database holds against what the clients were shown."""
    from django.db.models import Count

    from ballots.models import Participation, PendingVote, Vote
    from ballots.receipts import receipt_hash

    participations = list(
        Participation.objects.filter(ballot_id=ballot_id).values_list(
            "elector_id", "elector__user_id"
        )
    )
    electors_twice = (
        Participation.objects.filter(ballot_id=ballot_id)
        .values("elector_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    # Pending secret votes are ciphertext (ballots.vote_keys): the audit reads them with the
    # ballot's key, from the same BALLOT_KEY_DIR as the servers (it goes once counted).
    from ballots import vote_keys
    from ballots.models import Ballot

    key_id = Ballot.objects.get(pk=ballot_id).vote_key_id
    pending = [
        vote_keys.open_sealed(key_id, ballot_id, sealed)["receipt"]
        for sealed in PendingVote.objects.filter(ballot_id=ballot_id).values_list(
            "sealed", flat=True
        )
    ]
    counted = list(
        Vote.objects.filter(ballot_id=ballot_id, withdrawn=False).values_list(
            "receipt_hash", flat=True
        )
    )
    rows = Counter(pending) + Counter(counted)
    shown = {user: receipt_hash(ballot_id, code) for user, code in receipts.items()}
    participants = {user for _, user in participations}
    recorded_without_receipt = sorted(participants - set(receipts))
    matched = sum(min(rows[h], 1) for h in shown.values())
    return {
        "participations": len(participations),
        "electors_twice": electors_twice,
        "pending_rows": len(pending),
        "vote_rows": len(counted),
        "receipts_shown": len(shown),
        "receipts_missing": sum(1 for h in shown.values() if rows[h] == 0),
        "receipts_stored_twice": sum(1 for h in shown.values() if rows[h] > 1),
        "receipt_holders_without_participation": len(set(receipts) - participants),
        "hashes_stored_twice": sum(1 for n in rows.values() if n > 1),
        "rows_without_shown_receipt": sum(rows.values()) - matched,
        "recorded_without_receipt": recorded_without_receipt,
        "recorded_without_attempt": sorted(participants - attempted),
    }


def main(argv: list[str]) -> dict | list | int:
    import django

    django.setup()
    command, argument = argv[0], argv[1]
    if command == "members":
        from bench.prepare import members

        return [[m.user_id, m.session_key] for m in members(int(argument))]
    if command == "open":
        from bench.prepare import open_ballot

        return open_ballot(argument)
    if command == "finish":
        from django.core.management import call_command

        from bench.prepare import close_ballot

        ballot_id = int(argument)
        given = json.loads(sys.stdin.read())
        receipts = {int(user): code for user, code in given["receipts"].items()}
        attempted = {int(user) for user in given["attempted"]}
        before = audit(ballot_id, receipts, attempted)
        close_ballot(ballot_id)
        after = audit(ballot_id, receipts, attempted)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("verify_ledger", str(ballot_id), stdout=out, stderr=err)
            verified = {"ok": True, "output": out.getvalue().strip()}
        except Exception as failed:  # CommandError: the ledger is not in order
            verified = {"ok": False, "output": f"{err.getvalue()}{failed}".strip()}
        return {"open": before, "closed": after, "verify_ledger": verified}
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print("RESULT " + json.dumps(main(sys.argv[1:])))
