"""The outcome of the kinds other than a proposal (plurality, two rounds, approval, instant
runoff, STV): a pure function of the weights, rankings and recorded lot seed. The server
seals its result; the verifier recomputes it from the published ballot box."""

from fractions import Fraction

from ledenstem_verify import methods
from ledenstem_verify.rules import format_percentage

METHOD_NAMES = {
    "plurality": "meeste stemmen",
    "two_rounds": "volstrekte meerderheid, anders een tweede ronde",
    "approval": "goedkeuringsstemming",
    "instant_runoff": "instant runoff (alternatieve stem)",
    "stv": "enkelvoudig overdraagbare stem (STV)",
}


def decide_method(
    method: str,
    *,
    seats: int,
    lot_seed: str,
    quorum_percent,
    labels: dict[int, str],
    weights: dict[int, int],
    rankings: list[tuple[list[int], int]],
    turnout_weight: int,
    electorate_weight: int,
) -> dict:
    """The outcome of a ballot decided by a method of ledenstem_verify.methods, as plain data
    (what the server seals in the "counted" entry and the verifier recomputes).

    `quorum_percent` is the ballot's quorum in percent of the electorate weight (a Decimal,
    a string such as "50.00", or None); every comparison is exact."""
    seed = lot_seed
    data: dict = {
        "method": method,
        "method_name": METHOD_NAMES[method],
        "seats": seats,
        "lot_seed": seed,
        "winners": [],
        "runoff": None,
        "rounds": [],
        "by_lot": False,
    }
    quorum = quorum_percent
    if (
        quorum is not None
        and electorate_weight
        and Fraction(turnout_weight, electorate_weight) < Fraction(quorum) / 100
    ):
        share = format_percentage(Fraction(turnout_weight, electorate_weight))
        data["result"] = "no_quorum"
        data["explanation"] = (
            f"Geen besluit: de opkomst ({share}) haalt het quorum van {quorum}% niet."
        )
        return data
    if not sum(weights.values()):
        data["result"] = "no_votes"
        data["explanation"] = "Geen besluit: er is geen geldige stem uitgebracht."
        return data
    name = labels.get
    if method in ("plurality", "two_rounds"):
        decided = (methods.two_rounds if method == "two_rounds" else methods.plurality)(
            weights, seed
        )
        data["by_lot"] = decided.by_lot
        if decided.winner is not None:
            data["winners"] = [name(decided.winner)]
            share = format_percentage(Fraction(weights[decided.winner], decided.total))
            data["result"] = "decided"
            data["explanation"] = f"Gekozen: {name(decided.winner)} ({share} van het stemgewicht)."
        else:
            first, second = decided.runoff
            data["runoff"] = [name(first), name(second)]
            data["result"] = "runoff"
            data["explanation"] = (
                "Geen optie heeft meer dan de helft van het stemgewicht: een tweede ronde "
                f"tussen {name(first)} en {name(second)}."
            )
    elif method == "approval":
        decided = methods.approval(weights, seats, seed)
        data["winners"] = [name(o) for o in decided.winners]
        data["by_lot"] = decided.by_lot
        data["result"] = "decided"
        data["explanation"] = "Gekozen: " + ", ".join(data["winners"]) + "."
    else:
        options = list(labels)
        decided = (
            methods.single_transferable_vote(rankings, options, seats, seed)
            if method == "stv"
            else methods.instant_runoff(rankings, options, seed)
        )
        data["winners"] = [name(o) for o in decided.winners]
        data["rounds"] = [_round(r, name) for r in decided.rounds]
        data["quota"] = str(decided.quota) if decided.quota is not None else None
        data["by_lot"] = any(r.by_lot for r in decided.rounds)
        data["result"] = "decided"
        data["explanation"] = (
            "Gekozen: " + ", ".join(data["winners"]) + f" (na {len(decided.rounds)} ronde(n))."
        )
    if data["by_lot"]:
        data["explanation"] += " Bij een gelijke stand besliste het lot."
    return data


def _round(played: methods.Round, name) -> dict:
    return {
        "number": played.number,
        "tallies": {name(o): _exact(v) for o, v in sorted(played.tallies.items())},
        "exhausted": _exact(played.exhausted),
        "elected": [name(o) for o in played.elected],
        "eliminated": name(played.eliminated) if played.eliminated is not None else None,
        "by_lot": played.by_lot,
    }


def _exact(value: Fraction) -> str:
    """An exact weight as text: "12", or "37/3" when a transfer left a fraction."""
    return str(value.numerator) if value.denominator == 1 else str(value)
