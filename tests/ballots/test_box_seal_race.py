"""The box seal of an open secret ballot while votes arrive (issue #18): every "box_seal"
commits to as many encrypted votes as voters (the verifier checks exactly that), however
many votes land while the box is read, and reading it holds no lock that check-in waits on."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import only_on

pytestmark = [pytest.mark.django_db(transaction=True), only_on("postgresql")]


def _open_secret_ballot_with_a_full_box(size: int):
    from ballots import services
    from ballots.models import Ballot, Elector
    from bench.closing import fill_box, make_members

    make_members(size + 300, "race")
    now = timezone.now()
    ballot = Ballot.objects.create(
        question="Bench: zegel terwijl er gestemd wordt",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
        secrecy="secret",
        electorate="members",
    )
    services.add_default_choices(ballot)
    services.open_ballot(ballot, notify=False)
    ballot.refresh_from_db()
    electors = list(
        Elector.objects.filter(ballot=ballot)
        .order_by("pk")
        .values_list("pk", "group_id", "user_id")
    )
    live_users = [user_id for _pk, _group, user_id in electors[:300]]
    fill_box(
        ballot,
        [(pk, group) for pk, group, _u in electors[300:]],
        list(ballot.choices.values_list("pk", flat=True)),
    )
    return ballot, live_users


def test_every_box_seal_counts_as_many_votes_as_voters_while_votes_arrive():
    from ballots.models import LedgerEntry
    from ballots.sealing import seal_secret_box
    from bench.closing import _keep_voting
    from members.models import User

    ballot, live_user_ids = _open_secret_ballot_with_a_full_box(20_000)
    users = list(User.objects.filter(pk__in=live_user_ids).order_by("pk"))
    stop = threading.Event()
    seen = {"accepted": 0, "choice": ballot.choices.first().pk}
    voter = threading.Thread(target=_keep_voting, args=(ballot.pk, users, stop, seen))
    voter.start()
    try:
        while voter.is_alive() and seen["accepted"] < 250:
            seal_secret_box(ballot)
    finally:
        stop.set()
        voter.join(timeout=60)
    seal_secret_box(ballot)
    seals = list(
        LedgerEntry.objects.filter(ballot=ballot, kind="box_seal")
        .order_by("seq")
        .values_list("payload", flat=True)
    )
    assert seen["accepted"] > 0 and len(seals) > 2
    uneven = [s for s in seals if s["pending_votes"] != s["participations"]]
    assert not uneven, f"{len(uneven)} of {len(seals)} box seals: {uneven[:2]}"
    counts = [s["participations"] for s in seals]
    assert counts == sorted(counts)  # never fewer voters than before
    connection.close()


def test_the_database_computes_the_same_commitment_as_python():
    from ballots.sealing import _commitment_in_one_statement, _commitment_read_row_by_row

    ballot, _users = _open_secret_ballot_with_a_full_box(500)
    assert _commitment_in_one_statement(ballot) == _commitment_read_row_by_row(ballot)
    assert _commitment_in_one_statement(ballot)["pending_votes"] == 500


def test_an_empty_box_has_the_digest_of_nothing():
    import hashlib

    from ballots.sealing import _commitment_in_one_statement, _commitment_read_row_by_row
    from tests.factories import member, open_ballot

    member()
    ballot = open_ballot(secrecy="secret")
    empty = {
        "participations": 0,
        "pending_votes": 0,
        "pending_digest": hashlib.sha256().hexdigest(),
    }
    assert _commitment_in_one_statement(ballot) == empty == _commitment_read_row_by_row(ballot)
