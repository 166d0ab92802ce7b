"""The desk's check-in feeds the ballots of the meeting that require presence."""

import pytest

from ballots import services
from ballots.errors import NotPresent
from ballots.models import Elector, LedgerEntry
from meetings import attendance, selectors
from meetings.errors import NotOnRoll
from meetings.models import MeetingAttendance, MeetingMode, MeetingStatus, Presence
from tests.factories import AgendaItemFactory, RegionFactory, agenda_ballot, choice, member

pytestmark = pytest.mark.django_db


def _check_in(meeting, person, presence=Presence.HALL, by=None):
    return attendance.set_attendance(meeting=meeting, user_id=person.pk, presence=presence, by=by)


def test_check_in_records_who_and_when(meeting, chair):
    anna = member()
    row = _check_in(meeting, anna, by=chair)
    assert (row.presence, row.changed_by) == (Presence.HALL, chair)
    assert row.changed_at is not None
    _check_in(meeting, anna, Presence.ABSENT, by=chair)
    assert MeetingAttendance.objects.get(meeting=meeting, user=anna).presence == "absent"
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 1


def test_someone_not_on_the_roll_is_refused(meeting, chair):
    from members.models import Membership

    gone = member()
    Membership.objects.filter(user=gone).update(status="ended")
    with pytest.raises(NotOnRoll, match="presentielijst"):
        _check_in(meeting, gone, by=chair)
    assert not MeetingAttendance.objects.exists()


def test_online_only_where_the_meeting_is_online(chair):
    from tests.factories import MeetingFactory

    hall_only = MeetingFactory(mode=MeetingMode.IN_PERSON)
    online_only = MeetingFactory(mode=MeetingMode.ONLINE)
    anna = member()
    with pytest.raises(NotOnRoll, match="alleen in de zaal"):
        _check_in(hall_only, anna, Presence.ONLINE, by=chair)
    with pytest.raises(NotOnRoll, match="alleen online"):
        _check_in(online_only, anna, Presence.HALL, by=chair)
    assert _check_in(online_only, anna, Presence.ONLINE, by=chair).presence == "online"


def test_attendance_is_fixed_once_the_meeting_ended(meeting, chair):
    meeting.status = MeetingStatus.ENDED
    meeting.save()
    with pytest.raises(NotOnRoll, match="afgelopen"):
        _check_in(meeting, member(), by=chair)


def test_checked_in_before_opening_may_vote_in_a_ballot_that_requires_presence(meeting, chair):
    region = RegionFactory()
    hall, online, away = member(region=region), member(region=region), member(region=region)
    item = AgendaItemFactory(meeting=meeting)
    ballot = agenda_ballot(item, attendance_required=True)
    _check_in(meeting, hall, by=chair)
    _check_in(meeting, online, Presence.ONLINE, by=chair)
    services.open_ballot(ballot, notify=False)
    present = set(
        Elector.objects.filter(ballot=ballot, present=True).values_list("user", flat=True)
    )
    assert present == {hall.pk, online.pk}
    voor = choice(ballot, "Voor").pk
    services.cast_vote(ballot_id=ballot.pk, user=hall, choice=voor)
    services.cast_vote(ballot_id=ballot.pk, user=online, choice=voor)
    with pytest.raises(NotPresent):
        services.cast_vote(ballot_id=ballot.pk, user=away, choice=voor)
    entry = LedgerEntry.objects.get(ballot=ballot, kind="presence")
    assert entry.payload["meeting"] == meeting.pk
    assert len(entry.payload["present"]) == 2


def test_check_in_and_out_while_a_ballot_is_open_follows_at_once(meeting, chair):
    anna = member()
    ballot = agenda_ballot(AgendaItemFactory(meeting=meeting), attendance_required=True)
    services.open_ballot(ballot, notify=False)
    voor = choice(ballot, "Voor").pk
    with pytest.raises(NotPresent):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=voor)
    _check_in(meeting, anna, by=chair)
    assert Elector.objects.get(ballot=ballot, user=anna).present
    _check_in(meeting, anna, Presence.ABSENT, by=chair)
    assert not Elector.objects.get(ballot=ballot, user=anna).present
    with pytest.raises(NotPresent):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=voor)
    _check_in(meeting, anna, Presence.ONLINE, by=chair)
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=voor)
    changes = LedgerEntry.objects.filter(ballot=ballot, kind="presence").order_by("seq")
    assert [e.payload["present"] for e in changes] == [True, False, True]
    assert [e.payload["by"] for e in changes] == [chair.pk] * 3


def test_a_ballot_outside_the_meeting_is_not_touched(meeting, chair):
    anna = member()
    elsewhere = agenda_ballot(AgendaItemFactory(), attendance_required=True)
    services.open_ballot(elsewhere, notify=False)
    _check_in(meeting, anna, by=chair)
    assert not Elector.objects.get(ballot=elsewhere, user=anna).present


def test_counts_per_region(meeting, chair):
    north, south = RegionFactory(name="Noord"), RegionFactory(name="Zuid")
    a, b, _c = member(region=north), member(region=north), member(region=north)
    d = member(region=south)
    _check_in(meeting, a, by=chair)
    _check_in(meeting, b, Presence.ONLINE, by=chair)
    _check_in(meeting, d, Presence.ABSENT, by=chair)
    counts = {
        c.name: (c.hall, c.online, c.absent, c.total) for c in selectors.counts_by_region(meeting)
    }
    assert counts["Noord"] == (1, 1, 1, 3)
    assert counts["Zuid"] == (0, 0, 1, 1)


def test_search_by_name_or_membership_number(meeting):
    anna = member(user__full_name="Anna de Vries", membership_number="M-777")
    member(user__full_name="Bert Jansen")
    assert [p.user_id for p in selectors.search_roll(meeting, "de vries")] == [anna.pk]
    assert [p.user_id for p in selectors.search_roll(meeting, "m-777")] == [anna.pk]
    assert selectors.search_roll(meeting, "  ") == []
