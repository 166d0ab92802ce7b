"""The demo assemblies (issue #15, item 7): a finished, certified hybrid ambassadors'
assembly with check-ins, a deputy standing in, a written proxy, two agenda items with their
ballots and a count by show of hands; and an upcoming members' meeting."""

import json

import pytest
from django.core.management import call_command

from ballots import ballot_box
from ballots.document_check import check_document
from ballots.models import LedgerEntry
from ledenstem_verify.recount import check_box
from meetings.demo import FINISHED, UPCOMING
from meetings.models import Meeting, MeetingStatus
from meetings.record import record_data

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_certified_assembly_and_an_upcoming_meeting():
    call_command("demo", stdout=None)
    finished = Meeting.objects.get(title=FINISHED)
    assert finished.status == MeetingStatus.CERTIFIED
    assert check_document(bytes(finished.document.pdf)).authentic
    data = record_data(finished)
    assert len(data["stand_ins"]) == 1 and len(data["paper_proxies"]) == 1
    assert data["attendance"]["total"]["hall"] > 0 and data["attendance"]["total"]["online"] > 0
    ballots = [b for item in data["agenda"] for b in item["ballots"]]
    assert len(data["agenda"]) == 2 and all(b["counted"] and b["document_sha256"] for b in ballots)
    assert any(b["paper_votes"] for b in ballots)
    for link in finished.items.all():
        for ballot in link.ballots.all():
            assert check_box(json.loads(ballot_box.published(ballot))) == []
            assert check_document(bytes(ballot.document.pdf)).authentic
    assert LedgerEntry.objects.filter(kind="stand_in").exists()
    assert LedgerEntry.objects.filter(kind="paper_votes").exists()
    upcoming = Meeting.objects.get(title=UPCOMING)
    assert upcoming.status == MeetingStatus.PLANNED and upcoming.items.count() == 3
    call_command("demo", stdout=None)  # idempotent
    assert Meeting.objects.count() == 2
