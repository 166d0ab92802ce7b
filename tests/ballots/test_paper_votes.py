"""Counts in the hall (issue #15, item 5): entered by one board member, confirmed by another
before they count, in the ledger, apart in the result, the document and the ballot box, and
nobody counted twice across online and paper votes."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from ballots import ballot_box, paper, services
from ballots.errors import AlreadyVoted
from ballots.models import LedgerEntry, PaperTally, Participation
from ballots.paper import Line, PaperRefused
from ballots.tally import result_summary, tally
from ballots.verification import verify_ballot
from ledenstem_verify.recount import check_box
from tests.factories import (
    MandateFactory,
    RegionFactory,
    add_totp,
    board_member,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    return board_member(), board_member()


@pytest.fixture
def members_ballot():
    region = RegionFactory()
    people = [member(region=region) for _ in range(6)]
    return open_ballot(question="Akkoord?", secrecy="named"), people


def _electors(ballot, people):
    return [ballot.electors.get(user=p) for p in people]


def _lines(ballot, **per_label):
    return [Line(choice(ballot, label).pk, n, n) for label, n in per_label.items()]


def test_a_count_counts_only_once_a_second_board_member_confirms(members_ballot, board):
    ballot, people = members_ballot
    services.cast_vote(ballot_id=ballot.pk, user=people[0], choice=choice(ballot, "Voor").pk)
    entered = paper.enter(
        ballot=ballot,
        kind="hands",
        electors=_electors(ballot, people[1:4]),
        lines=_lines(ballot, Voor=2, Tegen=1),
        by=board[0],
    )
    assert tally(ballot).paper == {}  # pending: nothing counts yet
    with pytest.raises(PaperRefused, match="tweede bestuurslid"):
        paper.confirm(tally=entered, by=board[0])
    paper.confirm(tally=entered, by=board[1])
    counted = tally(ballot)
    votes = {c.label: (c.votes, c.weight) for c in counted.choices}
    assert votes["Voor"] == (3, 3) and votes["Tegen"] == (1, 1)
    assert counted.turnout_count == 4
    entry = LedgerEntry.objects.get(ballot=ballot, kind="paper_votes")
    assert entry.payload["electors"] == sorted(e.pk for e in _electors(ballot, people[1:4]))
    assert entry.payload["entered_by"] == board[0].pk
    assert entry.payload["confirmed_by"] == board[1].pk

    ballot = services.close_ballot(ballot)
    summary = ballot.final_result
    assert summary["paper_votes"] == [
        {"label": "Voor", "votes": 2, "weight": 2},
        {"label": "Tegen", "votes": 1, "weight": 1},
    ]
    assert verify_ballot(ballot).ok, verify_ballot(ballot).problems
    box = json.loads(ballot_box.published(ballot))
    assert len(box["paper_votes"]) == 1
    assert check_box(box) == []


def test_nobody_votes_online_after_voting_in_the_hall(board):
    region = RegionFactory()
    people = [member(region=region) for _ in range(3)]
    ballot = open_ballot(vote_change_allowed=True, secrecy="named")
    counted = paper.enter(
        ballot=ballot,
        kind="paper",
        electors=_electors(ballot, people[:1]),
        lines=_lines(ballot, Tegen=1),
        by=board[0],
    )
    paper.confirm(tally=counted, by=board[1])
    # Even where a vote may be changed, an online vote does not replace a count in the hall.
    with pytest.raises(AlreadyVoted, match="in de zaal"):
        services.cast_vote(ballot_id=ballot.pk, user=people[0], choice=choice(ballot, "Voor").pk)
    assert Participation.objects.get(ballot=ballot, elector__user=people[0]).on_paper


def test_nobody_counts_in_the_hall_after_voting_online(members_ballot, board):
    ballot, people = members_ballot
    services.cast_vote(ballot_id=ballot.pk, user=people[0], choice=choice(ballot, "Voor").pk)
    with pytest.raises(PaperRefused, match="Al gestemd"):
        paper.enter(
            ballot=ballot,
            kind="hands",
            electors=_electors(ballot, people[:2]),
            lines=_lines(ballot, Voor=2),
            by=board[0],
        )
    # Entered before, voted online in between: the confirmation counts nobody.
    entered = paper.enter(
        ballot=ballot,
        kind="hands",
        electors=_electors(ballot, people[1:3]),
        lines=_lines(ballot, Voor=2),
        by=board[0],
    )
    services.cast_vote(ballot_id=ballot.pk, user=people[1], choice=choice(ballot, "Tegen").pk)
    with pytest.raises(PaperRefused, match="Intussen online gestemd"):
        paper.confirm(tally=entered, by=board[1])
    entered.refresh_from_db()
    assert entered.pending
    assert not Participation.objects.filter(ballot=ballot, elector__user=people[2]).exists()
    assert tally(ballot).paper == {}


def test_the_totals_must_add_up_and_an_elector_is_in_one_count(members_ballot, board):
    ballot, people = members_ballot
    electors = _electors(ballot, people[:3])
    with pytest.raises(PaperRefused, match="3 kiezers"):
        paper.enter(
            ballot=ballot,
            kind="hands",
            electors=electors,
            lines=_lines(ballot, Voor=2),
            by=board[0],
        )
    with pytest.raises(PaperRefused, match="stemgewicht"):
        paper.enter(
            ballot=ballot,
            kind="hands",
            electors=electors,
            lines=[Line(choice(ballot, "Voor").pk, 3, 4)],
            by=board[0],
        )
    paper.enter(
        ballot=ballot, kind="hands", electors=electors, lines=_lines(ballot, Voor=3), by=board[0]
    )
    with pytest.raises(PaperRefused, match="andere telling"):
        paper.enter(
            ballot=ballot,
            kind="paper",
            electors=electors[:1],
            lines=_lines(ballot, Tegen=1),
            by=board[1],
        )
    with pytest.raises(PaperRefused, match="bestuursleden"):
        paper.enter(
            ballot=ballot,
            kind="paper",
            electors=_electors(ballot, people[3:4]),
            lines=_lines(ballot, Tegen=1),
            by=people[5],
        )
    assert PaperTally.objects.count() == 1


@override_settings(REPORTING_GROUP_MINIMUM=3)
def test_a_secret_ballot_counts_paper_only_and_never_a_handful(board):
    region = RegionFactory()
    people = [member(region=region) for _ in range(8)]
    ballot = open_ballot(secrecy="secret")
    with pytest.raises(PaperRefused, match="Handopsteken"):
        paper.enter(
            ballot=ballot,
            kind="hands",
            electors=_electors(ballot, people[:3]),
            lines=_lines(ballot, Voor=3),
            by=board[0],
        )
    with pytest.raises(PaperRefused, match="ten minste 3"):
        paper.enter(
            ballot=ballot,
            kind="paper",
            electors=_electors(ballot, people[:2]),
            lines=_lines(ballot, Voor=2),
            by=board[0],
        )
    counted = paper.enter(
        ballot=ballot,
        kind="paper",
        electors=_electors(ballot, people[:3]),
        lines=_lines(ballot, Voor=2, Tegen=1),
        by=board[0],
    )
    paper.confirm(tally=counted, by=board[1])
    for person in people[3:6]:
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, "Tegen").pk)
    entry = LedgerEntry.objects.get(ballot=ballot, kind="paper_votes")
    assert "electors" not in entry.payload and entry.payload["voters"] == 3
    ballot = services.close_ballot(ballot)
    summary = result_summary(ballot)
    assert summary["turnout"]["count"] == 6
    weights = {c["label"]: c["weight"] for c in summary["choices"]}
    assert weights == {"Voor": 2, "Tegen": 4, "Onthouding": 0}
    assert verify_ballot(ballot).ok
    assert check_box(json.loads(ballot_box.published(ballot))) == []


def test_weighted_counts_carry_the_ambassadors_weights(board):
    north, south = RegionFactory(), RegionFactory()
    ambassadors = [MandateFactory(region=north, weight=30).user]
    ambassadors.append(MandateFactory(region=south, weight=20).user)
    ballot = open_ballot(electorate="ambassadors", secrecy="named")
    voor = choice(ballot, "Voor").pk
    counted = paper.enter(
        ballot=ballot,
        kind="hands",
        electors=_electors(ballot, ambassadors),
        lines=[Line(voor, 2, 50)],
        by=board[0],
    )
    paper.confirm(tally=counted, by=board[1])
    ballot = services.close_ballot(ballot)
    assert ballot.final_result["paper_votes"] == [{"label": "Voor", "votes": 2, "weight": 50}]
    assert ballot.final_result["outcome"]["result"] == "adopted"
    assert check_box(json.loads(ballot_box.published(ballot))) == []


def test_a_forged_paper_count_in_the_box_is_found(members_ballot, board):
    ballot, people = members_ballot
    counted = paper.enter(
        ballot=ballot,
        kind="hands",
        electors=_electors(ballot, people[:2]),
        lines=_lines(ballot, Voor=2),
        by=board[0],
    )
    paper.confirm(tally=counted, by=board[1])
    ballot = services.close_ballot(ballot)
    box = json.loads(ballot_box.published(ballot))
    box["paper_votes"][0]["lines"][0][1] = 3
    assert check_box(box)[0].startswith("paper_votes:")


def test_the_board_enters_and_confirms_from_the_page(members_ballot, board, client):
    ballot, people = members_ballot
    first, second = board
    for user in board:
        add_totp(user)
    numbers = " ".join(p.membership.membership_number for p in people[:2])
    client.force_login(first)
    url = reverse("ballots:paper_votes", args=[ballot.pk])
    fields = {f"votes_{c.pk}": 0 for c in ballot.choices.all()}
    fields[f"votes_{choice(ballot, 'Voor').pk}"] = 2
    response = client.post(url, {"kind": "hands", "numbers": numbers, **fields})
    assert response.status_code == 302
    entered = PaperTally.objects.get()
    unknown = client.post(url, {"kind": "hands", "numbers": "nope-123", **fields})
    assert "nope-123" in unknown.content.decode()
    client.force_login(second)
    client.post(reverse("ballots:paper_decide", args=[ballot.pk, entered.pk]))
    entered.refresh_from_db()
    assert entered.confirmed_by == second


def test_the_signed_document_prints_the_hall_apart_and_the_verifier_agrees(
    members_ballot, board, capsys, tmp_path
):
    from ballots import certification
    from ledenstem_verify.cli import main as verify

    ballot, people = members_ballot
    services.cast_vote(ballot_id=ballot.pk, user=people[5], choice=choice(ballot, "Voor").pk)
    counted = paper.enter(
        ballot=ballot,
        kind="paper",
        electors=_electors(ballot, people[:3]),
        lines=_lines(ballot, Voor=1, Tegen=2),
        by=board[0],
    )
    paper.confirm(tally=counted, by=board[1])
    ballot = services.close_ballot(ballot)
    certification.approve_result(ballot=ballot, by=board[0])
    certification.approve_result(ballot=ballot, by=board[1])
    ballot.refresh_from_db()
    pdf = bytes(ballot.document.pdf)
    from tests.ballots.test_documents import pdf_text

    assert "Waarvan in de zaal geteld" in " ".join(pdf_text(pdf).split())
    target = tmp_path / "pv.pdf"
    target.write_bytes(pdf)
    assert verify([str(target)]) == 0, capsys.readouterr().out


def test_exports_show_the_hall_apart_and_name_who_voted_there(members_ballot, board):
    from ballots.exports import HALL, as_csv, export_data

    ballot, people = members_ballot
    counted = paper.enter(
        ballot=ballot,
        kind="hands",
        electors=_electors(ballot, people[:2]),
        lines=_lines(ballot, Voor=1, Tegen=1),
        by=board[0],
    )
    paper.confirm(tally=counted, by=board[1])
    services.cast_vote(ballot_id=ballot.pk, user=people[2], choice=choice(ballot, "Voor").pk)
    ballot = services.close_ballot(ballot)
    data = export_data(ballot)
    assert data["paper_votes"] == [
        {"label": "Voor", "votes": 1, "weight": 1},
        {"label": "Tegen", "votes": 1, "weight": 1},
    ]
    in_hall = [row["voter"] for row in data["roll_call"] if row["choice"] == HALL]
    assert sorted(in_hall) == sorted(p.get_full_name() for p in people[:2])
    assert len(data["roll_call"]) == 3
    assert "Waarvan in de zaal geteld" in as_csv(ballot).decode("utf-8-sig")


def test_presence_cannot_change_after_closing_even_from_a_stale_object():
    from ballots.errors import BallotClosed

    region = RegionFactory()
    people = [member(region=region) for _ in range(2)]
    ballot = open_ballot(attendance_required=True)
    stale = type(ballot).objects.get(pk=ballot.pk)  # read while open
    services.close_ballot(ballot)
    with pytest.raises(BallotClosed):
        services.set_presence(
            ballot=stale, elector=stale.electors.get(user=people[0]), present=True
        )
    assert not stale.electors.filter(present=True).exists()
