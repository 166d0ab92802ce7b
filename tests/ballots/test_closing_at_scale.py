"""Closing a big secret ballot never stalls voting (issue #12): with 20,000 pending votes
created in bulk and a voter casting all the while, voting stops before the count, a late
vote is refused then (not after the count), and the count (the one mix and the seal)
finishes and verifies. How fast is measured by the bench (`--scenario close`).

The same code as `python -m bench run --scenario close` (bench/closing.py), at 20,000."""

import pytest

from tests.conftest import only_on

pytestmark = [pytest.mark.django_db(transaction=True), only_on("postgresql")]


def test_closing_twenty_thousand_pending_votes_while_votes_arrive():
    from bench.closing import run_size

    figures = run_size(20_000)
    assert figures["checks"]["ledger_verifies"], figures["checks"]
    assert figures["checks"]["counted_equals_cast"], figures["checks"]
    assert figures["votes_during_close"] > 0  # votes really were arriving
    # The vote sent after the close was refused when voting stopped, not after the count:
    # said by the order of events, not by a time limit (timings live in bench/results/).
    assert figures["late_vote_waited_s"] < figures["count"]["s"], figures
    assert figures["late_vote_refused_after_s"] < figures["count"]["s"], figures
    assert figures["count"]["s"] > figures["stop_voting"]["s"]  # the count ran after


def test_each_size_is_measured_on_an_electorate_of_its_own_size():
    """The members of an earlier size are not electors of the next: the 100,000 step froze
    114,600 electors while its growth figure divided by 100,200."""
    from ballots.models import Ballot, Elector
    from bench.closing import run_size

    run_size(30)
    figures = run_size(50)
    latest = Ballot.objects.latest("pk")
    assert Elector.objects.filter(ballot=latest).count() == figures["electors"] == 250
