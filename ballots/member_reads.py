"""The two reads every member makes when an assembly votes, in hand-written SQL.

At the opening every member loads the home page (which open ballots am I an elector in, and did
I vote) and the ballot page (my elector row, did I vote, does a live proxy touch me). Built by
the ORM, these annotated queries cost 1.4 and 2.1 ms of CPU to compile on every request, ten
times what the database needs to answer them (measured in one process on PostgreSQL, issue
#18). The statements here are fixed strings, so PostgreSQL prepares each once per connection.

Table names come from the models' metadata; the columns are the fields' own names (id,
ballot_id, user_id, ...). tests/ballots/test_member_reads.py compares both reads with their
ORM form on every kind of elector, so a renamed column fails there, not at an assembly.
"""

from functools import cache

from django.db import connection

from ballots.models import Ballot, BallotStatus, Elector, Participation, Proxy


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _elector_sql() -> str:
    return (
        f"SELECT e.*,"
        f" EXISTS (SELECT 1 FROM {_table(Participation)} p WHERE p.elector_id = e.id) AS voted,"
        f" EXISTS (SELECT 1 FROM {_table(Proxy)} x WHERE x.ballot_id = e.ballot_id"
        f"  AND NOT x.revoked AND (x.grantor_id = e.id OR x.holder_id = e.id)) AS has_proxies"
        f" FROM {_table(Elector)} e WHERE e.ballot_id = %s AND e.user_id = %s"
    )


def elector_with_state(ballot_id: int, user_id: int) -> Elector | None:
    """This user's elector row in the ballot, with `voted` (a participation exists) and
    `has_proxies` (a proxy not revoked names it as grantor or holder); None: not an elector."""
    found = list(Elector.objects.raw(_elector_sql(), [ballot_id, user_id]))
    if not found:
        return None
    elector = found[0]
    # SQLite answers EXISTS with 0 or 1
    elector.voted, elector.has_proxies = bool(elector.voted), bool(elector.has_proxies)
    return elector


@cache
def _open_ballots_sql() -> str:
    return (
        f"SELECT b.*,"
        f" EXISTS (SELECT 1 FROM {_table(Participation)} p WHERE p.elector_id = e.id) AS voted"
        f" FROM {_table(Elector)} e JOIN {_table(Ballot)} b ON b.id = e.ballot_id"
        f" WHERE e.user_id = %s AND b.status = %s ORDER BY b.closes_at, b.id"
    )


def open_ballots_of(user_id: int) -> list[tuple[Ballot, bool]]:
    """(ballot, voted) for every open ballot in which this user is an elector, the one that
    closes first first."""
    found = Ballot.objects.raw(_open_ballots_sql(), [user_id, BallotStatus.OPEN.value])
    # SQLite answers EXISTS with 0 or 1
    return [(ballot, bool(ballot.voted)) for ballot in found]
