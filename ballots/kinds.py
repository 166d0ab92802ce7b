"""Ballot kinds: what a vote may be, and how the result of each kind is decided.

A proposal is counted by ledenstem_verify.rules (Voor / Tegen / Onthouding, majority, base,
quorum). The other kinds use ledenstem_verify.methods; a quorum, when set, applies to every
kind: below it the ballot decides nothing. The shapes of a vote (Ballot.input_shape):
- "one": one choice id (or, for a weighted proposal that allows it, {choice id: weight});
- "many": a list of distinct choice ids, at least one and at most `max_choices` (approval,
  an election by approval); each approved option gets the voter's whole weight;
- "order": a list of distinct choice ids in order of preference, at least one (ranked, an
  election by ranking); options left out are ranked below all the others.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ballots.errors import InvalidVote
from ballots.models import Ballot, BallotKind, Choice
from ledenstem_verify.decide import decide_method


@dataclass(frozen=True)
class Part:
    choice: Choice
    weight: int
    ranking: list[int] | None = None


def parse_vote(ballot: Ballot, choices: dict[int, Choice], weight: int, choice) -> list[Part]:
    """The vote as stored parts (one Vote row each); InvalidVote with a Dutch reason."""
    shape = ballot.input_shape
    if shape == "one":
        return _one(ballot, choices, weight, choice)
    picked = _distinct_ids(choices, choice)
    if shape == "many":
        limit = ballot.max_choices or len(choices)
        if len(picked) > limit:
            raise InvalidVote(_("Kies ten hoogste %(limit)s van de opties.") % {"limit": limit})
        return [Part(choices[pk], weight) for pk in picked]
    return [Part(choices[picked[0]], weight, picked)]


def _distinct_ids(choices: dict[int, Choice], chosen) -> list[int]:
    if not isinstance(chosen, list | tuple) or not chosen:
        raise InvalidVote(_("Kies ten minste één van de opties."))
    picked = []
    for value in chosen:
        if isinstance(value, bool) or not isinstance(value, int) or value not in choices:
            raise InvalidVote(_("Deze keuze hoort niet bij deze stemming."))
        if value in picked:
            raise InvalidVote(_("Elke optie telt maar één keer in uw stem."))
        picked.append(value)
    return picked


def _one(ballot: Ballot, choices: dict[int, Choice], weight: int, choice) -> list[Part]:
    if isinstance(choice, dict):
        if not ballot.vote_splitting and len(choice) > 1:
            raise InvalidVote(_("Bij deze stemming kunt u uw stem niet splitsen."))
        parts = []
        for choice_id, part in choice.items():
            if int(choice_id) not in choices:
                raise InvalidVote(_("Deze keuze hoort niet bij deze stemming."))
            if not isinstance(part, int) or part < 0:
                raise InvalidVote(_("Een deel van het stemgewicht moet een geheel getal ≥ 0 zijn."))
            if part:
                parts.append(Part(choices[int(choice_id)], part))
        if sum(p.weight for p in parts) != weight:
            raise InvalidVote(
                _("De delen moeten samen precies uw stemgewicht (%(weight)s) zijn.")
                % {"weight": weight}
            )
        return parts
    try:
        return [Part(choices[int(choice)], weight)]
    except (KeyError, TypeError, ValueError):
        raise InvalidVote(_("Kies een van de keuzes van deze stemming.")) from None


# --- results --------------------------------------------------------------------------------


def method_of(ballot: Ballot) -> str:
    if ballot.kind == BallotKind.SINGLE:
        return "two_rounds" if ballot.runoff else "plurality"
    if ballot.input_shape == "many":
        return "approval"
    return "stv" if ballot.seats > 1 else "instant_runoff"


def method_paragraph(ballot: Ballot) -> str:
    """One Dutch paragraph that explains how this ballot is decided (page and document)."""
    method = method_of(ballot)
    seats = ballot.seats
    lots = (
        " Bij gelijke stand beslist het lot: de opties worden geordend op de SHA-256-hash van "
        "het lotingszaad en hun nummer; het zaad is bij de opening in het grootboek vastgelegd, "
        "zodat iedereen de loting kan nadoen."
    )
    if method == "plurality":
        text = "Elke kiezer kiest één optie. De optie met het meeste stemgewicht wint."
    elif method == "two_rounds":
        text = (
            "Elke kiezer kiest één optie. Een optie met meer dan de helft van het geldige "
            "stemgewicht wint. Heeft geen optie dat, dan gaan de twee opties met het meeste "
            "stemgewicht door naar een tweede ronde, een nieuwe stemming."
        )
    elif method == "approval":
        limit = ballot.max_choices
        text = (
            "Elke kiezer keurt "
            + (f"ten hoogste {limit} opties" if limit else "zoveel opties als hij of zij wil")
            + " goed; elke goedgekeurde optie krijgt het volle stemgewicht. De opties worden "
            "gerangschikt naar het aantal goedkeuringen"
            + (f"; de bovenste {seats} zijn gekozen." if seats > 1 else "; de bovenste wint.")
        )
    elif method == "instant_runoff":
        text = (
            "Elke kiezer zet de opties op volgorde van voorkeur. Telkens valt de optie met het "
            "minste stemgewicht als eerste voorkeur af; haar stemmen gaan naar de volgende "
            "voorkeur die nog meedoet. Zodra een optie meer dan de helft van de nog geldige "
            "stemmen heeft, of nog maar één optie over is, wint die."
        )
    else:
        text = (
            f"Elke kiezer zet de kandidaten op volgorde van voorkeur; er zijn {seats} zetels. "
            "Wie de quotum haalt (het stemgewicht gedeeld door het aantal zetels plus één, "
            "naar beneden afgerond, plus één) is gekozen; het overschot gaat naar de volgende "
            "voorkeuren, elk stembiljet voor hetzelfde deel (gewogen inclusieve Gregory). "
            "Haalt niemand de quotum, dan valt de kandidaat met het minste stemgewicht af en "
            "gaan diens stemmen naar de volgende voorkeur. Zijn er niet meer kandidaten over "
            "dan zetels, dan zijn zij allen gekozen."
        )
    return text + lots


def decide_kind(
    ballot: Ballot,
    labels: dict[int, str],
    weights: dict[int, int],
    rankings: list[tuple[list[int], int]],
    *,
    turnout_weight: int,
    electorate_weight: int,
) -> dict:
    """The outcome of a non-proposal ballot as plain data (stored in the sealed result)."""
    return decide_method(
        method_of(ballot),
        seats=ballot.seats,
        lot_seed=ballot.lot_seed,
        quorum_percent=ballot.quorum_percent,
        labels=labels,
        weights=weights,
        rankings=rankings,
        turnout_weight=turnout_weight,
        electorate_weight=electorate_weight,
    )
