"""The live state reads a ballot's electorate once per process (issue #18: the aggregate over
13,000 electors cost ~10 ms on every state read): only once it is frozen, never a scheduled
ballot's empty one, and region names stay current."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ballots import services
from ballots.live.snapshot import read_state
from ballots.models import BallotStatus
from tests.factories import BallotFactory, RegionFactory, choice, member

pytestmark = pytest.mark.django_db


def _regions(state) -> dict:
    return {r["name"]: (r["count"], r["electorate_count"]) for r in state.regions}


def test_a_scheduled_ballot_is_read_again_once_it_opens():
    north, south = RegionFactory(name="Noord"), RegionFactory(name="Zuid")
    voters = [member(region=north), member(region=north), member(region=south)]
    ballot = BallotFactory(opens_at=timezone.now() + datetime.timedelta(hours=1))
    ballot.status = BallotStatus.SCHEDULED
    ballot.save()
    before = read_state(ballot.pk)
    assert before.turnout["electorate_count"] == 0  # nobody is an elector before opening

    ballot.opens_at = timezone.now() - datetime.timedelta(minutes=1)
    ballot.save()
    services.open_ballot(ballot)
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    state = read_state(ballot.pk)
    assert state.turnout["electorate_count"] == 3
    assert _regions(state) == {"Noord": (1, 2), "Zuid": (0, 1)}


def test_the_electorate_is_read_once_and_turnout_every_time():
    region = RegionFactory(name="Midden")
    voters = [member(region=region) for _ in range(3)]
    ballot = services.open_ballot(BallotFactory())
    read_state(ballot.pk)
    services.cast_vote(ballot_id=ballot.pk, user=voters[1], choice=choice(ballot, "Tegen").pk)
    with CaptureQueriesContext(connection) as queries:
        state = read_state(ballot.pk)
    assert not any(
        "ballots_elector" in q["sql"]
        and "COUNT" in q["sql"].upper()
        and "ballots_participation" not in q["sql"]
        for q in queries
    )
    assert state.turnout["count"] == 1 and state.turnout["electorate_count"] == 3

    region.name = "Midden-Nederland"
    region.save()
    assert _regions(read_state(ballot.pk)) == {"Midden-Nederland": (1, 3)}
