"""The counting methods of the ballot kinds beyond a proposal: pure functions, exact.

Standard library only, like ledenstem_verify/rules.py: the server and any auditor run the same code.
Every count takes weighted ballots (a member's weight is 1, an ambassador's their region's)
and works in exact fractions, so a tie is a tie and never a rounding accident.

Ties: one rule everywhere, lots drawn from a seed. The seed is made at random when the
ballot opens and recorded in the ledger's "opened" entry, before anyone has voted, so nobody
can choose it to suit a result, and anyone can redo the draw. The lot order of the options is
their SHA-256 hash of "seed:option id", ascending: the first in lot order is favoured (it
survives an elimination tie and is elected first among equals); the last loses.

Methods:
- plurality: the option with the most weight wins;
- two rounds: an option with more than half of the valid weight wins, otherwise the two
  leading options go to a second round (a new ballot the board opens in one click);
- approval: every approved option gets the voter's weight; options ranked by approvals, the
  top `seats` win;
- instant runoff (one seat): the option with the least first-preference weight is eliminated
  and its ballots go to their next continuing preference, until one option has more than
  half of the continuing weight or one option remains;
- single transferable vote (several seats): integer Droop quota floor(W / (seats + 1)) + 1
  on the total weight W; options reaching it are elected and their surplus transferred at a
  reduced value to each ballot's next continuing preference (weighted inclusive Gregory:
  every ballot in the pile passes on the same fraction); otherwise the lowest is eliminated
  and its ballots move on at their current value; when the continuing options are no more
  than the seats left, all are elected.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

Option = int


def lot_order(seed: str, options: Iterable[Option]) -> list[Option]:
    """The options in lot order (first = favoured), redoable by anyone with the seed."""
    return sorted(options, key=lambda o: (hashlib.sha256(f"{seed}:{o}".encode()).hexdigest(), o))


def _lot_position(seed: str, options: Iterable[Option]) -> dict[Option, int]:
    return {option: n for n, option in enumerate(lot_order(seed, options))}


@dataclass(frozen=True)
class Ranked:
    """The options by weight, highest first; ties in lot order. `decided_by_lot` lists the
    options whose place among equals the lot decided."""

    order: list[Option]
    weights: dict[Option, int]
    decided_by_lot: list[Option] = field(default_factory=list)


def rank_by_weight(weights: dict[Option, int], seed: str) -> Ranked:
    position = _lot_position(seed, weights)
    order = sorted(weights, key=lambda o: (-weights[o], position[o]))
    counts: dict[int, int] = {}
    for weight in weights.values():
        counts[weight] = counts.get(weight, 0) + 1
    tied = [o for o in order if counts[weights[o]] > 1]
    return Ranked(order, dict(weights), tied)


@dataclass(frozen=True)
class SingleResult:
    winner: Option | None  # None: a second round is needed (two rounds) or nothing was cast
    runoff: tuple[Option, Option] | None
    ranked: Ranked
    total: int
    by_lot: bool  # the lot decided who won or who went to the second round


def plurality(weights: dict[Option, int], seed: str) -> SingleResult:
    ranked = rank_by_weight(weights, seed)
    total = sum(weights.values())
    if total == 0:
        return SingleResult(None, None, ranked, 0, False)
    winner = ranked.order[0]
    by_lot = len([o for o in weights if weights[o] == weights[winner]]) > 1
    return SingleResult(winner, None, ranked, total, by_lot)


def two_rounds(weights: dict[Option, int], seed: str) -> SingleResult:
    """An absolute majority (more than half of the valid weight) wins at once; otherwise the
    two leading options go to a second round."""
    ranked = rank_by_weight(weights, seed)
    total = sum(weights.values())
    if total == 0:
        return SingleResult(None, None, ranked, 0, False)
    leader = ranked.order[0]
    if 2 * weights[leader] > total:
        return SingleResult(leader, None, ranked, total, False)
    first, second = ranked.order[0], ranked.order[1]
    third = ranked.order[2] if len(ranked.order) > 2 else None
    by_lot = third is not None and weights[third] == weights[second]
    by_lot = by_lot or (weights[first] == weights[second] and len(weights) == 2)
    return SingleResult(None, (first, second), ranked, total, by_lot)


@dataclass(frozen=True)
class ApprovalResult:
    ranked: Ranked
    winners: list[Option]
    by_lot: bool  # the last seat was decided by lot among equals


def approval(weights: dict[Option, int], seats: int, seed: str) -> ApprovalResult:
    ranked = rank_by_weight(weights, seed)
    winners = [o for o in ranked.order[:seats] if weights[o] > 0]
    by_lot = (
        0 < seats < len(ranked.order)
        and bool(winners)
        and weights[ranked.order[seats - 1]] == weights[ranked.order[seats]]
    )
    return ApprovalResult(ranked, winners, by_lot)


# --- ranked ballots -------------------------------------------------------------------------


@dataclass
class Round:
    """One round of a ranked count: the weight each continuing option holds, what happened."""

    number: int
    tallies: dict[Option, Fraction]
    exhausted: Fraction
    elected: list[Option] = field(default_factory=list)
    eliminated: Option | None = None
    by_lot: bool = False
    transferred_from: list[Option] = field(default_factory=list)


@dataclass(frozen=True)
class RankedResult:
    winners: list[Option]
    rounds: list[Round]
    quota: Fraction | None  # STV only


Ballot = tuple[Sequence[Option], int]  # (ranking, weight)


def _clean(ballots: Iterable[Ballot], options: set[Option]) -> list[tuple[list[Option], int]]:
    """Rankings restricted to the options, duplicates removed, empty ones dropped."""
    cleaned = []
    for ranking, weight in ballots:
        seen: list[Option] = []
        for option in ranking:
            if option in options and option not in seen:
                seen.append(option)
        if seen and weight > 0:
            cleaned.append((seen, weight))
    return cleaned


def _next(ranking: list[Option], continuing: set[Option]) -> Option | None:
    return next((option for option in ranking if option in continuing), None)


def instant_runoff(ballots: Iterable[Ballot], options: Iterable[Option], seed: str) -> RankedResult:
    options = list(options)
    position = _lot_position(seed, options)
    votes = _clean(ballots, set(options))
    continuing = set(options)
    rounds: list[Round] = []
    while continuing:
        tallies: dict[Option, Fraction] = dict.fromkeys(continuing, Fraction(0))
        exhausted = Fraction(0)
        for ranking, weight in votes:
            top = _next(ranking, continuing)
            if top is None:
                exhausted += weight
            else:
                tallies[top] += weight
        current = Round(len(rounds) + 1, tallies, exhausted)
        rounds.append(current)
        active = sum(tallies.values())
        leader = max(continuing, key=lambda o: (tallies[o], -position[o]))
        if len(continuing) == 1 or (active and 2 * tallies[leader] > active):
            current.elected = [leader]
            current.by_lot = sum(1 for o in continuing if tallies[o] == tallies[leader]) > 1
            return RankedResult([leader], rounds, None)
        lowest = min(tallies.values())
        tied = [o for o in continuing if tallies[o] == lowest]
        loser = max(tied, key=lambda o: position[o])  # the last in lot order loses
        current.eliminated, current.by_lot = loser, len(tied) > 1
        continuing.remove(loser)
    return RankedResult([], rounds, None)


@dataclass
class _Piece:
    ranking: list[Option]
    value: Fraction  # the weight this ballot still carries
    holder: Option | None


def single_transferable_vote(
    ballots: Iterable[Ballot], options: Iterable[Option], seats: int, seed: str
) -> RankedResult:
    options = list(options)
    position = _lot_position(seed, options)
    votes = _clean(ballots, set(options))
    total = sum(weight for _r, weight in votes)
    quota = Fraction(total // (seats + 1) + 1)
    continuing = set(options)
    pieces = [_Piece(r, Fraction(w), _next(r, continuing)) for r, w in votes]
    winners: list[Option] = []
    rounds: list[Round] = []

    def tally() -> tuple[dict[Option, Fraction], Fraction]:
        held: dict[Option, Fraction] = dict.fromkeys(continuing, Fraction(0))
        exhausted = Fraction(0)
        for piece in pieces:
            if piece.holder is None:
                exhausted += piece.value
            elif piece.holder in held:
                held[piece.holder] += piece.value
        return held, exhausted

    def move_on(piece: _Piece) -> None:
        piece.holder = _next(piece.ranking, continuing)

    while len(winners) < seats and continuing:
        held, exhausted = tally()
        current = Round(len(rounds) + 1, held, exhausted)
        rounds.append(current)
        reached = [o for o in continuing if held[o] >= quota]
        if reached:
            reached.sort(key=lambda o: (-held[o], position[o]))
            now = reached[: seats - len(winners)]
            current.elected = now
            # The lot decided only if the last one elected tied with the first one left out.
            current.by_lot = len(reached) > len(now) and (
                held[reached[len(now) - 1]] == held[reached[len(now)]]
            )
            for option in now:
                continuing.remove(option)
                winners.append(option)
            if len(winners) >= seats:
                break
            for option in sorted(now, key=lambda o: (-held[o], position[o])):
                surplus = held[option] - quota
                if surplus <= 0:
                    continue
                fraction = surplus / held[option]
                current.transferred_from.append(option)
                for piece in pieces:
                    if piece.holder == option:
                        piece.value *= fraction
                        move_on(piece)
            if len(continuing) <= seats - len(winners):
                winners += sorted(continuing, key=lambda o: position[o])
                current.elected += sorted(continuing, key=lambda o: position[o])
                break
            continue
        if len(continuing) <= seats - len(winners):
            current.elected = sorted(continuing, key=lambda o: position[o])
            winners += current.elected
            break
        lowest = min(held[o] for o in continuing)
        tied = [o for o in continuing if held[o] == lowest]
        loser = max(tied, key=lambda o: position[o])
        current.eliminated, current.by_lot = loser, len(tied) > 1
        continuing.remove(loser)
        for piece in pieces:
            if piece.holder == loser:
                move_on(piece)
    return RankedResult(winners, rounds, quota)
