"""A deputy stands in for an absent ambassador: the seat's weight passes, never both count."""

import pytest

from ballots import services
from ballots.errors import AlreadyVoted, NotEligible
from ballots.models import Elector, LedgerEntry, Participation, Vote
from meetings import attendance, standins
from meetings.errors import NotOnRoll, StandInRefused
from meetings.models import Presence
from tests.factories import MeetingFactory, choice, deputy

pytestmark = pytest.mark.django_db


def _approve(world, by, **kwargs):
    return standins.approve_stand_in(
        meeting=world["meeting"],
        ambassador=kwargs.get("ambassador", world["ambassador"]),
        deputy=kwargs.get("deputy", world["deputy"]),
        by=by,
    )


def _seat_holders(ballot) -> dict[str, tuple[int, int]]:
    return {
        e.region.name: (e.user_id, e.weight)
        for e in Elector.objects.filter(ballot=ballot).select_related("region")
    }


def test_stand_in_before_opening_gives_the_deputy_the_seat_and_its_weight(assembly, chair):
    stand_in, refused = _approve(assembly, chair)
    assert refused == []
    assert (stand_in.approved_by, stand_in.region) == (chair, assembly["north"])
    ballot = services.open_ballot(assembly["ballot"], notify=False)
    assert _seat_holders(ballot) == {
        "Noord": (assembly["deputy"].pk, 120),
        "Zuid": (assembly["other_ambassador"].pk, 80),
    }
    voor = choice(ballot, "Voor").pk
    with pytest.raises(NotEligible):
        services.cast_vote(ballot_id=ballot.pk, user=assembly["ambassador"], choice=voor)
    services.cast_vote(ballot_id=ballot.pk, user=assembly["deputy"], choice=voor)
    with pytest.raises(AlreadyVoted):
        services.cast_vote(ballot_id=ballot.pk, user=assembly["deputy"], choice=voor)
    ballot = services.close_ballot(ballot, notify=False)
    counted = {c["label"]: c["weight"] for c in ballot.final_result["choices"]}
    assert counted["Voor"] == 120
    entry = LedgerEntry.objects.get(ballot=ballot, kind="stand_in")
    assert entry.payload | {"elector": 0} == {
        "by": chair.pk,
        "meeting": assembly["meeting"].pk,
        "elector": 0,
        "region": assembly["north"].pk,
        "ambassador": assembly["ambassador"].pk,
        "deputy": assembly["deputy"].pk,
        "weight": 120,
    }


def test_stand_in_while_open_moves_an_unused_seat(assembly, chair):
    ballot = services.open_ballot(assembly["ballot"], notify=False)
    _approve(assembly, chair)
    assert _seat_holders(ballot)["Noord"] == (assembly["deputy"].pk, 120)
    voor = choice(ballot, "Voor").pk
    with pytest.raises(NotEligible):
        services.cast_vote(ballot_id=ballot.pk, user=assembly["ambassador"], choice=voor)
    services.cast_vote(ballot_id=ballot.pk, user=assembly["deputy"], choice=voor)
    assert Vote.objects.get(ballot=ballot).weight == 120


def test_a_seat_that_voted_stays_with_the_ambassador(assembly, chair):
    ballot = services.open_ballot(assembly["ballot"], notify=False)
    voor = choice(ballot, "Voor").pk
    services.cast_vote(ballot_id=ballot.pk, user=assembly["ambassador"], choice=voor)
    _stand_in, refused = _approve(assembly, chair)
    assert [(b.pk, reason) for b, reason in refused] == [(ballot.pk, "al gestemd")]
    assert _seat_holders(ballot)["Noord"] == (assembly["ambassador"].pk, 120)
    with pytest.raises(NotEligible):
        services.cast_vote(ballot_id=ballot.pk, user=assembly["deputy"], choice=voor)
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert not LedgerEntry.objects.filter(ballot=ballot, kind="stand_in").exists()


def test_withdrawing_gives_an_unused_seat_back(assembly, chair):
    ballot = services.open_ballot(assembly["ballot"], notify=False)
    stand_in, _ = _approve(assembly, chair)
    standins.withdraw_stand_in(stand_in=stand_in, by=chair)
    assert _seat_holders(ballot)["Noord"] == (assembly["ambassador"].pk, 120)
    assert LedgerEntry.objects.filter(ballot=ballot, kind="stand_in_withdrawn").count() == 1
    with pytest.raises(StandInRefused, match="al ingetrokken"):
        standins.withdraw_stand_in(stand_in=stand_in, by=chair)


def test_a_vote_the_deputy_cast_stays_after_withdrawal(assembly, chair):
    ballot = services.open_ballot(assembly["ballot"], notify=False)
    stand_in, _ = _approve(assembly, chair)
    voor = choice(ballot, "Voor").pk
    services.cast_vote(ballot_id=ballot.pk, user=assembly["deputy"], choice=voor)
    _stand_in, refused = standins.withdraw_stand_in(stand_in=stand_in, by=chair)
    assert [reason for _b, reason in refused] == ["al gestemd"]
    with pytest.raises(NotEligible):
        services.cast_vote(ballot_id=ballot.pk, user=assembly["ambassador"], choice=voor)
    assert Participation.objects.filter(ballot=ballot).count() == 1


def test_deputy_of_another_region_is_refused(assembly, chair):
    stranger = deputy(assembly["south"])
    with pytest.raises(StandInRefused, match="geen plaatsvervanger van de regio Noord"):
        _approve(assembly, chair, deputy=stranger)


def test_only_an_ambassador_with_a_mandate(assembly, chair):
    with pytest.raises(StandInRefused, match="geen ambassadeur"):
        _approve(assembly, chair, ambassador=assembly["deputy"], deputy=assembly["deputy"])


def test_a_present_ambassador_needs_no_stand_in(assembly, chair):
    attendance.set_attendance(
        meeting=assembly["meeting"],
        user_id=assembly["ambassador"].pk,
        presence=Presence.HALL,
        by=chair,
    )
    with pytest.raises(StandInRefused, match="aanwezig"):
        _approve(assembly, chair)


def test_an_ambassador_with_a_stand_in_cannot_be_checked_in(assembly, chair):
    _approve(assembly, chair)
    with pytest.raises(NotOnRoll, match="trek de vervanging eerst in"):
        attendance.set_attendance(
            meeting=assembly["meeting"],
            user_id=assembly["ambassador"].pk,
            presence=Presence.HALL,
            by=chair,
        )


def test_one_stand_in_per_ambassador(assembly, chair):
    _approve(assembly, chair)
    with pytest.raises(StandInRefused, match="staat al iemand in"):
        _approve(assembly, chair)
    assert assembly["meeting"].stand_ins.count() == 1


def test_no_stand_in_at_a_members_meeting(assembly, chair):
    members_meeting = MeetingFactory()
    with pytest.raises(StandInRefused, match="ambassadeursvergadering"):
        standins.approve_stand_in(
            meeting=members_meeting,
            ambassador=assembly["ambassador"],
            deputy=assembly["deputy"],
            by=chair,
        )


def test_deputy_checked_in_is_present_in_a_ballot_that_requires_presence(assembly, chair):
    ballot = assembly["ballot"]
    ballot.attendance_required = True
    ballot.save()
    attendance.set_attendance(
        meeting=assembly["meeting"],
        user_id=assembly["deputy"].pk,
        presence=Presence.ONLINE,
        by=chair,
    )
    _approve(assembly, chair)
    services.open_ballot(ballot, notify=False)
    seat = Elector.objects.get(ballot=ballot, region=assembly["north"])
    assert (seat.user_id, seat.present) == (assembly["deputy"].pk, True)
    services.cast_vote(
        ballot_id=ballot.pk, user=assembly["deputy"], choice=choice(ballot, "Tegen").pk
    )
