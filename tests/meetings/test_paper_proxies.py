"""Written proxies recorded by the board: the online proxies' limits, and who recorded them."""

import pytest

from ballots import services
from ballots.errors import AlreadyVoted, ProxyRefused
from ballots.models import LedgerEntry, Proxy
from meetings import attendance, proxies, standins
from meetings.errors import NotOnRoll, PaperProxyRefused
from meetings.models import PaperProxy, Presence
from tests.factories import AgendaItemFactory, RegionFactory, agenda_ballot, choice, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    region = RegionFactory()
    return [member(region=region) for _ in range(4)]


def _record(meeting, grantor, holder, by):
    return proxies.record_paper_proxy(meeting=meeting, grantor=grantor, holder=holder, by=by)


def test_paper_proxy_becomes_the_ballots_proxy_at_opening(meeting, people, chair):
    anna, bert = people[:2]
    ballot = agenda_ballot(AgendaItemFactory(meeting=meeting), proxies_allowed=True)
    paper, refused = _record(meeting, anna, bert, chair)
    assert refused == [] and paper.recorded_by == chair
    services.open_ballot(ballot, notify=False)
    proxy = Proxy.objects.get(ballot=ballot)
    assert (proxy.grantor.user, proxy.holder.user) == (anna, bert)
    voor = choice(ballot, "Voor").pk
    receipt = services.cast_vote(
        ballot_id=ballot.pk, user=bert, choice=voor, on_behalf_of=proxy.grantor_id
    )
    assert receipt.by_proxy
    with pytest.raises(ProxyRefused, match="volmacht gegeven"):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=voor)
    with pytest.raises(AlreadyVoted):
        services.cast_vote(
            ballot_id=ballot.pk, user=bert, choice=voor, on_behalf_of=proxy.grantor_id
        )
    entry = LedgerEntry.objects.get(ballot=ballot, kind="paper_proxy")
    assert entry.payload == {
        "meeting": meeting.pk,
        "grantor": proxy.grantor_id,
        "holder": proxy.holder_id,
        "recorded_by": chair.pk,
    }


def test_paper_proxy_recorded_while_a_ballot_is_open_applies_at_once(meeting, people, chair):
    anna, bert = people[:2]
    ballot = agenda_ballot(AgendaItemFactory(meeting=meeting), proxies_allowed=True)
    services.open_ballot(ballot, notify=False)
    _record(meeting, anna, bert, chair)
    assert Proxy.objects.filter(ballot=ballot, grantor__user=anna, holder__user=bert).exists()


def test_a_ballot_without_proxies_takes_none(meeting, people, chair):
    ballot = agenda_ballot(AgendaItemFactory(meeting=meeting), proxies_allowed=False)
    _record(meeting, people[0], people[1], chair)
    services.open_ballot(ballot, notify=False)
    assert not Proxy.objects.filter(ballot=ballot).exists()


def test_the_ballots_own_refusal_is_reported(meeting, people, chair):
    """The grantor already voted in the open ballot: grant_proxy refuses, the paper proxy
    stays recorded for the meeting's other ballots, and the refusal is returned."""
    anna, bert = people[:2]
    ballot = agenda_ballot(AgendaItemFactory(meeting=meeting), proxies_allowed=True)
    services.open_ballot(ballot, notify=False)
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    _paper, refused = _record(meeting, anna, bert, chair)
    assert [(b.pk, reason) for b, reason in refused] == [
        (ballot.pk, "U heeft al gestemd; een volmacht is niet meer nodig.")
    ]
    assert not Proxy.objects.filter(ballot=ballot).exists()


def test_limits_are_those_of_online_proxies(meeting, people, chair):
    anna, bert, carla, dirk = people
    with pytest.raises(PaperProxyRefused, match="aan zichzelf"):
        _record(meeting, anna, anna, chair)
    _record(meeting, anna, bert, chair)
    with pytest.raises(PaperProxyRefused, match="al een volmacht gegeven"):
        _record(meeting, anna, carla, chair)
    with pytest.raises(PaperProxyRefused, match="maximum van 1"):
        _record(meeting, carla, bert, chair)
    with pytest.raises(PaperProxyRefused, match="doorgeven kan niet"):
        _record(meeting, bert, carla, chair)
    with pytest.raises(PaperProxyRefused, match="kan er geen aannemen"):
        _record(meeting, dirk, anna, chair)
    assert PaperProxy.objects.filter(meeting=meeting).count() == 1


def test_the_meetings_maximum_may_be_higher(meeting, people, chair):
    meeting.max_proxies_held = 2
    meeting.save()
    anna, bert, carla, dirk = people
    _record(meeting, anna, dirk, chair)
    _record(meeting, bert, dirk, chair)
    with pytest.raises(PaperProxyRefused, match="maximum van 2"):
        _record(meeting, carla, dirk, chair)


def test_a_present_grantor_votes_themselves(meeting, people, chair):
    anna, bert = people[:2]
    attendance.set_attendance(meeting=meeting, user_id=anna.pk, presence=Presence.HALL, by=chair)
    with pytest.raises(PaperProxyRefused, match="stemt zelf"):
        _record(meeting, anna, bert, chair)


def test_a_grantor_cannot_be_checked_in_until_the_proxy_is_revoked(meeting, people, chair):
    anna, bert = people[:2]
    paper, _ = _record(meeting, anna, bert, chair)
    with pytest.raises(NotOnRoll, match="volmacht gegeven"):
        attendance.set_attendance(
            meeting=meeting, user_id=anna.pk, presence=Presence.HALL, by=chair
        )
    proxies.revoke_paper_proxy(paper=paper, by=chair)
    paper.refresh_from_db()
    assert paper.revoked_by == chair and paper.revoked_at is not None
    attendance.set_attendance(meeting=meeting, user_id=anna.pk, presence=Presence.HALL, by=chair)


def test_revoking_revokes_an_unused_ballot_proxy_and_keeps_a_used_one(meeting, people, chair):
    anna, bert, carla, dirk = people
    ballot = agenda_ballot(
        AgendaItemFactory(meeting=meeting), proxies_allowed=True, max_proxies_held=2
    )
    unused, _ = _record(meeting, anna, bert, chair)
    used, _ = _record(meeting, carla, dirk, chair)
    services.open_ballot(ballot, notify=False)
    carla_proxy = Proxy.objects.get(ballot=ballot, grantor__user=carla)
    services.cast_vote(
        ballot_id=ballot.pk,
        user=dirk,
        choice=choice(ballot, "Voor").pk,
        on_behalf_of=carla_proxy.grantor_id,
    )
    proxies.revoke_paper_proxy(paper=unused, by=chair)
    _paper, refused = proxies.revoke_paper_proxy(paper=used, by=chair)
    assert [reason for _b, reason in refused] == ["al gebruikt"]
    assert Proxy.objects.get(ballot=ballot, grantor__user=anna).revoked
    assert not Proxy.objects.get(ballot=ballot, grantor__user=carla).revoked
    with pytest.raises(PaperProxyRefused, match="al ingetrokken"):
        proxies.revoke_paper_proxy(paper=unused, by=chair)


def test_deputies_neither_give_nor_hold_paper_proxies(assembly, chair):
    with pytest.raises(PaperProxyRefused, match="gevolmachtigde is geen stemgerechtigde"):
        _record(assembly["meeting"], assembly["ambassador"], assembly["deputy"], chair)


def test_no_paper_proxy_from_an_ambassador_whose_deputy_stands_in(assembly, chair):
    standins.approve_stand_in(
        meeting=assembly["meeting"],
        ambassador=assembly["ambassador"],
        deputy=assembly["deputy"],
        by=chair,
    )
    with pytest.raises(PaperProxyRefused, match="plaatsvervanger in"):
        _record(assembly["meeting"], assembly["ambassador"], assembly["other_ambassador"], chair)


def test_no_stand_in_for_an_ambassador_who_gave_a_paper_proxy(assembly, chair):
    _record(assembly["meeting"], assembly["ambassador"], assembly["other_ambassador"], chair)
    from meetings.errors import StandInRefused

    with pytest.raises(StandInRefused, match="schriftelijke volmacht"):
        standins.approve_stand_in(
            meeting=assembly["meeting"],
            ambassador=assembly["ambassador"],
            deputy=assembly["deputy"],
            by=chair,
        )
