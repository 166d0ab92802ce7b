"""The outcome of a ballot: a pure function of weighted totals and the ballot's settings.

Standard library only, no Django: the tally (``selectors``/``services``) sums the weights per
role, :func:`decide` says what they mean. Everything is exact (``fractions.Fraction`` and
integer cross-multiplication); no float is ever compared with a threshold.

Vocabulary
    *Roles.* Every choice of a ballot maps to a :class:`Role`: ``for``, ``against`` or
    ``abstain`` (default choices Voor / Tegen / Onthouding, see :data:`DEFAULT_CHOICES`).
    Several choices may share a role; :meth:`Totals.from_role_weights` sums them.
    *Weights.* The outcome is decided on weights, never on head counts. For member ballots
    every vote weighs 1, so weight == count.
    *Cast* = for + against + abstain. *Valid* = for + against (abstentions excluded).
    *Base* = valid or cast, per :class:`Base`, or *present*: the weight of everyone present
    at the meeting or represented there by a proxy holder, voting or not (issue #15); with
    base present the turnout, and so the quorum, is cast / present, and not voting counts
    like voting against under ``absolute`` and ``qualified``. Otherwise *Turnout* = cast /
    electorate.

Decisions (each is tested in ``tests/ballots/test_rules.py``)
    1. Quorum first. With a quorum set, the result is ``no_quorum`` unless
       cast / electorate >= quorum, compared exactly (a quorum of 1/2 with 500 of 1000 is
       met; 499 is not). Abstentions count towards turnout.
    2. Electorate weight 0. With a quorum set (even a quorum of 0), the result is
       ``no_quorum``: there is no turnout to meet it with. Without a quorum the ballot is
       decided like any other ballot in which nothing was cast (rule 6): a tie. ``turnout``
       is ``None``.
    3. Majority rules, all exact:
       ``simple``    for > against (the base only changes the percentages shown);
       ``absolute``  for > 1/2 of the base, i.e. 2 * for > base: exactly 50% is NOT enough;
       ``qualified`` for >= 2/3 of the base, i.e. 3 * for >= 2 * base: exactly 2/3 IS enough.
       ``absolute`` and ``qualified`` are never met with a base of 0.
    4. Result: ``adopted`` when the rule is met, else ``tie`` when for == against, else
       ``rejected``. With for == against no rule can be met (for > against fails; under
       ``absolute``/``qualified`` the base is at least 2 * for, so for > base/2 fails and
       for >= 2/3 base only holds at base 0, excluded above), so this is exactly the
       suggested "tie only when for == against and neither side meets the rule", and it
       is the same rule for all three majorities.
    5. A tie is not an adoption ("staken der stemmen": the proposal is not adopted). Tie and
       rejected both mean "not adopted"; the distinction is reported, never acted on.
       Consequence: adding weight for a proposal never turns ``adopted`` into anything else,
       but it may turn a ``tie`` into ``rejected`` under ``absolute``/``qualified`` with
       abstentions in the base (1 for, 1 against, 10 abstain -> 2 for: still short).
    6. Zero base (no votes for or against under base ``valid``; nothing cast under base
       ``cast``): 0 == 0, so a tie, for every majority rule. ``for_share`` and
       ``against_share`` are ``None`` (undefined, not 0%).
    7. Input validation: weights must be ``int`` (``bool`` refused, ``TypeError``) and
       non-negative; cast weight may not exceed the electorate weight; the quorum must lie
       in [0, 1] and be exact (``Fraction``, ``int`` or ``Decimal``; a ``float`` is refused
       with ``TypeError``). Violations raise ``ValueError`` with a message naming the value.

Display (the one-sentence Dutch explanation)
    8. Percentages use a decimal comma, rounded half up, one decimal, trailing zeros dropped:
       "61,4%", "50%", "66,7%" (:func:`format_percentage`). No thousands separator and never
       a decimal point, so nothing in the sentence can be read as a float such as "0.5".
    9. Rounding never misrepresents a comparison. A share is printed at the same precision
       as what it is compared with (the other side, the threshold, the quorum), using the
       fewest decimals, starting at one, at which the printed numbers compare (lower, equal,
       higher) exactly as the exact values do. So 4996/10000 under ``absolute`` prints as
       "49,96%", not "50%" next to "meer dan 50%"; 5004/10000 prints "50,04%"; 6666/10000
       under ``qualified`` prints "66,66%" (2/3 is 66,67% at that precision); a tie always
       prints two equal percentages and a non-tie never does; a turnout of 4996/10000 under
       a quorum of 1/2 prints "49,96%" below "50%". This always terminates: two different
       fractions separate once the rounding step is smaller than their distance. We show
       more precision instead of rounding towards the true side, so no number is ever off by
       more than half its last printed digit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from numbers import Rational

__all__ = [
    "DEFAULT_CHOICES",
    "Base",
    "Majority",
    "Outcome",
    "Result",
    "Role",
    "Rules",
    "Totals",
    "decide",
    "format_percentage",
]


class Role(StrEnum):
    """What a choice means for the outcome."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


#: The choices a new ballot starts with: (label, role), in display order.
DEFAULT_CHOICES: tuple[tuple[str, Role], ...] = (
    ("Voor", Role.FOR),
    ("Tegen", Role.AGAINST),
    ("Onthouding", Role.ABSTAIN),
)


class Majority(StrEnum):
    SIMPLE = "simple"  # for > against
    ABSOLUTE = "absolute"  # for > 1/2 of the base
    QUALIFIED = "qualified"  # for >= 2/3 of the base


class Base(StrEnum):
    VALID = "valid"  # for + against
    CAST = "cast"  # for + against + abstain
    PRESENT = "present"  # everyone present at the meeting, whether they voted or not


class Result(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIE = "tie"
    NO_QUORUM = "no_quorum"


def _check_weight(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _exact_quorum(value: object) -> Fraction:
    if isinstance(value, bool | float):
        raise TypeError(
            f"quorum must be exact (Fraction, int or Decimal), got {type(value).__name__} "
            f"{value!r}; write e.g. Fraction(1, 2)"
        )
    if isinstance(value, Rational):
        quorum = Fraction(value.numerator, value.denominator)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"quorum must be a finite number, got {value!r}")
        quorum = Fraction(value)
    else:
        raise TypeError(f"quorum must be a Fraction, int or Decimal, got {type(value).__name__}")
    if not 0 <= quorum <= 1:
        raise ValueError(f"quorum must lie between 0 and 1 inclusive, got {quorum}")
    return quorum


@dataclass(frozen=True)
class Rules:
    """A ballot's decision settings. Strings are accepted and turned into the enums."""

    majority: Majority
    base: Base
    quorum: Fraction | None = None  # minimum turnout as a share of the electorate weight

    def __post_init__(self) -> None:
        try:
            majority = Majority(self.majority)
        except ValueError:
            raise ValueError(f"unknown majority rule {self.majority!r}") from None
        try:
            base = Base(self.base)
        except ValueError:
            raise ValueError(f"unknown base {self.base!r}") from None
        object.__setattr__(self, "majority", majority)
        object.__setattr__(self, "base", base)
        if self.quorum is not None:
            object.__setattr__(self, "quorum", _exact_quorum(self.quorum))


@dataclass(frozen=True)
class Totals:
    """Summed weights per role, and the weight of the whole (frozen) electorate."""

    for_weight: int
    against_weight: int
    abstain_weight: int
    electorate_weight: int
    # The weight of the electors present at the meeting (base "present" only).
    present_weight: int | None = None

    def __post_init__(self) -> None:
        for name in ("for_weight", "against_weight", "abstain_weight", "electorate_weight"):
            _check_weight(name, getattr(self, name))
        if self.cast_weight > self.electorate_weight:
            raise ValueError(
                f"cast weight {self.cast_weight} exceeds electorate weight {self.electorate_weight}"
            )
        if self.present_weight is not None:
            _check_weight("present_weight", self.present_weight)
            if self.present_weight > self.electorate_weight:
                raise ValueError(
                    f"present weight {self.present_weight} exceeds electorate weight "
                    f"{self.electorate_weight}"
                )

    @property
    def valid_weight(self) -> int:
        return self.for_weight + self.against_weight

    @property
    def cast_weight(self) -> int:
        return self.for_weight + self.against_weight + self.abstain_weight

    @classmethod
    def from_role_weights(
        cls,
        weights: Mapping[Role | str, int] | Iterable[tuple[Role | str, int]],
        *,
        electorate_weight: int,
        present_weight: int | None = None,
    ) -> Totals:
        """Sum weights per role: a mapping, or (role, weight) rows, one per choice or vote.

        Missing roles count 0; an unknown role or an invalid weight raises.
        """
        items = weights.items() if isinstance(weights, Mapping) else weights
        summed = dict.fromkeys(Role, 0)
        for key, weight in items:
            try:
                role = Role(key)
            except ValueError:
                raise ValueError(f"unknown role {key!r}; expected one of {list(Role)}") from None
            summed[role] += _check_weight(f"weight for {role}", weight)
        return cls(
            for_weight=summed[Role.FOR],
            against_weight=summed[Role.AGAINST],
            abstain_weight=summed[Role.ABSTAIN],
            electorate_weight=electorate_weight,
            present_weight=present_weight,
        )


@dataclass(frozen=True)
class Outcome:
    """What a ballot decided, with the numbers that led there."""

    result: Result
    totals: Totals
    rules: Rules
    base_weight: int  # for + against (valid), all cast (cast) or everyone present (present)
    for_share: Fraction | None  # for / base; None if the base is 0
    against_share: Fraction | None  # against / base; None if the base is 0
    # cast / electorate (base "present": cast / present); None if that is 0
    turnout: Fraction | None
    required: str  # "meer voor dan tegen", "meer dan 50%", "ten minste 2/3"
    explanation: str  # one Dutch sentence

    @property
    def adopted(self) -> bool:
        return self.result is Result.ADOPTED


_REQUIRED = {
    Majority.SIMPLE: "meer voor dan tegen",
    Majority.ABSOLUTE: "meer dan 50%",
    Majority.QUALIFIED: "ten minste 2/3",
}

_THRESHOLD = {Majority.ABSOLUTE: Fraction(1, 2), Majority.QUALIFIED: Fraction(2, 3)}

_BASE_PHRASE = {
    Base.VALID: "(basis: stemmen voor en tegen)",
    Base.CAST: "(basis: alle uitgebrachte stemmen, ook onthoudingen)",
    Base.PRESENT: "(basis: alle aanwezigen, ook wie niet stemde)",
}

_HEAD = {
    Result.ADOPTED: "Aangenomen",
    Result.REJECTED: "Verworpen",
    Result.TIE: "Staken der stemmen (niet aangenomen)",
    Result.NO_QUORUM: "Geen quorum (niet aangenomen)",
}


def _majority_met(totals: Totals, majority: Majority, base_weight: int) -> bool:
    for_weight = totals.for_weight
    if majority is Majority.SIMPLE:
        return for_weight > totals.against_weight
    if base_weight == 0:
        return False
    if majority is Majority.ABSOLUTE:
        return 2 * for_weight > base_weight
    return 3 * for_weight >= 2 * base_weight


def decide(totals: Totals, rules: Rules) -> Outcome:
    """Decide a ballot from its weighted totals; see the module docstring for every rule."""
    if rules.base is Base.PRESENT:
        present = totals.present_weight
        if present is None:
            raise ValueError("base 'present' needs the weight of those present (present_weight)")
        if totals.cast_weight > present:
            raise ValueError(f"cast weight {totals.cast_weight} exceeds present weight {present}")
        base_weight = present
        turnout = Fraction(totals.cast_weight, present) if present else None
    else:
        base_weight = totals.valid_weight if rules.base is Base.VALID else totals.cast_weight
        turnout = (
            Fraction(totals.cast_weight, totals.electorate_weight)
            if totals.electorate_weight
            else None
        )
    for_share = Fraction(totals.for_weight, base_weight) if base_weight else None
    against_share = Fraction(totals.against_weight, base_weight) if base_weight else None

    if rules.quorum is not None and (turnout is None or turnout < rules.quorum):
        result = Result.NO_QUORUM
    elif _majority_met(totals, rules.majority, base_weight):
        result = Result.ADOPTED
    elif totals.for_weight == totals.against_weight:
        result = Result.TIE
    else:
        result = Result.REJECTED

    return Outcome(
        result=result,
        totals=totals,
        rules=rules,
        base_weight=base_weight,
        for_share=for_share,
        against_share=against_share,
        turnout=turnout,
        required=_REQUIRED[rules.majority],
        explanation=_explain(result, totals, rules, for_share, against_share, turnout),
    )


# --- display -------------------------------------------------------------------------------


def _round_percent(share: Fraction, decimals: int) -> int:
    """share as a percentage in units of 10**-decimals, rounded half up."""
    return math.floor(share * 100 * 10**decimals + Fraction(1, 2))


def _render(units: int, decimals: int) -> str:
    whole, fraction = divmod(units, 10**decimals)
    digits = str(fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole},{digits}%" if digits else f"{whole}%"


def format_percentage(share: Fraction, *, decimals: int = 1) -> str:
    """A share as a Dutch percentage: decimal comma, rounded half up, trailing zeros dropped.

    ``format_percentage(Fraction(307, 500))`` -> "61,4%"; ``Fraction(1, 2)`` -> "50%";
    ``Fraction(2, 3)`` -> "66,7%". Shares must be non-negative.
    """
    share = Fraction(share)
    if share < 0:
        raise ValueError(f"share must not be negative, got {share}")
    if decimals < 0:
        raise ValueError(f"decimals must not be negative, got {decimals}")
    return _render(_round_percent(share, decimals), decimals)


def _faithful_decimals(*pairs: tuple[Fraction, Fraction]) -> int:
    """Fewest decimals (at least 1) at which every pair, printed, compares as it does exactly.

    Terminates: unequal fractions round apart once 10**-decimals % is below their distance.
    """
    decimals = 1
    while True:
        if all(
            _sign(_round_percent(a, decimals) - _round_percent(b, decimals)) == _sign(a - b)
            for a, b in pairs
        ):
            return decimals
        decimals += 1


def _sign(value: int | Fraction) -> int:
    return (value > 0) - (value < 0)


def _votes_clause(
    totals: Totals, rules: Rules, for_share: Fraction | None, against_share: Fraction | None
) -> str:
    if totals.valid_weight == 0:
        if totals.cast_weight == 0:
            return "geen stemmen uitgebracht"
        return "alleen onthoudingen, geen stemmen voor of tegen"
    assert for_share is not None and against_share is not None  # base >= valid > 0
    pairs = [(for_share, against_share)]
    threshold = _THRESHOLD.get(rules.majority)
    if threshold is not None:
        pairs.append((for_share, threshold))
    decimals = _faithful_decimals(*pairs)
    return (
        f"{format_percentage(for_share, decimals=decimals)} voor en "
        f"{format_percentage(against_share, decimals=decimals)} tegen "
        f"{_BASE_PHRASE[rules.base]}"
    )


def _turnout_clause(totals: Totals, rules: Rules, turnout: Fraction | None) -> str:
    quorum = rules.quorum
    among = " onder de aanwezigen" if rules.base is Base.PRESENT else ""
    nobody = "niemand aanwezig" if rules.base is Base.PRESENT else "geen stemgerechtigden"
    if turnout is None:
        if quorum is None:
            return f"{nobody}, geen quorum vereist"
        return f"{nobody}, dus het quorum van {format_percentage(quorum)} is niet te halen"
    if quorum is None:
        return f"opkomst{among} {format_percentage(turnout)}, geen quorum vereist"
    decimals = _faithful_decimals((turnout, quorum))
    position = {1: "boven", 0: "gelijk aan", -1: "onder"}[_sign(turnout - quorum)]
    return (
        f"opkomst{among} {format_percentage(turnout, decimals=decimals)} {position} het "
        f"quorum van {format_percentage(quorum, decimals=decimals)}"
    )


def _explain(
    result: Result,
    totals: Totals,
    rules: Rules,
    for_share: Fraction | None,
    against_share: Fraction | None,
    turnout: Fraction | None,
) -> str:
    votes = _votes_clause(totals, rules, for_share, against_share)
    return (
        f"{_HEAD[result]}: {votes} bij een vereiste van {_REQUIRED[rules.majority]}; "
        f"{_turnout_clause(totals, rules, turnout)}."
    )
