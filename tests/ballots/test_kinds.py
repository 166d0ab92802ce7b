"""Ballot kinds beyond a proposal, through the real services: casting each shape of vote,
refusing bad ones, counting, the ledger, the sealed result and the proces-verbaal."""

import pytest

from ballots import services
from ballots.errors import InvalidVote
from ballots.models import OPTION, Choice, Vote
from ballots.verification import verify_ballot
from tests.factories import BallotFactory, MandateFactory, RegionFactory, add_totp, member

pytestmark = pytest.mark.django_db

OPTIONS = ["Meer tijd per patiënt", "Minder regeldruk", "Betere ANW-zorg", "Sterkere ketens"]


def kind_ballot(*, options=OPTIONS, **settings):
    ballot = BallotFactory(with_choices=False, **settings)
    for order, label in enumerate(options):
        Choice.objects.create(ballot=ballot, label=label, role=OPTION, order=order)
    return services.open_ballot(ballot, notify=False)


def ids(ballot) -> dict[str, int]:
    return {c.label: c.pk for c in ballot.choices.all()}


def voters(count: int):
    region = RegionFactory()
    return [member(region=region) for _ in range(count)]


def cast(ballot, user, choice):
    return services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice)


@pytest.mark.parametrize("secrecy", ["secret", "named"])
def test_plurality_one_of_several(secrecy):
    people = voters(7)
    ballot = kind_ballot(kind="single", secrecy=secrecy)
    pk = ids(ballot)
    for n, person in enumerate(people):
        cast(ballot, person, pk[OPTIONS[0]] if n < 4 else pk[OPTIONS[1]])
    ballot = services.close_ballot(ballot, notify=False)
    decision = ballot.final_result["decision"]
    assert decision["method"] == "plurality" and decision["winners"] == [OPTIONS[0]]
    assert ballot.final_result["outcome"]["explanation"].startswith(f"Gekozen: {OPTIONS[0]}")
    assert verify_ballot(ballot).ok


def test_two_rounds_asks_for_a_second_round_without_an_absolute_majority():
    people = voters(10)
    ballot = kind_ballot(kind="single", runoff=True)
    pk = ids(ballot)
    spread = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]
    for person, option in zip(people, spread, strict=True):
        cast(ballot, person, pk[OPTIONS[option]])
    ballot = services.close_ballot(ballot, notify=False)
    decision = ballot.final_result["decision"]
    assert decision["result"] == "runoff" and decision["runoff"] == OPTIONS[:2]
    assert "tweede ronde" in ballot.final_result["outcome"]["explanation"]


@pytest.mark.parametrize("secrecy", ["secret", "named"])
def test_approval_up_to_k(secrecy):
    people = voters(5)
    ballot = kind_ballot(kind="approval", max_choices=2, seats=2, secrecy=secrecy)
    pk = ids(ballot)
    with pytest.raises(InvalidVote, match="ten hoogste 2"):
        cast(ballot, people[0], [pk[o] for o in OPTIONS[:3]])
    with pytest.raises(InvalidVote, match="maar één keer"):
        cast(ballot, people[0], [pk[OPTIONS[0]], pk[OPTIONS[0]]])
    with pytest.raises(InvalidVote, match="ten minste één"):
        cast(ballot, people[0], [])
    picks = [[0, 1], [0, 2], [0], [2, 3], [2]]
    for person, chosen in zip(people, picks, strict=True):
        cast(ballot, person, [pk[OPTIONS[i]] for i in chosen])
    ballot = services.close_ballot(ballot, notify=False)
    decision = ballot.final_result["decision"]
    assert sorted(decision["winners"]) == sorted([OPTIONS[0], OPTIONS[2]])  # 3 approvals each
    approvals = {c["label"]: c["votes"] for c in ballot.final_result["choices"]}
    assert approvals == {OPTIONS[0]: 3, OPTIONS[1]: 1, OPTIONS[2]: 3, OPTIONS[3]: 1}
    assert verify_ballot(ballot).ok


@pytest.mark.parametrize("secrecy", ["secret", "named"])
def test_ranked_instant_runoff_with_rounds(secrecy):
    people = voters(9)
    ballot = kind_ballot(kind="ranked", secrecy=secrecy, options=OPTIONS[:3])
    pk = ids(ballot)
    a, b, c = (pk[o] for o in OPTIONS[:3])
    orders = [[a, b]] * 4 + [[b, c]] * 2 + [[c, b]] * 3
    for person, order in zip(people, orders, strict=True):
        cast(ballot, person, order)
    ballot = services.close_ballot(ballot, notify=False)
    decision = ballot.final_result["decision"]
    # Round 1: A 4, B 2, C 3: B is out and goes to C: C 5 of 9 wins.
    assert decision["winners"] == [OPTIONS[2]]
    assert [r["eliminated"] for r in decision["rounds"]] == [OPTIONS[1], None]
    assert decision["rounds"][1]["tallies"][OPTIONS[2]] == "5"
    rankings = list(Vote.objects.filter(ballot=ballot).values_list("ranking", flat=True))
    assert sorted(map(tuple, rankings)) == sorted(map(tuple, orders))
    assert verify_ballot(ballot).ok


def test_ranked_votes_are_refused_when_malformed():
    person = voters(1)[0]
    ballot = kind_ballot(kind="ranked")
    pk = ids(ballot)
    for bad in ([], [pk[OPTIONS[0]], pk[OPTIONS[0]]], [999_999], "1,2", [True]):
        with pytest.raises(InvalidVote):
            cast(ballot, person, bad)


def test_weighted_stv_election_with_fractions():
    region = RegionFactory()
    ambassadors = []
    for weight in (30, 20, 12, 8):
        user = member(region=RegionFactory())
        MandateFactory(user=user, region=user.membership.region, weight=weight)
        add_totp(user)
        ambassadors.append(user)
    assert region
    ballot = kind_ballot(
        kind="election", ranked_election=True, seats=2, electorate="ambassadors", secrecy="named"
    )
    pk = ids(ballot)
    a, b, c, d = (pk[o] for o in OPTIONS)
    orders = [[a, b], [c, d], [b, c], [d, c]]
    for user, order in zip(ambassadors, orders, strict=True):
        cast(ballot, user, order)
    ballot = services.close_ballot(ballot, notify=False)
    decision = ballot.final_result["decision"]
    # Total 70, quota 70 // 3 + 1 = 24: A (30) is elected, 6/30 of A's 30 goes on to B.
    assert decision["quota"] == "24" and decision["method"] == "stv"
    assert decision["winners"][0] == OPTIONS[0]
    assert len(decision["winners"]) == 2
    assert verify_ballot(ballot).ok


def test_the_proces_verbaal_explains_the_method_and_lists_the_rounds():
    from django.utils import timezone

    from ballots.documents import ApprovalLine, render_result_pdf
    from tests.ballots.test_documents import pdf_text

    people = voters(9)
    ballot = kind_ballot(kind="ranked", options=OPTIONS[:3], secrecy="named")
    pk = ids(ballot)
    a, b, c = (pk[o] for o in OPTIONS[:3])
    for person, order in zip(people, [[a, b]] * 4 + [[b, c]] * 2 + [[c, b]] * 3, strict=True):
        cast(ballot, person, order)
    ballot = services.close_ballot(ballot, notify=False)
    pdf = render_result_pdf(
        ballot,
        approvals=[ApprovalLine("Een Bestuurder", timezone.now())],
        seal=ballot.final_seal,
        verify_url="https://stem.example.nl/stemmingen/controleren/",
        generated_at=timezone.now(),
        development_certificate=True,
    )
    text = pdf_text(pdf)
    assert "Methode en besluit" in text and "instant runoff" in text
    assert "Ronden" in text and "valt af: Minder regeldruk" in text
    assert "Gekozen: Betere ANW-zorg" in text


# --- through the pages: the review step, the confirmation's hidden fields, the cast --------


def vote_through_pages(client, ballot, fields: dict) -> str:
    import re

    from django.urls import reverse

    url = reverse("ballots:vote", args=[ballot.pk])
    review = client.post(url, {"step": "review", **fields})
    assert review.status_code == 200, review.content.decode()[:500]
    page = review.content.decode()
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    cast_page = client.post(url, data)
    assert cast_page.status_code == 200
    return page


def test_an_approval_vote_through_the_pages_keeps_every_approved_option(client):
    person = voters(1)[0]
    ballot = kind_ballot(kind="approval", max_choices=3, secrecy="named")
    pk = ids(ballot)
    client.force_login(person)
    detail = client.get(ballot.get_absolute_url()).content.decode()
    assert 'type="checkbox" name="choices"' in detail
    chosen = [pk[OPTIONS[0]], pk[OPTIONS[2]], pk[OPTIONS[3]]]
    confirm = vote_through_pages(client, ballot, {"choices": [str(c) for c in chosen]})
    for option in (OPTIONS[0], OPTIONS[2], OPTIONS[3]):
        assert option in confirm
    stored = set(Vote.objects.filter(ballot=ballot).values_list("choice_id", flat=True))
    assert stored == set(chosen)


def test_a_ranked_vote_through_the_pages_stores_the_order(client):
    person = voters(1)[0]
    ballot = kind_ballot(kind="ranked", secrecy="named")
    pk = ids(ballot)
    client.force_login(person)
    detail = client.get(ballot.get_absolute_url()).content.decode()
    assert "data-rank-list" in detail and "js/ranking.js" in detail
    places = {OPTIONS[2]: "1", OPTIONS[0]: "2", OPTIONS[3]: "3"}  # OPTIONS[1] not ranked
    confirm = vote_through_pages(
        client, ballot, {f"rank_{pk[label]}": place for label, place in places.items()}
    )
    assert f"1. {OPTIONS[2]}" in confirm and f"3. {OPTIONS[3]}" in confirm
    [vote] = Vote.objects.filter(ballot=ballot)
    assert vote.ranking == [pk[OPTIONS[2]], pk[OPTIONS[0]], pk[OPTIONS[3]]]


def test_a_ranking_with_a_place_twice_is_refused_and_stores_nothing(client):
    from django.urls import reverse

    person = voters(1)[0]
    ballot = kind_ballot(kind="ranked", secrecy="named")
    pk = ids(ballot)
    client.force_login(person)
    url = reverse("ballots:vote", args=[ballot.pk])
    fields = {f"rank_{pk[OPTIONS[0]]}": "1", f"rank_{pk[OPTIONS[1]]}": "1"}
    review = client.post(url, {"step": "review", **fields}, follow=True)
    assert "maar één keer" in review.content.decode()
    cast = client.post(url, {"step": "cast", **fields}, follow=True)
    assert "maar één keer" in cast.content.decode()
    assert not Vote.objects.filter(ballot=ballot).exists()


def test_verify_ledger_recounts_the_rounds_and_notices_a_changed_ranking():
    from ballots.models import LedgerEntry

    people = voters(9)
    ballot = kind_ballot(kind="ranked", options=OPTIONS[:3], secrecy="named")
    pk = ids(ballot)
    a, b, c = (pk[o] for o in OPTIONS[:3])
    for person, order in zip(people, [[a, b]] * 4 + [[b, c]] * 2 + [[c, b]] * 3, strict=True):
        cast(ballot, person, order)
    ballot = services.close_ballot(ballot, notify=False)
    assert verify_ballot(ballot).ok
    # Someone rewrites one stored ranking (and its row): the chain breaks at that entry.
    entry = LedgerEntry.objects.filter(ballot=ballot, kind="vote").first()
    LedgerEntry.objects.filter(pk=entry.pk).update(payload={**entry.payload, "ranking": [b, a]})
    report = verify_ballot(ballot)
    assert not report.ok and "altered" in report.problems[0]


def test_the_board_opens_the_second_round_in_one_click(client):
    from django.urls import reverse

    from ballots.models import Ballot
    from tests.factories import board_member

    people = voters(10)
    ballot = kind_ballot(kind="single", runoff=True, secrecy="named")
    pk = ids(ballot)
    for person, option in zip(people, [0, 0, 0, 0, 1, 1, 1, 2, 2, 3], strict=True):
        cast(ballot, person, pk[OPTIONS[option]])
    ballot = services.close_ballot(ballot, notify=False)
    board = board_member()
    add_totp(board)
    client.force_login(board)
    page = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    assert "Open de tweede ronde" in page
    opened = client.post(reverse("ballots:second_round", args=[ballot.pk]))
    second = Ballot.objects.get(runoff_of=ballot)
    assert opened.status_code == 302 and opened.url == second.get_absolute_url()
    assert second.status == "open"
    assert list(second.choices.values_list("label", flat=True)) == OPTIONS[:2]
    assert ballot.ledger.filter(kind="second_round").exists()
    # A second click opens nothing new; a member cannot do it at all.
    client.post(reverse("ballots:second_round", args=[ballot.pk]))
    assert Ballot.objects.filter(runoff_of=ballot).count() == 1
    client.force_login(people[0])
    refused = client.post(reverse("ballots:second_round", args=[ballot.pk]))
    assert (
        refused.status_code in (302, 403) and Ballot.objects.filter(runoff_of=ballot).count() == 1
    )
