"""Nobody is counted twice between an ambassador and the deputy standing in, also when they
submit at once and when the stand-in is approved while the ambassador votes (PostgreSQL, real
threads and transactions, each thread its own connection)."""

import pytest

from ballots import services
from ballots.errors import AlreadyVoted, BallotError, NotEligible
from ballots.models import Elector, Participation, Vote
from meetings import attendance, proxies, standins
from meetings.errors import PaperProxyRefused
from meetings.models import MeetingAttendance, MeetingKind, PaperProxy, Presence
from tests.conftest import only_on
from tests.factories import (
    AgendaItemFactory,
    MandateFactory,
    MeetingFactory,
    RegionFactory,
    agenda_ballot,
    board_member,
    choice,
    deputy,
    member,
)
from tests.threads import run_at_once

pytestmark = [only_on("postgresql"), pytest.mark.django_db(transaction=True)]


def _assembly():
    region = RegionFactory()
    meeting = MeetingFactory(kind=MeetingKind.AMBASSADORS)
    ballot = agenda_ballot(
        AgendaItemFactory(meeting=meeting), electorate="ambassadors", secrecy="named"
    )
    ambassador = MandateFactory(region=region, weight=120).user
    return meeting, ballot, ambassador, deputy(region), board_member()


def test_ambassador_and_deputy_submitting_at_once_count_once():
    meeting, ballot, ambassador, stand_in_deputy, chair = _assembly()
    standins.approve_stand_in(
        meeting=meeting, ambassador=ambassador, deputy=stand_in_deputy, by=chair
    )
    services.open_ballot(ballot, notify=False)
    voor = choice(ballot, "Voor").pk
    calls = [
        lambda: services.cast_vote(ballot_id=ballot.pk, user=ambassador, choice=voor),
        lambda: services.cast_vote(ballot_id=ballot.pk, user=stand_in_deputy, choice=voor),
    ] * 15
    results = run_at_once(calls)
    receipts = [r for r in results if isinstance(r, services.Receipt)]
    assert len(receipts) == 1, results
    assert all(isinstance(r, NotEligible) for r in results[0::2])
    assert sum(isinstance(r, AlreadyVoted) for r in results[1::2]) == 14
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert [v.weight for v in Vote.objects.filter(ballot=ballot)] == [120]


@pytest.mark.parametrize("round_", range(4))
def test_stand_in_approved_while_the_ambassador_votes_counts_the_seat_once(round_):
    meeting, ballot, ambassador, stand_in_deputy, chair = _assembly()
    services.open_ballot(ballot, notify=False)
    voor = choice(ballot, "Voor").pk
    results = run_at_once(
        [
            lambda: services.cast_vote(ballot_id=ballot.pk, user=ambassador, choice=voor),
            lambda: standins.approve_stand_in(
                meeting=meeting, ambassador=ambassador, deputy=stand_in_deputy, by=chair
            ),
            lambda: services.cast_vote(ballot_id=ballot.pk, user=stand_in_deputy, choice=voor),
        ]
    )
    assert not isinstance(results[1], Exception), results
    seat = Elector.objects.get(ballot=ballot)
    voted = Participation.objects.filter(ballot=ballot)
    assert voted.count() <= 1
    if isinstance(results[0], services.Receipt):
        # The ambassador voted first: the seat stayed with them, the deputy was no elector.
        assert seat.user == ambassador and voted.count() == 1
        assert isinstance(results[2], BallotError)
    else:
        assert isinstance(results[0], NotEligible) and seat.user == stand_in_deputy
    # Whoever holds the seat now, another vote for it is refused.
    for person in (ambassador, stand_in_deputy):
        if Participation.objects.filter(ballot=ballot).exists():
            with pytest.raises(BallotError):
                services.cast_vote(ballot_id=ballot.pk, user=person, choice=voor)
    assert sum(v.weight for v in Vote.objects.filter(ballot=ballot)) <= 120


def test_two_desks_recording_proxies_for_one_holder_keep_the_maximum():
    meeting = MeetingFactory()
    region = RegionFactory()
    holder = member(region=region)
    grantors = [member(region=region) for _ in range(6)]
    chair = board_member()
    results = run_at_once(
        [
            (
                lambda g=g: proxies.record_paper_proxy(
                    meeting=meeting, grantor=g, holder=holder, by=chair
                )
            )
            for g in grantors
        ]
    )
    assert sum(isinstance(r, PaperProxyRefused) for r in results) == 5, results
    assert PaperProxy.objects.filter(meeting=meeting, holder=holder).count() == 1


def test_simultaneous_check_ins_of_one_person_leave_one_row():
    meeting = MeetingFactory()
    anna, chair = member(), board_member()
    results = run_at_once(
        [
            lambda: attendance.set_attendance(
                meeting=meeting, user_id=anna.pk, presence=Presence.HALL, by=chair
            )
        ]
        * 10
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert MeetingAttendance.objects.filter(meeting=meeting, user=anna).count() == 1
