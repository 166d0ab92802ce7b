"""Motions with amendments: amendments first, adopted ones change the text, the motion opens
on the amended text, and the proces-verbaal records each amendment and the final text."""

import pytest

from ballots import services
from ballots.errors import NotEditable
from ballots.motions import Amendment, apply_amendments
from tests.factories import BallotFactory, RegionFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db

TEXT = "De vereniging tekent het akkoord.\n\nHet bestuur onderhandelt over de ANW-zorg."


def test_adopted_amendments_replace_their_passage_in_order():
    amendments = [
        Amendment(
            1, "Voorwaarde", "tekent het akkoord", "tekent het akkoord onder voorwaarden", True
        ),
        Amendment(2, "Verworpen", "ANW-zorg", "avonddiensten", False),
        Amendment(3, "Aanvulling", "", "De leden worden elk kwartaal geïnformeerd.", True),
    ]
    result = apply_amendments(TEXT, amendments)
    assert "tekent het akkoord onder voorwaarden" in result and "ANW-zorg" in result
    assert result.endswith("De leden worden elk kwartaal geïnformeerd.")


def test_an_amendment_whose_passage_is_gone_is_refused():
    with pytest.raises(NotEditable, match="komt niet voor"):
        apply_amendments(TEXT, [Amendment(1, "Weg", "niet aanwezig", "x", True)])


def _vote_all(ballot, people, label):
    for person in people:
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, label).pk)


def test_the_motion_opens_on_its_amended_text_after_the_amendments():
    from django.utils import timezone

    from ballots.documents import ApprovalLine, render_result_pdf
    from tests.ballots.test_documents import pdf_text

    region = RegionFactory()
    people = [member(region=region) for _ in range(3)]
    motion = BallotFactory(question="Motie: tekenen onder voorwaarden", motion_text=TEXT)
    first = open_ballot(
        question="Amendement 1: voorwaarden",
        amends=motion,
        amendment_find="tekent het akkoord",
        amendment_replace="tekent het akkoord alleen als de ANW-zorg is geregeld",
        secrecy="named",
    )
    with pytest.raises(NotEditable, match="Stem eerst over amendement 1"):
        services.open_ballot(motion, notify=False)
    _vote_all(first, people, "Voor")
    services.close_ballot(first, notify=False)
    second = open_ballot(
        question="Amendement 2: schrappen",
        amends=motion,
        amendment_find="Het bestuur onderhandelt over de ANW-zorg.",
        amendment_replace="",
        secrecy="named",
    )
    _vote_all(second, people, "Tegen")
    services.close_ballot(second, notify=False)
    motion = services.open_ballot(motion, notify=False)
    assert "alleen als de ANW-zorg is geregeld" in motion.final_text
    assert "Het bestuur onderhandelt" in motion.final_text  # amendment 2 was rejected
    opened = motion.ledger.get(kind="opened").payload
    assert opened["motion_text"] == motion.final_text
    assert opened["amendments"] == [
        {"number": 1, "adopted": True},
        {"number": 2, "adopted": False},
    ]
    _vote_all(motion, people, "Voor")
    motion = services.close_ballot(motion, notify=False)
    pdf = render_result_pdf(
        motion,
        approvals=[ApprovalLine("Een Bestuurder", timezone.now())],
        seal=motion.final_seal,
        verify_url="https://stem.example.nl/stemmingen/controleren/",
        generated_at=timezone.now(),
        development_certificate=True,
    )
    text = pdf_text(pdf)
    assert "Motie" in text and "Amendement 1: voorwaarden" in text
    assert "aangenomen" in text and "niet aangenomen" in text
    assert "alleen als de ANW-zorg is geregeld" in text
