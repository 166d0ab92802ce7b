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
    created += _load_kinds(rng)
    created += _load_motion(rng)
    return created


# --- one closed ballot of every other kind, and a motion with two amendments ---------------

AIMS = [
    "Meer tijd voor de patiënt",
    "Minder administratieve lasten",
    "Een betaalbare avond-, nacht- en weekendzorg",
    "Sterkere samenwerking in de wijk",
    "Passende financiering van de praktijk",
]
CANDIDATES = [
    (
        "Dr. Ilse Maas",
        "Huisarts in Zwolle; wil de onderhandelingen dichter bij de praktijk brengen.",
    ),
    ("Dr. Ruben Claes", "Praktijkhouder in Eindhoven; richt zich op de ANW-zorg."),
    ("Dr. Fenna Dekker", "Waarnemer; vertegenwoordigt de jonge huisartsen."),
    ("Dr. Omar Haddou", "Huisarts in Rotterdam-Zuid; aandacht voor achterstandswijken."),
    ("Dr. Lotte Brink", "Kaderhuisarts; wil de zorgverzekeraars scherper aanspreken."),
]
KIND_BALLOTS = [
    (
        "Hoe moet de vereniging zich opstellen bij het akkoord?",
        {"kind": "single", "runoff": True, "secrecy": "secret"},
        ["Tekenen", "Tekenen onder voorwaarden", "Niet tekenen"],
    ),
    (
        "Welke twee doelen van het akkoord gaan voor?",
        {"kind": "approval", "max_choices": 2, "seats": 2, "secrecy": "secret"},
        AIMS,
    ),
    (
        "Zet de doelen van het akkoord op volgorde van belang",
        {"kind": "ranked", "secrecy": "secret"},
        AIMS,
    ),
    (
        "Verkiezing van drie bestuursleden",
        {"kind": "election", "ranked_election": True, "seats": 3, "secrecy": "secret"},
        [name for name, _statement in CANDIDATES],
    ),
]


def _option_ballot(question: str, settings: dict, options: list[str]) -> tuple[Ballot, bool]:
    from ballots.models import OPTION, Choice

    existing = Ballot.objects.filter(question=question).first()
    if existing:
        return existing, False
    now = timezone.now()
    ballot = Ballot.objects.create(
        question=question,
        opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(days=7),
        electorate="members",
        **settings,
    )
    statements = dict(CANDIDATES)
    for order, label in enumerate(options):
        Choice.objects.create(
            ballot=ballot,
            label=label,
            role=OPTION,
            order=order,
            statement=statements.get(label, ""),
        )
    return ballot, True


def _demo_vote(ballot: Ballot, rng: random.Random, share: float) -> None:
    """Every shape of vote, with a lean so the counts are not a coin toss."""
    ids = list(ballot.choices.values_list("pk", flat=True))
    favour = ids[:]
    for elector in Elector.objects.filter(ballot=ballot).select_related("user"):
        if rng.random() > share:
            continue
        order = sorted(ids, key=lambda pk: rng.random() * (1 + favour.index(pk)))
        if ballot.input_shape == "one":
            choice = order[0]
        elif ballot.input_shape == "many":
            choice = order[: rng.randint(1, ballot.max_choices or len(ids))]
        else:
            choice = order[: rng.randint(2, len(ids))]
        services.cast_vote(ballot_id=ballot.pk, user=elector.user, choice=choice)


def _load_kinds(rng: random.Random) -> int:
    created = 0
    for question, settings, options in KIND_BALLOTS:
        ballot, new = _option_ballot(question, settings, options)
        if not new:
            continue
        created += 1
        services.open_ballot(ballot, notify=False)
        _demo_vote(ballot, rng, share=0.6)
        services.close_ballot(ballot, notify=False)
    return created


MOTION = "Motie: de vereniging tekent het akkoord onder voorwaarden"
MOTION_TEXT = (
    "De algemene vergadering draagt het bestuur op het Integraal Zorgakkoord te tekenen.\n\n"
    "Het bestuur rapporteert elk halfjaar over de voortgang."
)
AMENDMENTS = [
    (
        "Amendement 1: alleen met afspraken over de avond- en weekendzorg",
        "te tekenen.",
        "te tekenen, mits er bindende afspraken zijn over de avond-, nacht- en weekendzorg.",
        0.7,
    ),
    (
        "Amendement 2: elk kwartaal rapporteren",
        "elk halfjaar",
        "elk kwartaal",
        0.35,
    ),
]


def _load_motion(rng: random.Random) -> int:
    motion, new = _ballot(MOTION, electorate="members", secrecy="named", motion_text=MOTION_TEXT)
    if not new:
        return 0
    for question, find, replace, lean in AMENDMENTS:
        amendment, _ = _ballot(
            question,
            electorate="members",
            secrecy="named",
            amends=motion,
            amendment_find=find,
            amendment_replace=replace,
        )
        services.open_ballot(amendment, notify=False)
        _vote_all(amendment, rng, share=0.6, lean=lean)
        services.close_ballot(amendment, notify=False)
    services.open_ballot(motion, notify=False)
    _vote_all(motion, rng, share=0.6, lean=0.6)
    services.close_ballot(motion, notify=False)
    return 1 + len(AMENDMENTS)
