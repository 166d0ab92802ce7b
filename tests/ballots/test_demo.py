import pytest
from django.core import mail
from django.core.management import call_command

from ballots.models import Ballot, BallotStatus
from ballots.verification import verify_ballot

pytestmark = pytest.mark.django_db


def test_demo_ballots_verify_and_demo_is_idempotent(capsys):
    call_command("demo")
    statuses = sorted(Ballot.objects.values_list("status", flat=True))
    # The assembly (certified), its consultation, the open ballot, one closed ballot of every
    # other kind, and a motion with its two amendments (issue #14).
    assert statuses.count(BallotStatus.CERTIFIED) == 3  # the assembly and the two of the meeting
    assert statuses.count(BallotStatus.OPEN) == 1
    assert statuses.count(BallotStatus.CLOSED) == len(statuses) - 4
    kinds = set(Ballot.objects.filter(status="closed").values_list("kind", flat=True))
    assert kinds == {"proposal", "single", "approval", "ranked", "election"}
    motion = Ballot.objects.get(motion_text__gt="")
    assert motion.amendments.count() == 2 and motion.final_text != motion.motion_text
    consultation = Ballot.objects.get(advises__isnull=False)
    assert consultation.advises.electorate == "ambassadors"
    assembly = consultation.advises
    assert assembly.status == BallotStatus.CERTIFIED  # signed by the two demo board members
    from ballots.document_check import check_document

    assert check_document(bytes(assembly.document.pdf)).authentic
    for ballot in Ballot.objects.all():
        assert verify_ballot(ballot).ok
    assert mail.outbox == []
    call_command("demo")
    assert Ballot.objects.count() == len(statuses)
    assert "0 nieuwe stemmingen" in capsys.readouterr().out
