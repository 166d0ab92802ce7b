"""The base "present" (issue #15, item 3): quorum and majority counted on those present at
the meeting, exact like the other bases, sealed, printed and recounted by the verifier."""

import json

import pytest

from ballots import ballot_box, certification, services
from ballots.definitions import combination_problems
from ballots.verification import verify_ballot
from ledenstem_verify.cli import main as verify
from ledenstem_verify.recount import check_box
from tests.factories import RegionFactory, board_member, choice, member, open_ballot

pytestmark = pytest.mark.django_db


def _assembly_ballot(**settings):
    region = RegionFactory()
    people = [member(region=region) for _ in range(8)]
    ballot = open_ballot(
        secrecy="named", attendance_required=True, base="present", majority="absolute", **settings
    )
    for person in people[:5]:  # five of eight checked in
        services.set_presence(ballot=ballot, elector=ballot.electors.get(user=person), present=True)
    return ballot, people


def test_not_voting_while_present_counts_against_an_absolute_majority(tmp_path, capsys):
    ballot, people = _assembly_ballot()
    voor, tegen = choice(ballot, "Voor").pk, choice(ballot, "Tegen").pk
    for person in people[:2]:
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=voor)
    services.cast_vote(ballot_id=ballot.pk, user=people[2], choice=tegen)
    ballot = services.close_ballot(ballot)
    result = ballot.final_result
    assert result["present"] == {"count": 5, "weight": 5}
    # 2 of 5 present is not more than half, although 2 for against 1.
    assert result["outcome"]["result"] == "rejected"
    assert "alle aanwezigen" in result["outcome"]["explanation"]
    assert verify_ballot(ballot).ok
    box = json.loads(ballot_box.published(ballot))
    assert check_box(box) == []
    # The presence is recomputed from the ledger: a box that claims another is caught.
    box["electorate"]["by_elector"][5]["present"] = True
    forged = next(e for e in box["ledger"] if e["kind"] == "presence")
    forged["payload"]["present"] = False
    assert check_box(box)  # the chain (and so the recount) no longer holds

    first, second = board_member(), board_member()
    certification.approve_result(ballot=ballot, by=first)
    certification.approve_result(ballot=ballot, by=second)
    ballot.refresh_from_db()
    target = tmp_path / "pv.pdf"
    target.write_bytes(bytes(ballot.document.pdf))
    assert verify([str(target)]) == 0, capsys.readouterr().out


def test_a_quorum_on_those_present():
    ballot, people = _assembly_ballot(quorum_percent=60)
    for person in people[:2]:
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, "Voor").pk)
    ballot = services.close_ballot(ballot)
    assert ballot.final_result["outcome"]["result"] == "no_quorum"  # 2 of 5 present: 40%


def test_counting_on_those_present_needs_a_check_in():
    problems = combination_problems({"base": "present", "attendance_required": False})
    assert [p.path for p in problems] == ["base"]
    assert combination_problems({"base": "present", "attendance_required": True}) == []
