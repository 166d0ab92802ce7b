"""The hand-written reads of ballots.member_reads give what the ORM gives, for every kind of
member: no elector, elector who did or did not vote, who gave or holds a proxy (live or
revoked), in ballots open, closed and not yet open."""

import datetime

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ballots import member_reads, services
from ballots.models import Ballot, Elector, Participation, Proxy
from tests.factories import BallotFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db


def _orm_elector(ballot, user):
    """The ORM form the hand-written statement replaces."""
    live_proxy = Proxy.objects.filter(ballot=ballot, revoked=False).filter(
        Q(grantor=OuterRef("pk")) | Q(holder=OuterRef("pk"))
    )
    return (
        Elector.objects.filter(ballot=ballot, user=user)
        .annotate(
            voted=Exists(Participation.objects.filter(elector=OuterRef("pk"))),
            has_proxies=Exists(live_proxy),
        )
        .first()
    )


def _as_tuple(elector):
    if elector is None:
        return None
    return (
        elector.pk,
        elector.ballot_id,
        elector.user_id,
        elector.region_id,
        elector.weight,
        elector.present,
        elector.group_id,
        elector.voted,
        elector.has_proxies,
    )


def test_the_elector_read_matches_the_orm_for_every_kind_of_member(region):
    anna, bert, cor, dirk, eva = (member(region=region) for _ in range(5))
    ballot = open_ballot(secrecy="named", proxies_allowed=True)
    other = open_ballot(secrecy="named", proxies_allowed=True)
    late = member(region=region)  # joined after the electorates were frozen
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    services.grant_proxy(ballot=ballot, grantor_user=bert, holder_user=cor)
    revoked = services.grant_proxy(ballot=ballot, grantor_user=dirk, holder_user=eva)
    services.revoke_proxy(proxy=revoked, by_user=dirk)
    # A proxy in another ballot touches nobody's row in this one.
    services.grant_proxy(ballot=other, grantor_user=anna, holder_user=eva)

    seen = {}
    for user in (anna, bert, cor, dirk, eva, late):
        hand = member_reads.elector_with_state(ballot.pk, user.pk)
        assert _as_tuple(hand) == _as_tuple(_orm_elector(ballot, user))
        seen[user] = hand and (hand.voted, hand.has_proxies)
    assert seen == {
        anna: (True, False),
        bert: (False, True),
        cor: (False, True),
        dirk: (False, False),
        eva: (False, False),
        late: None,
    }
    assert isinstance(seen[anna][0], bool) and isinstance(seen[bert][1], bool)


def test_open_ballots_are_the_open_ones_the_member_is_an_elector_in_first_closing_first(region):
    anna = member(region=region)
    now = timezone.now()
    later = open_ballot(closes_at=now + datetime.timedelta(days=3))
    sooner = open_ballot(closes_at=now + datetime.timedelta(hours=2))
    voted_in = open_ballot(closes_at=now + datetime.timedelta(days=1))
    services.cast_vote(ballot_id=voted_in.pk, user=anna, choice=choice(voted_in, "Tegen").pk)
    closed = open_ballot()
    services.close_ballot(closed, notify=False)
    BallotFactory()  # a draft: nobody is an elector yet
    member(region=region)  # another member's rows are not hers
    newcomer = member(region=region)  # joined after every opening: in none of them

    found = member_reads.open_ballots_of(anna.pk)
    assert [(b.pk, voted) for b, voted in found] == [
        (sooner.pk, False),
        (voted_in.pk, True),
        (later.pk, False),
    ]
    assert member_reads.open_ballots_of(newcomer.pk) == []


def test_a_ballot_read_by_hand_is_the_ballot_the_orm_reads(region):
    """Every field with the ORM's types (SQLite keeps dates as text: the raw query applies
    the same converters as a queryset)."""
    anna = member(region=region)
    ballot = open_ballot(description="Zie **de notitie**.", proxies_allowed=True)
    [(hand, _)] = member_reads.open_ballots_of(anna.pk)
    orm = Ballot.objects.get(pk=ballot.pk)
    for field in Ballot._meta.concrete_fields:
        assert getattr(hand, field.attname) == getattr(orm, field.attname), field.name
    assert isinstance(hand.closes_at, datetime.datetime) and hand.closes_at.tzinfo is not None
