"""The verifier against real ballot boxes: a true box holds, and every single change an
attacker could make to it is caught and named, also when the attacker recomputes the
ledger's hash chain so that it holds again."""

import json

import pytest

from ballots import ballot_box
from ledenstem_verify import box as box_format
from ledenstem_verify.receipts import receipt_hash
from ledenstem_verify.recount import check_box, recount
from tests.verifier.conftest import fresh, rechain, run_cli, verdict, write_box

pytestmark = pytest.mark.django_db


def entry_of(box: dict, kind: str) -> dict:
    return [e for e in box["ledger"] if e["kind"] == kind][-1]


def other_choice(box: dict, vote: dict) -> int:
    """A choice of the ballot that the voter of `vote` did not pick on that ballot paper."""
    used = {v["choice"] for v in box["votes"] if v["receipt"] == vote["receipt"]}
    return next(c["id"] for c in box["ballot"]["choices"] if c["id"] not in used)


def switch_choice(box: dict, vote: dict) -> None:
    new = other_choice(box, vote)
    vote["choice"] = new
    if vote.get("ranking") is not None:
        vote["ranking"] = [new, *(r for r in vote["ranking"] if r != new)]


def ledger_entry_for(box: dict, vote: dict) -> dict:
    """The vote entry of the ledger that records exactly this vote."""
    frozen = box_format.canonical_bytes(vote)
    return next(
        e
        for e in box["ledger"]
        if e["kind"] == "vote" and box_format.canonical_bytes(e["payload"]) == frozen
    )


def fails(capsys, tmp_path, box: dict, expected: str) -> str:
    """check_box and the command line both reject `box`, naming `expected` first."""
    problems = check_box(box)
    assert problems, "the verifier did not notice the change"
    assert expected in problems[0], problems
    code, output = run_cli(capsys, write_box(tmp_path, box, "veranderd.json"))
    assert code == 1, output
    line = verdict(output)
    assert expected in line, line
    assert "IN ORDE: alles klopt" not in output
    return line


# --- the true box -------------------------------------------------------------------------------


def test_the_true_box_holds_and_every_receipt_is_found(counted, capsys, tmp_path):
    ballot, receipts, box = counted
    assert check_box(box) == []
    assert recount(box) == ballot.final_result  # the recount is the sealed result, exactly
    published = ballot_box.published(ballot)
    assert json.loads(published) == box  # not certified: nothing added after signing
    path = tmp_path / "stembus.json"
    path.write_bytes(published)
    code, output = run_cli(capsys, path)
    assert code == 0, output
    assert "IN ORDE: alles klopt." in output and "NIET IN ORDE" not in output
    assert box["final_seal"] in output
    lines = published.decode().splitlines()
    for receipt in receipts:
        code, output = run_cli(capsys, path, "--receipt", receipt.code.lower())
        assert code == 0, output
        digest = receipt_hash(ballot.pk, receipt.code)
        position = box_format.find_receipt(box, digest)
        assert position == ballot_box.receipt_position(ballot, digest)
        line = box_format.vote_line(position)
        assert f"stem {position}, regel {line} van stembus.json" in output
        # The line the verifier names is the line of the file that holds that vote.
        assert json.loads(lines[line - 1].rstrip(","))["receipt"] == digest


def test_an_unknown_receipt_is_not_in_the_box(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    code, output = run_cli(capsys, write_box(tmp_path, box), "--receipt", "AAAA-BBBB-CCCC-DDDD")
    assert code == 1
    assert "receipt: AAAA-BBBB-CCCC-DDDD is not among the counted votes" in verdict(output)


def test_a_file_that_is_no_box_is_unreadable(capsys, tmp_path):
    path = tmp_path / "rommel.json"
    path.write_bytes(b"\x00 geen json")
    assert run_cli(capsys, path)[0] == 2
    path.write_text('{"format": "iets anders"}')
    code, output = run_cli(capsys, path)
    assert code == 1 and "not a Ledenstem ballot box" in verdict(output)
    assert run_cli(capsys, tmp_path / "bestaat-niet.json")[0] == 2


# --- one change to the box ----------------------------------------------------------------------


def test_a_changed_choice(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    switch_choice(box, box["votes"][0])
    line = fails(capsys, tmp_path, box, "votes[1] (line 5): no ledger entry records this vote")
    # Line 5 of the file is indeed the changed vote.
    text = box_format.dump(box).decode().splitlines()
    assert json.loads(text[4].rstrip(",")) == box["votes"][0]
    assert str(box["votes"][0]["choice"]) in line


def test_a_changed_weight(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    box["votes"][-1]["weight"] += 1
    position = len(box["votes"])
    fails(capsys, tmp_path, box, f"votes[{position}] (line {position + 4}): no ledger entry")


@pytest.mark.parametrize("kind, field", [("opened", "electors"), ("closed", "voted")])
def test_a_changed_ledger_entry(counted, capsys, tmp_path, kind, field):
    _ballot, _receipts, box = counted
    box = fresh(box)
    entry = entry_of(box, kind)
    entry["payload"][field] += 1
    fails(
        capsys, tmp_path, box, f"ledger: entry #{entry['seq']} ({kind}) was altered: hash mismatch"
    )


def test_a_changed_seal(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    seal = entry_of(box, "seal")
    seal["payload"]["votes_in_ledger"] -= 1
    fails(capsys, tmp_path, box, f"entry #{seal['seq']} (seal) was altered: hash mismatch")


def test_a_removed_vote(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    del box["votes"][len(box["votes"]) // 2]
    fails(capsys, tmp_path, box, "votes: 1 counted vote(s) of the ledger are not in the box")


def test_a_duplicated_vote(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    box["votes"].insert(2, dict(box["votes"][1]))
    fails(capsys, tmp_path, box, "votes[2] (line 6): no ledger entry records this vote")


def test_a_changed_result(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    box["result"]["choices"][0]["votes"] += 1
    fails(capsys, tmp_path, box, "result: the box's result differs from the ledger's result entry")


def test_a_changed_outcome_text(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    box["result"]["outcome"]["explanation"] = "Aangenomen met algemene stemmen."
    fails(capsys, tmp_path, box, "result: the box's result differs")


def test_a_changed_result_entry(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    counted_entry = entry_of(box, "counted")
    counted_entry["payload"]["result"]["choices"][0]["votes"] += 1
    fails(capsys, tmp_path, box, f"entry #{counted_entry['seq']} (counted) was altered")


def test_a_changed_final_seal(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    box["final_seal"] = "f" * 64
    fails(capsys, tmp_path, box, "ledger: the final seal is not the hash of the result entry")


def test_the_ledger_cut_before_the_result(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    box["ledger"].pop()
    fails(capsys, tmp_path, box, "ledger: the last entry is not the result (counted)")


# --- an attacker who recomputes the chain ---------------------------------------------------


def test_a_changed_vote_with_its_entry_and_a_recomputed_chain(counted, capsys, tmp_path):
    """The vote in the box and its ledger entry both changed, every hash recomputed, the
    final seal too: the chain holds, but the recount no longer gives the sealed result."""
    _ballot, _receipts, box = counted
    box = fresh(box)
    vote = box["votes"][0]
    entry = ledger_entry_for(box, vote)
    switch_choice(box, vote)
    entry["payload"] = dict(vote)
    rechain(box)
    fails(capsys, tmp_path, box, "the result entry (counted): choices.")
    # Without the final seal brought along, that is what the verifier names first.
    box["final_seal"] = counted[2]["final_seal"]
    fails(capsys, tmp_path, box, "ledger: the final seal is not the hash of the result entry")


def test_a_changed_weight_with_its_entry_and_a_recomputed_chain(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    vote = box["votes"][0]
    entry = ledger_entry_for(box, vote)
    vote["weight"] += 1
    entry["payload"] = dict(vote)
    rechain(box)
    line = fails(capsys, tmp_path, box, "votes[")
    assert "weigh" in line, line  # the ballot paper no longer weighs the voter's weight


def test_a_changed_seal_with_a_recomputed_chain(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    seal = entry_of(box, "seal")
    held = seal["payload"]["votes_in_ledger"]
    seal["payload"]["votes_in_ledger"] = held + 1
    rechain(box)
    fails(
        capsys,
        tmp_path,
        box,
        f"ledger entry #{seal['seq']} (seal): seals {held + 1} votes, the ledger holds {held}",
    )


def test_a_vote_dropped_from_box_and_ledger_with_a_recomputed_chain(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    vote = box["votes"].pop(0)
    entry = ledger_entry_for(box, vote)
    box["ledger"].remove(entry)
    for seq, later in enumerate(box["ledger"], start=1):
        later["seq"] = seq
    rechain(box)
    seal = entry_of(box, "seal")
    fails(capsys, tmp_path, box, f"ledger entry #{seal['seq']} (seal): seals")


def test_a_changed_result_entry_with_a_recomputed_chain(counted, capsys, tmp_path):
    _ballot, _receipts, box = counted
    box = fresh(box)
    recorded = entry_of(box, "counted")["payload"]["result"]
    true_votes = recorded["choices"][1]["votes"]
    recorded["choices"][1]["votes"] += 5
    box["result"] = json.loads(json.dumps(recorded))  # the box's copy agrees with the ledger
    rechain(box)
    fails(
        capsys,
        tmp_path,
        box,
        f"the result entry (counted): choices.1.votes is {true_votes + 5}, "
        f"the recount gives {true_votes}",
    )


def test_a_fully_consistent_forgery_has_another_final_seal(counted, capsys, tmp_path):
    """An attacker who changes a vote and writes the recount's result into the ledger makes a
    box that holds together on its own; what gives it away is its final seal (printed in the
    signed proces-verbaal and on the site), which the verifier prints for comparison."""
    _ballot, _receipts, original = counted
    box = fresh(original)
    vote = box["votes"][0]
    entry = ledger_entry_for(box, vote)
    switch_choice(box, vote)
    entry["payload"] = dict(vote)
    forged = recount(box)
    entry_of(box, "counted")["payload"]["result"] = forged
    box["result"] = forged
    rechain(box)
    assert check_box(box) == []
    assert box["final_seal"] != original["final_seal"]
    assert box_format.box_sha256(box) != box_format.box_sha256(original)
    code, output = run_cli(capsys, write_box(tmp_path, box))
    assert code == 0
    assert box["final_seal"] in output and original["final_seal"] not in output
    assert box_format.box_sha256(box) in output
