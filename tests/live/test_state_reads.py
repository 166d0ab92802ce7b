"""How often a process reads a ballot's live state (issue #18): a vote tells every watcher but
leaves this process's state of less than an update interval ago in place for its pages (at
an assembly every worker takes votes all the time); a change of status is read at once."""

import pytest
from django.test import override_settings

from ballots import services
from ballots.live import marks
from ballots.live.snapshot import recent_state
from tests.factories import RegionFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db(transaction=True)

A_LONG_INTERVAL = 1e-6  # updates per second: the read state holds for ~11 days
NO_INTERVAL = 1e9


def _vote(ballot, user):
    services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice(ballot, "Voor").pk)


@override_settings(REDIS_URL="")
def test_a_vote_reaches_the_watchers_but_leaves_the_pages_state_in_place(settings):
    region = RegionFactory()
    voters = [member(region=region) for _ in range(2)]
    ballot = open_ballot()
    settings.LIVE_UPDATES_PER_SECOND = A_LONG_INTERVAL
    assert recent_state(ballot.pk).turnout["count"] == 0
    marks.take_local_marks()

    _vote(ballot, voters[0])
    assert ballot.pk in marks.take_local_marks()  # the watchers hear of it at the next tick
    assert recent_state(ballot.pk).turnout["count"] == 0  # the page's interim state stays

    settings.LIVE_UPDATES_PER_SECOND = NO_INTERVAL
    assert recent_state(ballot.pk).turnout["count"] == 1  # ... until its interval is over


@override_settings(REDIS_URL="")
def test_closing_is_read_at_once(settings):
    voter = member()
    ballot = open_ballot()
    settings.LIVE_UPDATES_PER_SECOND = A_LONG_INTERVAL
    _vote(ballot, voter)
    assert recent_state(ballot.pk).status == "open"
    services.close_ballot(ballot, notify=False)
    state = recent_state(ballot.pk)
    assert state.status == "closed"
    assert state.turnout["count"] == 1
