import pytest
from django.core import mail
from django.core.management import call_command

from ballots.models import Ballot, BallotStatus
from ballots.verification import verify_ballot

pytestmark = pytest.mark.django_db


def test_demo_ballots_verify_and_demo_is_idempotent(capsys):
    call_command("demo")
    statuses = sorted(Ballot.objects.values_list("status", flat=True))
    assert statuses == [BallotStatus.CERTIFIED, BallotStatus.CLOSED, BallotStatus.OPEN]
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
    assert Ballot.objects.count() == 3
    assert "0 nieuwe stemmingen" in capsys.readouterr().out
