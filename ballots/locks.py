"""Per-ballot locks that keep the vote path cheap.

- The *gate*: every vote holds it shared for its transaction; closing holds it exclusively.
  So a vote either commits before the close takes effect (and is counted) or sees the ballot
  closed (and is refused): never acknowledged-then-dropped, never counted after close.
  On PostgreSQL these are transaction-scoped advisory locks (in memory, no row written, so
  hundreds of votes per second do not contend on a hot row). SQLite runs one writer at a
  time (IMMEDIATE transactions), which gives the same order for free.
- The *ledger lock*: exclusive, for whoever appends to a ballot's hash chain.
"""

from django.db import connection

GATE = 1
LEDGER = 2


def _advisory(kind: int, ballot_id: int, *, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s::int)", [kind, ballot_id])


def vote_gate(ballot_id: int) -> None:
    _advisory(GATE, ballot_id, shared=True)


def closing_gate(ballot_id: int) -> None:
    _advisory(GATE, ballot_id, shared=False)


def ledger_lock(ballot_id: int) -> None:
    _advisory(LEDGER, ballot_id, shared=False)
