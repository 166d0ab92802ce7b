"""Freezing the electorate at opening: PostgreSQL writes the rows by COPY above a few hundred
electors (issue #18: the ORM's INSERTs took 7 s of an opening at 100,000); the rows are
exactly the ones the register gives, with their reporting groups, on either path."""

import pytest

from ballots import bulk_copy, services
from ballots.electorate import eligible_electors
from ballots.models import Elector
from tests.factories import BallotFactory, RegionFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("threshold", [bulk_copy.THRESHOLD, 1])
def test_the_frozen_rows_are_the_registers(monkeypatch, threshold, settings):
    settings.REPORTING_GROUP_MINIMUM = 3
    monkeypatch.setattr(bulk_copy, "THRESHOLD", threshold)  # 1: COPY on PostgreSQL
    regions = [RegionFactory() for _ in range(3)]
    for i in range(9):
        member(region=regions[i % 3])
    ballot = BallotFactory(secrecy="secret")
    expected = {(e.user_id, e.region_id, e.weight) for e in eligible_electors(ballot)}

    services.open_ballot(ballot)

    rows = list(Elector.objects.filter(ballot=ballot).select_related("group"))
    assert {(r.user_id, r.region_id, r.weight) for r in rows} == expected
    assert not any(r.present for r in rows)
    groups = {r.region_id: r.group for r in rows}
    assert all(group is not None for group in groups.values())  # three groups of three
    assert {g.ballot_id for g in groups.values()} == {ballot.pk}
    assert len({g.pk for g in groups.values()}) == 3
