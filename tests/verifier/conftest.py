"""Helpers for the verifier's tests: real ballots of several kinds, closed and counted through
the services, and the verifier's command line run on a file."""

import copy
from pathlib import Path

import pytest

from ballots import ballot_box, services
from ballots.models import OPTION, Choice
from ledenstem_verify import box as box_format
from ledenstem_verify import cli
from ledenstem_verify.chain import GENESIS, chain_hash
from tests.factories import BallotFactory, MandateFactory, RegionFactory, add_totp, member

OPTIONS = ["Meer tijd per patiënt", "Minder regeldruk", "Betere ANW-zorg", "Sterkere ketens"]


def run_cli(capsys, path: Path, *args: str) -> tuple[int, str]:
    """Run `ledenstem-verify path args...` in this process; (exit status, what it printed)."""
    capsys.readouterr()
    code = cli.main([str(path), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def verdict(output: str) -> str:
    """The line naming the first discrepancy ("NIET IN ORDE: ...")."""
    lines = [line for line in output.splitlines() if line.startswith("NIET IN ORDE:")]
    assert len(lines) == 1, output
    return lines[0]


def write_box(tmp_path: Path, box: dict, name: str = "stembus.json") -> Path:
    path = tmp_path / name
    path.write_bytes(box_format.dump(box))
    return path


def rechain(box: dict, *, final_seal: bool = True) -> dict:
    """What an attacker who knows the format does after changing the ledger: recompute every
    entry's prev_hash and hash so the chain holds again (and, by default, the final seal)."""
    prev = GENESIS
    for entry in box["ledger"]:
        entry["prev_hash"] = prev
        entry["hash"] = chain_hash(prev, entry["kind"], entry["seq"], entry["payload"])
        prev = entry["hash"]
    if final_seal:
        box["final_seal"] = prev
    return box


def option_ballot(*, options=OPTIONS, **settings):
    ballot = BallotFactory(with_choices=False, **settings)
    for order, label in enumerate(options):
        Choice.objects.create(ballot=ballot, label=label, role=OPTION, order=order)
    return services.open_ballot(ballot, notify=False)


def ids(ballot) -> dict[str, int]:
    return {c.label: c.pk for c in ballot.choices.all()}


def cast(ballot, user, choice):
    return services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice)


# --- the ballots ------------------------------------------------------------------------------


def weighted_split_proposal():
    """A named, weighted ambassador proposal in three regions; one ambassador splits."""
    ambassadors = []
    for weight in (30, 20, 12):
        user = MandateFactory(region=RegionFactory(), weight=weight).user
        add_totp(user)
        ambassadors.append(user)
    ballot = services.open_ballot(
        BallotFactory(electorate="ambassadors", secrecy="named", vote_splitting=True),
        notify=False,
    )
    pk = ids(ballot)
    receipts = [
        cast(ballot, ambassadors[0], {pk["Voor"]: 20, pk["Tegen"]: 10}),
        cast(ballot, ambassadors[1], pk["Voor"]),
        cast(ballot, ambassadors[2], pk["Tegen"]),
    ]
    return services.close_ballot(ballot, notify=False), receipts


def secret_with_groups(settings):
    """A secret members' ballot with two reporting groups that both publish a breakdown."""
    settings.REPORTING_GROUP_MINIMUM = 3
    people = [
        member(region=region) for region in (RegionFactory(), RegionFactory()) for _ in range(4)
    ]
    ballot = services.open_ballot(BallotFactory(secrecy="secret"), notify=False)
    assert ballot.reporting_groups.count() == 2
    pk = ids(ballot)
    labels = ["Voor", "Voor", "Tegen", "Onthouding", "Voor", "Tegen", "Tegen", "Voor"]
    receipts = [cast(ballot, p, pk[label]) for p, label in zip(people, labels, strict=True)]
    return services.close_ballot(ballot, notify=False), receipts


def ranked_irv():
    region = RegionFactory()
    people = [member(region=region) for _ in range(9)]
    ballot = option_ballot(kind="ranked", secrecy="named", options=OPTIONS[:3])
    a, b, c = (ids(ballot)[o] for o in OPTIONS[:3])
    orders = [[a, b]] * 4 + [[b, c]] * 2 + [[c, b]] * 3
    receipts = [cast(ballot, p, order) for p, order in zip(people, orders, strict=True)]
    ballot = services.close_ballot(ballot, notify=False)
    assert ballot.final_result["decision"]["winners"] == [OPTIONS[2]]  # after one round
    return ballot, receipts


def ranked_stv_secret():
    region = RegionFactory()
    people = [member(region=region) for _ in range(7)]
    ballot = option_ballot(kind="election", ranked_election=True, seats=2, secrecy="secret")
    a, b, c, d = (ids(ballot)[o] for o in OPTIONS)
    orders = [[a, b], [a, c], [a, b, c], [b], [c, d], [d, c], [c]]
    receipts = [cast(ballot, p, order) for p, order in zip(people, orders, strict=True)]
    ballot = services.close_ballot(ballot, notify=False)
    assert ballot.final_result["decision"]["method"] == "stv"
    return ballot, receipts


def approval():
    region = RegionFactory()
    people = [member(region=region) for _ in range(5)]
    ballot = option_ballot(kind="approval", max_choices=2, seats=2, secrecy="named")
    pk = ids(ballot)
    picks = [[0, 1], [0, 2], [0], [2, 3], [2]]
    receipts = [
        cast(ballot, p, [pk[OPTIONS[i]] for i in chosen])
        for p, chosen in zip(people, picks, strict=True)
    ]
    return services.close_ballot(ballot, notify=False), receipts


KINDS = {
    "weighted-split-proposal": lambda settings: weighted_split_proposal(),
    "secret-with-groups": secret_with_groups,
    "ranked-irv": lambda settings: ranked_irv(),
    "secret-stv": lambda settings: ranked_stv_secret(),
    "approval": lambda settings: approval(),
}


@pytest.fixture(params=list(KINDS))
def counted(request, settings):
    """(ballot, receipts, box) for one real ballot of each kind, closed and counted."""
    ballot, receipts = KINDS[request.param](settings)
    ballot.refresh_from_db()
    return ballot, receipts, ballot_box.build(ballot)


def fresh(box: dict) -> dict:
    return copy.deepcopy(box)
