"""Demo ballots: a closed ambassador vote on signing, its closed member consultation, and an
open member ballot. Votes are cast through the real services, so the ledger is real too; the
demo sends no emails (hundreds of made-up electors would flood the console)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from ballots import services
from ballots.models import Ballot, Elector
from faq.models import PositionPaper, Question

ASSEMBLY = "Tekent de vereniging het Integraal Zorgakkoord?"
CONSULTATION = "Raadpleging: vindt u dat de vereniging het Integraal Zorgakkoord moet tekenen?"
OPEN_BALLOT = "Welke prioriteit moet het bestuur als eerste inbrengen: meer tijd per patiënt?"


def _ballot(question: str, **settings) -> tuple[Ballot, bool]:
    existing = Ballot.objects.filter(question=question).first()
    if existing:
        return existing, False
    now = timezone.now()
    ballot = Ballot.objects.create(
        question=question,
        opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(days=7),
        **settings,
    )
    services.add_default_choices(ballot)
    ballot.read_first_papers.set(PositionPaper.objects.all())
    ballot.read_first_questions.set(Question.objects.filter(label__in=["E", "G"]))
    return ballot, True


def _vote_all(ballot: Ballot, rng: random.Random, *, share: float, lean: float) -> None:
    labels = {c.label: c.pk for c in ballot.choices.all()}
    for elector in Elector.objects.filter(ballot=ballot).select_related("user"):
        if rng.random() > share:
            continue
        roll = rng.random()
        label = "Voor" if roll < lean else ("Tegen" if roll < 0.93 else "Onthouding")
        services.cast_vote(ballot_id=ballot.pk, user=elector.user, choice=labels[label])


def _certify_by_demo_board(ballot: Ballot) -> None:
    """The two demo board members approve, so `make run` shows a signed result at once."""
    from ballots.certification import approve_result
    from members.demo import BOARD, DEMO_DOMAIN
    from members.models import User

    for _number, _name, title in BOARD:
        approve_result(
            ballot=ballot, by=User.objects.get(email=f"{title}@{DEMO_DOMAIN}"), notify=False
        )


@transaction.atomic
def load_demo_ballots() -> int:
    rng = random.Random(2026)
    created = 0
    assembly, new = _ballot(
        ASSEMBLY,
        electorate="ambassadors",
        secrecy="named",
        majority="absolute",
        quorum_percent=50,
        result_visibility="everyone",
        proxies_allowed=True,
        description="De algemene ledenvergadering besluit. Elke ambassadeur stemt voor de eigen "
        "regio, met als gewicht het aantal leden van die regio.",
    )
    if new:
        created += 1
        consultation, _ = _ballot(
            CONSULTATION,
            electorate="members",
            secrecy="secret",
            advises=assembly,
            description="Een advies aan de ambassadeurs: de uitslag per regio staat naast hun "
            "stembiljet.",
        )
        created += 1
        services.open_ballot(consultation, notify=False)
        _vote_all(consultation, rng, share=0.7, lean=0.55)
        services.close_ballot(consultation, notify=False)
        services.open_ballot(assembly, notify=False)
        _vote_all(assembly, rng, share=0.9, lean=0.6)
        services.close_ballot(assembly, notify=False)
        _certify_by_demo_board(assembly)
    open_one, new = _ballot(OPEN_BALLOT, electorate="members", secrecy="secret")
    if new:
        created += 1
        services.open_ballot(open_one, notify=False)
        _vote_all(open_one, rng, share=0.3, lean=0.7)
    return created
