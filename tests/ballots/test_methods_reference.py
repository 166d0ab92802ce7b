"""The ranked counts (ledenstem_verify.methods) against a reference library, pref_voting: instant
runoff and the single transferable vote on thousands of random weighted profiles, ties
included. Our lot order is mapped onto the library's tie-breaking, so a tie must be broken
the same way too.

pref_voting counts in floats; with integer weights every first-preference tally is exact in
both, and its tolerance (1e-9) only merges values that are equal in exact arithmetic."""

import random

import pytest

from ledenstem_verify.methods import instant_runoff, lot_order, single_transferable_vote

pref_voting = pytest.importorskip("pref_voting", reason="pref_voting is a dev dependency")
from pref_voting.iterative_methods import instant_runoff_tb  # noqa: E402
from pref_voting.profiles import Profile  # noqa: E402
from pref_voting.proportional_methods import stv_wig  # noqa: E402

PROFILES = 1200


def random_profile(rng: random.Random):
    """Options with arbitrary ids, complete rankings, weights from 1 (members) to 300."""
    count = rng.randint(2, 6)
    options = rng.sample(range(1, 500), count)
    kinds = rng.randint(1, 8)
    ballots = []
    for _ in range(kinds):
        ranking = options[:]
        rng.shuffle(ranking)
        # Small weights make ties frequent; large ones look like regional weights.
        weight = rng.choice([1, 1, 2, 3, rng.randint(1, 300)])
        ballots.append((ranking, weight))
    return options, ballots


def reference_profile(options, ballots, seed):
    """The same ballots for pref_voting, candidate k = the k-th option in our lot order."""
    index = {option: k for k, option in enumerate(lot_order(seed, options))}
    rankings = [tuple(index[o] for o in ranking) for ranking, _w in ballots]
    return Profile(rankings, rcounts=[w for _r, w in ballots]), index


@pytest.mark.parametrize("block", range(4))
def test_instant_runoff_equals_the_reference(block):
    rng = random.Random(1000 + block)
    ties = 0
    for n in range(PROFILES // 4):
        options, ballots = random_profile(rng)
        seed = f"seed-{block}-{n}"
        ours = instant_runoff(ballots, options, seed)
        profile, index = reference_profile(options, ballots, seed)
        # pref_voting eliminates tie_breaker[0] first; our last in lot order loses first.
        theirs = instant_runoff_tb(profile, tie_breaker=list(range(len(options)))[::-1])
        assert [index[w] for w in ours.winners] == theirs, (options, ballots, seed)
        ties += any(r.by_lot for r in ours.rounds)
    assert ties > 10  # ties really were exercised


@pytest.mark.parametrize("block", range(4))
def test_single_transferable_vote_equals_the_reference(block):
    rng = random.Random(2000 + block)
    ties = 0
    for n in range(PROFILES // 4):
        options, ballots = random_profile(rng)
        seats = rng.randint(1, len(options) - 1)
        seed = f"stv-{block}-{n}"
        ours = single_transferable_vote(ballots, options, seats, seed)
        profile, index = reference_profile(options, ballots, seed)
        # pref_voting keeps the lowest key on an elimination tie and elects the lowest id
        # first among equals: the first in our lot order in both cases.
        theirs = stv_wig(profile, num_seats=seats, quota_rule="droop")
        assert sorted(index[w] for w in ours.winners) == theirs, (options, ballots, seats, seed)
        ties += any(r.by_lot for r in ours.rounds)
    assert ties > 10
