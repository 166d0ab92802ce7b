"""Closing a big secret ballot never stalls voting (issue #12): with 20,000 pending votes
created in bulk and a voter casting all the while, voting stops within a second, a late
vote is refused at once, and the count (the one mix and the seal) finishes and verifies.

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
    assert figures["stop_voting"]["s"] < 1.0, figures
    # The vote sent after the close was refused at once, not after the count.
    assert figures["late_vote_refused_after_s"] < 1.0, figures
    assert figures["late_vote_waited_s"] < 1.0, figures
    assert figures["count"]["s"] > figures["stop_voting"]["s"]  # the count ran after
