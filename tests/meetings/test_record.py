"""The meeting's record (issue #15, item 6): approved by two board members after the meeting
ended and every ballot on its agenda is counted, signed like a ballot's document, accepted by
verify_result, the public verification page and pdfsig, and written byte for byte by
export_meeting."""

import json
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ballots import services
from ballots.document_check import check_document
from meetings import attendance, certification, chair, proxies, standins
from meetings.models import MeetingStatus, Presence
from meetings.record import record_data, record_sha256
from tests.conftest import skip_or_fail
from tests.factories import board_member, member

pytestmark = pytest.mark.django_db


def _run_through(assembly, chair_user):
    """Stand-in for North, the South ambassador in the hall, the ballot opened, voted,
    closed; the meeting ended."""
    meeting, ballot = assembly["meeting"], assembly["ballot"]
    standins.approve_stand_in(
        meeting=meeting, ambassador=assembly["ambassador"], deputy=assembly["deputy"], by=chair_user
    )
    attendance.set_attendance(
        meeting=meeting, user_id=assembly["deputy"].pk, presence=Presence.HALL, by=chair_user
    )
    attendance.set_attendance(
        meeting=meeting,
        user_id=assembly["other_ambassador"].pk,
        presence=Presence.ONLINE,
        by=chair_user,
    )
    chair.start_meeting(meeting=meeting, by=chair_user)
    chair.open_item_ballot(meeting=meeting, ballot_id=ballot.pk, by=chair_user)
    ballot.refresh_from_db()
    voor = ballot.choices.get(label="Voor").pk
    tegen = ballot.choices.get(label="Tegen").pk
    services.cast_vote(ballot_id=ballot.pk, user=assembly["deputy"], choice=voor)
    services.cast_vote(ballot_id=ballot.pk, user=assembly["other_ambassador"], choice=tegen)
    chair.close_item_ballot(meeting=meeting, ballot_id=ballot.pk, by=chair_user)
    chair.end_meeting(meeting=meeting, by=chair_user)
    meeting.refresh_from_db()
    return meeting


def test_two_board_members_certify_the_record_and_it_verifies(assembly, chair, tmp_path):
    meeting = _run_through(assembly, chair)
    second = board_member(user__full_name="Tweede Bestuurder")
    certification.approve_record(meeting=meeting, by=chair)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ENDED  # one approval is not enough
    certification.approve_record(meeting=meeting, by=second)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CERTIFIED
    document = meeting.document
    data = record_data(meeting)
    assert document.record_sha256 == record_sha256(data)
    [item] = data["agenda"]
    [ballot] = item["ballots"]
    assert ballot["counted"] and ballot["outcome"]["result"] == "adopted"
    assert [c["weight"] for c in ballot["choices"]][:2] == [120, 80]
    [stand_in] = data["stand_ins"]
    assert stand_in["deputy"] == assembly["deputy"].get_full_name()
    assert stand_in["approved_by"] == chair.get_full_name()
    north = next(r for r in data["attendance"]["regions"] if r["region"] == "Noord")
    assert north["hall"] == 1

    checked = check_document(bytes(document.pdf))
    assert checked.authentic, checked.reason
    assert checked.stored.kind == "Vergadering" and checked.stored.number == meeting.pk

    target = tmp_path / "verslag.pdf"
    call_command("export_meeting", str(meeting.pk), "--format", "pdf", "-o", str(target))
    assert target.read_bytes() == bytes(document.pdf)
    call_command("verify_result", str(target))  # raises CommandError when not authentic
    as_json = tmp_path / "verslag.json"
    call_command("export_meeting", str(meeting.pk), "--format", "json", "-o", str(as_json))
    exported = json.loads(as_json.read_text())
    assert exported["document_sha256"] == document.sha256
    assert exported["record_sha256"] == document.record_sha256

    if shutil.which("pdfsig") is None:
        skip_or_fail("pdfsig (poppler-utils) is not installed")
    out = subprocess.run(["pdfsig", str(target)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in out.stdout, out.stdout


def test_the_record_waits_for_the_end_and_for_every_count(assembly, chair):
    meeting = assembly["meeting"]
    with pytest.raises(certification.RecordRefused, match="afgelopen"):
        certification.approve_record(meeting=meeting, by=chair)
    meeting.status = MeetingStatus.ENDED
    meeting.save(update_fields=["status"])
    # The ballot on the agenda was never opened: nothing to certify yet.
    with pytest.raises(certification.RecordRefused, match="gesloten en geteld"):
        certification.approve_record(meeting=meeting, by=chair)
    assert not meeting.approvals.exists()


def test_one_board_member_cannot_approve_twice_and_others_not_at_all(assembly, chair):
    meeting = _run_through(assembly, chair)
    certification.approve_record(meeting=meeting, by=chair)
    with pytest.raises(certification.RecordRefused, match="al goedgekeurd"):
        certification.approve_record(meeting=meeting, by=chair)
    with pytest.raises(certification.RecordRefused, match="Alleen bestuursleden"):
        certification.approve_record(meeting=meeting, by=member())
    certification.withdraw_record_approval(meeting=meeting, by=chair)
    certification.approve_record(meeting=meeting, by=board_member())
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ENDED  # the withdrawn approval does not count


def test_export_refuses_an_uncertified_record(assembly, tmp_path):
    meeting = assembly["meeting"]
    with pytest.raises(CommandError, match="nog niet vastgesteld"):
        call_command("export_meeting", str(meeting.pk), "-o", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("export_meeting", "999999", "-o", str(tmp_path / "x.pdf"))


def test_a_paper_proxy_is_in_the_record(chair):
    from tests.factories import MeetingFactory, RegionFactory

    region = RegionFactory()
    meeting = MeetingFactory()
    grantor, holder = member(region=region), member(region=region)
    proxies.record_paper_proxy(meeting=meeting, grantor=grantor, holder=holder, by=chair)
    [paper] = record_data(meeting)["paper_proxies"]
    assert paper == {
        **paper,
        "grantor": grantor.get_full_name(),
        "holder": holder.get_full_name(),
        "recorded_by": chair.get_full_name(),
    }


def test_approval_from_the_console_needs_a_fresh_second_factor(assembly, chair, client):
    meeting = _run_through(assembly, chair)
    client.force_login(chair)
    response = client.post(reverse("meetings:record_approve", args=[meeting.pk]))
    assert response.status_code == 302
    assert reverse("mfa_reauthenticate") in response["Location"]
    assert not meeting.approvals.exists()
