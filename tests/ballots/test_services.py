"""Lifecycle, electorate, casting, proxies: the rules of DESIGN.md §4, and their refusals."""

import datetime

import pytest
from django.utils import timezone

from ballots import services
from ballots.errors import (
    AlreadyVoted,
    BallotClosed,
    BallotNotOpen,
    InvalidVote,
    NotEditable,
    NotEligible,
    NotPresent,
    ProxyRefused,
)
from ballots.models import Ballot, BallotStatus, Elector, Participation, PendingVote, Vote
from ballots.receipts import receipt_hash
from members.models import Membership, MembershipStatus
from tests.factories import (
    BallotFactory,
    MandateFactory,
    RegionFactory,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db


def snapshot(ballot):
    return (
        Participation.objects.filter(ballot=ballot).count(),
        PendingVote.objects.filter(ballot=ballot).count(),
        Vote.objects.filter(ballot=ballot).count(),
    )


def test_opening_freezes_the_member_electorate(region):
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot()
    assert set(Elector.objects.filter(ballot=ballot).values_list("user_id", flat=True)) == {
        anna.pk,
        bert.pk,
    }
    late = member(region=region)  # joins after opening: not an elector
    Membership.objects.filter(user=bert).update(status=MembershipStatus.ENDED)  # stays one
    with pytest.raises(NotEligible):
        services.cast_vote(ballot_id=ballot.pk, user=late, choice=choice(ballot, "Voor").pk)
    services.cast_vote(ballot_id=ballot.pk, user=bert, choice=choice(ballot, "Voor").pk)


def test_ambassador_electorate_has_weights_and_no_deputies(region):
    zeeland = RegionFactory(code="zeeland", name="Zeeland")
    for _ in range(3):
        member(region=region)
    MandateFactory(region=region)  # automatic weight: Utrecht's active member count
    MandateFactory(region=zeeland, weight=250)
    MandateFactory(region=zeeland, is_deputy=True)
    ballot = open_ballot(electorate="ambassadors", secrecy="named")
    weights = dict(Elector.objects.filter(ballot=ballot).values_list("region__code", "weight"))
    assert weights == {"utrecht": 4, "zeeland": 250}  # 3 members + the ambassador's membership


def test_region_filter_limits_the_electorate(region):
    other = RegionFactory()
    inside, _outside = member(region=region), member(region=other)
    ballot = BallotFactory()
    ballot.regions.set([region])
    services.open_ballot(ballot)
    assert list(Elector.objects.filter(ballot=ballot).values_list("user_id", flat=True)) == [
        inside.pk
    ]


def test_vote_gives_a_receipt_whose_hash_alone_is_stored(region):
    anna = member(region=region)
    ballot = open_ballot()
    receipt = services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Tegen").pk)
    assert PendingVote.objects.filter(ballot=ballot).count() == 1
    assert receipt.code not in str(PendingVote.objects.values_list())
    services.close_ballot(ballot)
    [counted] = Vote.objects.filter(ballot=ballot)
    assert counted.receipt_hash == receipt_hash(ballot.pk, receipt.code)
    assert receipt.code not in str(Vote.objects.values_list())


def test_second_vote_is_refused_and_changes_nothing(region):
    anna = member(region=region)
    ballot = open_ballot()
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    before = snapshot(ballot)
    with pytest.raises(AlreadyVoted, match="telt maar één keer"):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Tegen").pk)
    assert snapshot(ballot) == before


def test_member_cannot_vote_in_ambassador_ballot(region):
    MandateFactory(region=region)
    plain = member(region=region)
    ballot = open_ballot(electorate="ambassadors", secrecy="named")
    with pytest.raises(NotEligible, match="geen kiesgerechtigde"):
        services.cast_vote(ballot_id=ballot.pk, user=plain, choice=choice(ballot, "Voor").pk)
    assert snapshot(ballot) == (0, 0, 0)


@pytest.mark.parametrize("when", ["before", "after_close_time", "closed", "draft"])
def test_votes_outside_the_open_period_are_refused(region, when):
    anna = member(region=region)
    ballot = open_ballot()
    expected = BallotClosed
    if when == "before":
        Ballot.objects.filter(pk=ballot.pk).update(
            opens_at=timezone.now() + datetime.timedelta(hours=1)
        )
        expected = BallotNotOpen
    elif when == "after_close_time":  # status still open: the clock decides, not the worker
        Ballot.objects.filter(pk=ballot.pk).update(
            closes_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    elif when == "closed":
        services.close_ballot(ballot)
    else:
        Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.DRAFT)
        expected = BallotNotOpen
    with pytest.raises(expected):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    assert Participation.objects.filter(ballot=ballot).count() == 0


def test_choice_of_another_ballot_is_refused(region):
    anna = member(region=region)
    ballot, other = open_ballot(), BallotFactory()
    with pytest.raises(InvalidVote):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(other, "Voor").pk)
    with pytest.raises(InvalidVote):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice="niets")
    assert snapshot(ballot) == (0, 0, 0)


def test_attendance_required_refuses_absent_electors(region):
    anna = member(region=region)
    ballot = open_ballot(attendance_required=True)
    with pytest.raises(NotPresent):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    elector = Elector.objects.get(ballot=ballot, user=anna)
    services.set_presence(ballot=ballot, elector=elector, present=True)
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    assert ballot.ledger.filter(kind="presence").count() == 1


def test_weighted_elector_may_split_when_allowed(region):
    MandateFactory(region=region, weight=100)
    ballot = open_ballot(electorate="ambassadors", secrecy="named", vote_splitting=True)
    ambassador = Elector.objects.get(ballot=ballot).user
    voor, tegen = choice(ballot, "Voor"), choice(ballot, "Tegen")
    with pytest.raises(InvalidVote, match="precies uw stemgewicht \\(100\\)"):
        services.cast_vote(ballot_id=ballot.pk, user=ambassador, choice={voor.pk: 60, tegen.pk: 30})
    services.cast_vote(ballot_id=ballot.pk, user=ambassador, choice={voor.pk: 61, tegen.pk: 39})
    assert sorted(Vote.objects.filter(ballot=ballot).values_list("choice__label", "weight")) == [
        ("Tegen", 39),
        ("Voor", 61),
    ]


def test_named_vote_change_only_when_allowed(region):
    anna = member(region=region)
    ballot = open_ballot(secrecy="named", vote_change_allowed=True)
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Tegen").pk)
    assert list(
        Vote.objects.filter(ballot=ballot, withdrawn=False).values_list("choice__label", flat=True)
    ) == ["Tegen"]
    fixed = open_ballot(secrecy="named")
    services.cast_vote(ballot_id=fixed.pk, user=anna, choice=choice(fixed, "Voor").pk)
    with pytest.raises(AlreadyVoted):
        services.cast_vote(ballot_id=fixed.pk, user=anna, choice=choice(fixed, "Tegen").pk)


def test_proxy_grant_use_and_limits(region):
    anna, bert, cees = member(region=region), member(region=region), member(region=region)
    ballot = open_ballot(secrecy="named", proxies_allowed=True, max_proxies_held=1)
    proxy = services.grant_proxy(ballot=ballot, grantor_user=anna, holder_user=bert)
    with pytest.raises(ProxyRefused, match="maximum van 1"):
        services.grant_proxy(ballot=ballot, grantor_user=cees, holder_user=bert)
    with pytest.raises(ProxyRefused, match="volmacht gegeven"):
        services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    receipt = services.cast_vote(
        ballot_id=ballot.pk,
        user=bert,
        choice=choice(ballot, "Tegen").pk,
        on_behalf_of=proxy.grantor_id,
    )
    assert receipt.by_proxy
    vote = Vote.objects.get(ballot=ballot)
    assert vote.elector.user == anna and vote.cast_by_proxy
    assert Participation.objects.get(ballot=ballot).cast_by.user == bert
    with pytest.raises(ProxyRefused, match="al gestemd"):
        services.revoke_proxy(proxy=proxy, by_user=anna)
    with pytest.raises(AlreadyVoted):
        services.cast_vote(
            ballot_id=ballot.pk,
            user=bert,
            choice=choice(ballot, "Voor").pk,
            on_behalf_of=proxy.grantor_id,
        )
    services.cast_vote(ballot_id=ballot.pk, user=bert, choice=choice(ballot, "Voor").pk)  # own vote


def test_proxy_revoked_before_use_returns_the_vote(region):
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot(proxies_allowed=True)
    proxy = services.grant_proxy(ballot=ballot, grantor_user=anna, holder_user=bert)
    services.revoke_proxy(proxy=proxy, by_user=anna)
    with pytest.raises(ProxyRefused):
        services.cast_vote(
            ballot_id=ballot.pk,
            user=bert,
            choice=choice(ballot, "Voor").pk,
            on_behalf_of=proxy.grantor_id,
        )
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    assert list(ballot.ledger.values_list("kind", flat=True)) == [
        "opened",
        "proxy_granted",
        "proxy_revoked",
    ]


def test_proxies_refused_when_not_allowed_or_outside_the_electorate(region):
    anna, outsider = member(region=region), member(region=region)
    ballot = open_ballot(proxies_allowed=False)
    with pytest.raises(ProxyRefused, match="niet toegestaan"):
        services.grant_proxy(ballot=ballot, grantor_user=anna, holder_user=outsider)


def test_lifecycle_transitions_and_their_refusals(region):
    member(region=region)
    ballot = BallotFactory()
    services.schedule_ballot(ballot)
    with pytest.raises(NotEditable):
        services.schedule_ballot(ballot)
    services.open_ballot(ballot)
    with pytest.raises(NotEditable):
        services.open_ballot(ballot)
    services.close_ballot(ballot)
    with pytest.raises(NotEditable):
        services.close_ballot(ballot)
    kinds = list(ballot.ledger.values_list("kind", flat=True))
    assert kinds == ["scheduled", "opened", "closed", "seal", "counted"]


def test_closing_mixes_seals_and_records_the_result(region):
    voters = [member(region=region) for _ in range(6)]
    ballot = open_ballot()
    for n, voter in enumerate(voters):
        services.cast_vote(
            ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor" if n < 4 else "Tegen").pk
        )
    ballot = services.close_ballot(ballot)
    assert PendingVote.objects.filter(ballot=ballot).count() == 0
    assert Vote.objects.filter(ballot=ballot, ledger_entry__isnull=False).count() == 6
    weights = {c["label"]: c["weight"] for c in ballot.final_result["choices"]}
    assert weights == {"Voor": 4, "Tegen": 2, "Onthouding": 0}
    assert ballot.final_result["outcome"]["result"] == "adopted"
    assert ballot.final_seal == ballot.ledger.order_by("-seq").first().hash


def test_opening_without_electors_or_choices_is_refused():
    with pytest.raises(NotEditable, match="geen kiesgerechtigden"):
        open_ballot()
    lonely = BallotFactory(with_choices=False)
    with pytest.raises(NotEditable, match="twee keuzes"):
        services.open_ballot(lonely)
    assert Ballot.objects.filter(status=BallotStatus.OPEN).count() == 0


def test_proxies_cannot_be_chained_in_either_order(region):
    """Found in review: G -> H then H -> K was accepted (only K -> ... was checked)."""
    g, h, k = (member(region=region) for _ in range(3))
    ballot = open_ballot(proxies_allowed=True, max_proxies_held=2)
    services.grant_proxy(ballot=ballot, grantor_user=g, holder_user=h)
    with pytest.raises(ProxyRefused, match="doorgeven kan niet"):
        services.grant_proxy(ballot=ballot, grantor_user=h, holder_user=k)
