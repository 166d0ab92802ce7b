"""The chair moves through the agenda and opens and closes the items' ballots."""

import pytest

from ballots.models import BallotStatus
from meetings import chair as console
from meetings.errors import ChairRefused
from meetings.models import MeetingStatus
from tests.factories import AgendaItemFactory, RegionFactory, agenda_ballot, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(meeting):
    member(region=RegionFactory())
    first = AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    second = AgendaItemFactory(meeting=meeting, order=2, title="Het akkoord")
    ballot = agenda_ballot(second)
    return meeting, first, second, ballot


def test_start_next_and_end(agenda, chair):
    meeting, first, second, _ballot = agenda
    meeting = console.start_meeting(meeting=meeting, by=chair)
    assert (meeting.status, meeting.current_item) == (MeetingStatus.IN_PROGRESS, first)
    meeting = console.next_item(meeting=meeting, by=chair)
    assert meeting.current_item == second
    with pytest.raises(ChairRefused, match="laatste agendapunt"):
        console.next_item(meeting=meeting, by=chair)
    meeting = console.go_to_item(meeting=meeting, item=first, by=chair)
    assert meeting.current_item == first
    meeting = console.end_meeting(meeting=meeting, by=chair)
    assert (meeting.status, meeting.current_item) == (MeetingStatus.ENDED, None)
    with pytest.raises(ChairRefused, match="niet bezig"):
        console.go_to_item(meeting=meeting, item=second, by=chair)


def test_a_meeting_starts_once(agenda, chair):
    meeting = console.start_meeting(meeting=agenda[0], by=chair)
    with pytest.raises(ChairRefused, match="geplande"):
        console.start_meeting(meeting=meeting, by=chair)


def test_item_of_another_meeting_is_refused(agenda, chair):
    meeting = console.start_meeting(meeting=agenda[0], by=chair)
    with pytest.raises(ChairRefused, match="hoort niet bij"):
        console.go_to_item(meeting=meeting, item=AgendaItemFactory(), by=chair)


def test_open_and_close_the_items_ballot(agenda, chair):
    meeting, _first, _second, ballot = agenda
    with pytest.raises(ChairRefused, match="bezig"):
        console.open_item_ballot(meeting=meeting, ballot_id=ballot.pk, by=chair)
    console.start_meeting(meeting=meeting, by=chair)
    opened = console.open_item_ballot(meeting=meeting, ballot_id=ballot.pk, by=chair)
    assert opened.status == BallotStatus.OPEN
    with pytest.raises(ChairRefused, match="stemmingen die nog open zijn"):
        console.end_meeting(meeting=meeting, by=chair)
    closed = console.close_item_ballot(meeting=meeting, ballot_id=ballot.pk, by=chair)
    assert closed.status == BallotStatus.CLOSED and closed.is_counted
    console.end_meeting(meeting=meeting, by=chair)


def test_a_ballot_not_on_the_agenda_is_refused(agenda, chair):
    meeting = console.start_meeting(meeting=agenda[0], by=chair)
    stranger = agenda_ballot(AgendaItemFactory())
    with pytest.raises(ChairRefused, match="niet op de agenda"):
        console.open_item_ballot(meeting=meeting, ballot_id=stranger.pk, by=chair)
    stranger.refresh_from_db()
    assert stranger.status == BallotStatus.DRAFT
