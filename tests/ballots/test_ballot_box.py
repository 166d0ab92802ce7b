"""The published ballot box (issue #17): who may download it, the board's choice to make it
public, the export command, and what it must never contain."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ballots import ballot_box, certification, services
from ballots.models import LedgerEntry
from ledenstem_verify import box as box_format
from ledenstem_verify.recount import check_box
from tests.factories import (
    BallotFactory,
    RegionFactory,
    add_totp,
    board_member,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _board():
    """A board member with the second factor the board's pages require."""
    user = board_member()
    add_totp(user)
    return user


@pytest.fixture
def counted():
    region = RegionFactory()
    voters = [member(region=region) for _ in range(5)]
    ballot = open_ballot(question="Akkoord?")
    for n, voter in enumerate(voters):
        services.cast_vote(
            ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor" if n % 2 else "Tegen").pk
        )
    return services.close_ballot(ballot), voters


def test_a_member_downloads_the_box_and_it_recounts(counted):
    ballot, voters = counted
    response = _client(voters[0]).get(reverse("ballots:box", args=[ballot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="stembus-{ballot.pk}.json"' in response["Content-Disposition"]
    box = json.loads(response.content)
    assert check_box(box) == []
    assert len(box["votes"]) == 5
    assert box["ballot"]["id"] == ballot.pk


def test_anonymous_visitors_need_the_board_to_make_it_public(counted):
    ballot, _ = counted
    path = reverse("ballots:box", args=[ballot.pk])
    assert _client().get(path).status_code == 302  # to the login page
    board = _board()
    response = _client(board).post(
        reverse("ballots:box_publicity", args=[ballot.pk]), {"public": "1"}
    )
    assert response.status_code == 302
    ballot.refresh_from_db()
    assert ballot.box_public
    entry = LedgerEntry.objects.filter(ballot=ballot, kind="box_public").get()
    assert entry.payload == {"by": board.pk, "public": True}
    assert _client().get(path).status_code == 200
    # ... and back: members only again, recorded too.
    _client(board).post(reverse("ballots:box_publicity", args=[ballot.pk]), {"public": "0"})
    ballot.refresh_from_db()
    assert not ballot.box_public
    assert _client().get(path).status_code == 302
    assert LedgerEntry.objects.filter(ballot=ballot, kind="box_public").count() == 2


def test_only_the_board_decides_publicity(counted):
    ballot, voters = counted
    response = _client(voters[0]).post(
        reverse("ballots:box_publicity", args=[ballot.pk]), {"public": "1"}
    )
    assert response.status_code == 403
    ballot.refresh_from_db()
    assert not ballot.box_public


def test_publicity_does_not_change_the_box(counted):
    """Entries after the final seal (publication, approvals) are not part of the box."""
    ballot, _ = counted
    before = ballot_box.build(ballot)
    _client(_board()).post(reverse("ballots:box_publicity", args=[ballot.pk]), {"public": "1"})
    assert box_format.box_sha256(ballot_box.build(ballot)) == box_format.box_sha256(before)


def test_no_box_while_open():
    region = RegionFactory()
    voter = member(region=region)
    ballot = open_ballot()
    response = _client(voter).get(reverse("ballots:box", args=[ballot.pk]))
    assert response.status_code == 409
    assert "na de sluiting" in response.content.decode()


def test_export_command_writes_the_published_box(counted, tmp_path):
    ballot, _ = counted
    target = tmp_path / "box.json"
    call_command("export_ballot_box", str(ballot.pk), "-o", str(target))
    assert target.read_bytes() == ballot_box.published(ballot)
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("export_ballot_box", "999999", "-o", str(target))
    still_open = open_ballot()
    with pytest.raises(CommandError, match="na de sluiting"):
        call_command("export_ballot_box", str(still_open.pk), "-o", str(tmp_path / "x.json"))


def test_a_secret_box_names_nobody():
    """No elector, no region on a secret vote; no e-mail address or name anywhere (the
    ledger names board members by account number)."""
    regions = [RegionFactory() for _ in range(3)]
    voters = [member(region=regions[n % 3]) for n in range(12)]
    board = board_member()
    ballot = services.open_ballot(BallotFactory(question="Geheim?", secrecy="secret"), by=board)
    for n, voter in enumerate(voters):
        services.cast_vote(
            ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor" if n % 2 else "Tegen").pk
        )
    ballot = services.close_ballot(ballot, by=board)
    data = ballot_box.published(ballot).decode()
    box = json.loads(data)
    assert check_box(box) == []
    for vote in box["votes"]:
        assert not {"elector", "region", "by_proxy"} & set(vote)
    assert "@" not in data
    for person in [*voters, board]:
        assert person.get_full_name() not in data
    assert "by_elector" not in box["electorate"]


def test_the_receipt_check_names_the_line_in_the_box(counted):
    ballot, _ = counted
    box = json.loads(ballot_box.published(ballot))
    digest = box["votes"][2]["receipt"]
    assert ballot_box.receipt_position(ballot, digest) == 3
    assert ballot_box.receipt_position(ballot, "0" * 64) is None
    lines = ballot_box.published(ballot).decode().splitlines()
    assert digest in lines[box_format.vote_line(3) - 1]


def test_certified_document_hash_is_added_after_signing(counted):
    ballot, _ = counted
    first, second = board_member(), board_member()
    certification.approve_result(ballot=ballot, by=first)
    certification.approve_result(ballot=ballot, by=second)
    ballot.refresh_from_db()
    box = json.loads(ballot_box.published(ballot))
    assert box["certified_document"]["sha256"] == ballot.document.sha256
    assert check_box(box) == []


def test_the_verifier_download_is_the_source_in_the_repository():
    import io
    import tarfile
    from pathlib import Path

    from ballots import verifier_package

    response = _client().get(reverse("ballots:verifier_package"))
    assert response.status_code == 200
    data = response.content
    assert data == verifier_package.archive()  # the same bytes every time
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = {Path(m.name).relative_to(Path(m.name).parts[0]).as_posix(): m for m in tar}
        source = Path(__file__).resolve().parents[2] / "verifier"
        for path in (source / "ledenstem_verify").glob("*.py"):
            member = names[f"ledenstem_verify/{path.name}"]
            assert tar.extractfile(member).read() == path.read_bytes()
        assert "pyproject.toml" in names


def test_the_how_to_page_gives_three_commands_and_the_fingerprints():
    from ballots import verifier_package

    response = _client().get(reverse("ballots:how_to_verify"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<pre><code>") == 3
    assert verifier_package.archive_sha256() in page
    assert "ledenstem-verify.tar.gz" in page
    pem = _client().get(reverse("ballots:certificate")).content
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
