"""The outcome of a ballot (ledenstem_verify/rules.py): hand-computed cases, properties,
display rounding."""

import ast
import re
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledenstem_verify import rules
from ledenstem_verify.rules import (
    DEFAULT_CHOICES,
    Base,
    Majority,
    Result,
    Role,
    Rules,
    Totals,
    decide,
    format_percentage,
)

SIMPLE, ABSOLUTE, QUALIFIED = Majority.SIMPLE, Majority.ABSOLUTE, Majority.QUALIFIED
VALID, CAST = Base.VALID, Base.CAST
ADOPTED, REJECTED, TIE, NO_QUORUM = Result.ADOPTED, Result.REJECTED, Result.TIE, Result.NO_QUORUM
HALF = Fraction(1, 2)

# Ambassador regions and their weights (member counts); the electorate is their sum.
REGIONS = {"Noord": 412, "Oost": 830, "Zuid": 1207, "West": 655, "Midden": 298, "Randstad": 1020}
AMBASSADORS = sum(REGIONS.values())  # 4422; a quorum of 1/2 needs 2211


# (for, against, abstain, electorate, majority, base, quorum, expected result, for/base)
# fmt: off
CASES = [
    pytest.param(60, 40, 0, 100, SIMPLE, VALID, None, ADOPTED, Fraction(3, 5), id="simple-for"),
    pytest.param(40, 60, 0, 100, SIMPLE, VALID, None, REJECTED, Fraction(2, 5), id="simple-no"),
    pytest.param(50, 50, 0, 100, SIMPLE, VALID, None, TIE, HALF, id="simple-for-equals-against"),
    pytest.param(3, 5, 100, 200, SIMPLE, CAST, None, REJECTED, Fraction(3, 108), id="simple-cast"),
    pytest.param(60, 40, 300, 400, SIMPLE, CAST, None, ADOPTED, Fraction(3, 20),
                 id="simple-ignores-base"),
    pytest.param(0, 0, 10, 10, SIMPLE, VALID, None, TIE, None, id="all-abstain-valid-base"),
    pytest.param(0, 0, 7, 7, QUALIFIED, CAST, None, TIE, Fraction(0), id="all-abstain-cast-base"),
    pytest.param(0, 0, 0, 10, ABSOLUTE, VALID, None, TIE, None, id="nothing-cast"),
    # absolute: exactly 50% is not a majority, one more weight is
    pytest.param(50, 40, 10, 100, ABSOLUTE, CAST, None, REJECTED, HALF, id="absolute-exactly-half"),
    pytest.param(51, 40, 9, 100, ABSOLUTE, CAST, None, ADOPTED, Fraction(51, 100),
                 id="absolute-half-plus-1"),
    pytest.param(50, 50, 0, 100, ABSOLUTE, VALID, None, TIE, HALF, id="absolute-half-is-tie"),
    pytest.param(501, 499, 0, 1000, ABSOLUTE, VALID, None, ADOPTED, Fraction(501, 1000),
                 id="absolute-501-of-1000"),
    # qualified: exactly 2/3 is enough, one weight less is not
    pytest.param(200, 100, 0, 300, QUALIFIED, VALID, None, ADOPTED, Fraction(2, 3),
                 id="qualified-exactly-2/3"),
    pytest.param(199, 101, 0, 300, QUALIFIED, VALID, None, REJECTED, Fraction(199, 300),
                 id="qualified-1-short"),
    pytest.param(20, 5, 5, 30, QUALIFIED, CAST, None, ADOPTED, Fraction(2, 3),
                 id="qualified-cast-exactly-2/3"),
    pytest.param(10, 0, 0, 10, QUALIFIED, CAST, None, ADOPTED, Fraction(1), id="unanimous"),
    pytest.param(0, 10, 0, 10, QUALIFIED, CAST, None, REJECTED, Fraction(0), id="all-against"),
    # abstentions in the base change the outcome
    pytest.param(60, 40, 30, 200, ABSOLUTE, VALID, None, ADOPTED, Fraction(3, 5),
                 id="absolute-abstain-valid"),
    pytest.param(60, 40, 30, 200, ABSOLUTE, CAST, None, REJECTED, Fraction(6, 13),
                 id="absolute-abstain-cast"),
    pytest.param(70, 30, 10, 200, QUALIFIED, VALID, None, ADOPTED, Fraction(7, 10),
                 id="qualified-abstain-valid"),
    pytest.param(70, 30, 10, 200, QUALIFIED, CAST, None, REJECTED, Fraction(7, 11),
                 id="qualified-abstain-cast"),
    pytest.param(10, 10, 30, 100, ABSOLUTE, CAST, None, TIE, Fraction(1, 5), id="tie-with-abstain"),
    # quorum: turnout (abstentions included) / electorate >= quorum, exactly
    pytest.param(300, 200, 0, 1000, SIMPLE, VALID, HALF, ADOPTED, Fraction(3, 5),
                 id="quorum-exactly-met"),
    pytest.param(300, 199, 0, 1000, SIMPLE, VALID, HALF, NO_QUORUM, Fraction(300, 499),
                 id="quorum-1-short"),
    pytest.param(100, 50, 350, 1000, SIMPLE, VALID, HALF, ADOPTED, Fraction(2, 3),
                 id="abstentions-count-for-quorum"),
    pytest.param(200, 0, 0, 300, SIMPLE, VALID, Fraction(2, 3), ADOPTED, Fraction(1),
                 id="quorum-2/3-exactly-met"),
    pytest.param(5, 4, 1, 10, SIMPLE, VALID, Fraction(1), ADOPTED, Fraction(5, 9), id="quorum-all"),
    pytest.param(5, 4, 0, 10, SIMPLE, VALID, Fraction(1), NO_QUORUM, Fraction(5, 9),
                 id="quorum-all-1-short"),
    pytest.param(0, 0, 0, 10, SIMPLE, VALID, Fraction(0), TIE, None, id="quorum-zero"),
    pytest.param(0, 0, 0, 0, SIMPLE, VALID, HALF, NO_QUORUM, None, id="no-electorate-quorum"),
    pytest.param(0, 0, 0, 0, SIMPLE, VALID, Fraction(0), NO_QUORUM, None,
                 id="no-electorate-quorum-zero"),
    pytest.param(0, 0, 0, 0, QUALIFIED, CAST, None, TIE, None, id="no-electorate-no-quorum"),
    # ambassadors: Zuid + West for, Oost + Noord against, Midden abstains, Randstad absent
    pytest.param(1207 + 655, 830 + 412, 298, AMBASSADORS, ABSOLUTE, VALID, HALF, ADOPTED,
                 Fraction(1862, 3104), id="ambassadors-absolute"),
    pytest.param(1207 + 655, 830 + 412, 298, AMBASSADORS, QUALIFIED, VALID, HALF, REJECTED,
                 Fraction(1862, 3104), id="ambassadors-qualified"),
    # ... and Oost splits its 830 as 500 for / 330 against after its member consultation
    pytest.param(1207 + 655 + 500, 412 + 330, 298, AMBASSADORS, QUALIFIED, CAST, HALF, ADOPTED,
                 Fraction(2362, 3402), id="ambassadors-split-vote"),
    # only Zuid, Oost and 173 of Midden's 298 vote: 2210 of 4422, one short of half
    pytest.param(1207, 830, 173, AMBASSADORS, SIMPLE, VALID, HALF, NO_QUORUM,
                 Fraction(1207, 2037), id="ambassadors-quorum-1-short"),
    pytest.param(1207, 830, 174, AMBASSADORS, SIMPLE, VALID, HALF, ADOPTED,
                 Fraction(1207, 2037), id="ambassadors-quorum-exactly-met"),
]
# fmt: on


@pytest.mark.parametrize(
    ("for_", "against", "abstain", "electorate", "majority", "base", "quorum", "result", "share"),
    CASES,
)
def test_hand_computed_outcomes(
    for_, against, abstain, electorate, majority, base, quorum, result, share
):
    outcome = decide(Totals(for_, against, abstain, electorate), Rules(majority, base, quorum))

    assert outcome.result is result
    assert outcome.for_share == share
    assert outcome.base_weight == (for_ + against if base is VALID else for_ + against + abstain)
    assert outcome.adopted is (result is ADOPTED)


# --- the sentence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "rules_", "sentence"),
    [
        (
            Totals(614, 386, 50, 1250),
            Rules(ABSOLUTE, VALID, HALF),
            "Aangenomen: 61,4% voor en 38,6% tegen (basis: stemmen voor en tegen) bij een "
            "vereiste van meer dan 50%; opkomst 84% boven het quorum van 50%.",
        ),
        (
            Totals(199, 101, 0, 300),
            Rules(QUALIFIED, VALID),
            "Verworpen: 66,3% voor en 33,7% tegen (basis: stemmen voor en tegen) bij een "
            "vereiste van ten minste 2/3; opkomst 100%, geen quorum vereist.",
        ),
        (
            Totals(10, 10, 30, 100),
            Rules(ABSOLUTE, CAST, Fraction(1, 3)),
            "Staken der stemmen (niet aangenomen): 20% voor en 20% tegen (basis: alle "
            "uitgebrachte stemmen, ook onthoudingen) bij een vereiste van meer dan 50%; "
            "opkomst 50% boven het quorum van 33,3%.",
        ),
        (
            Totals(0, 0, 5, 10),
            Rules(SIMPLE, VALID),
            "Staken der stemmen (niet aangenomen): alleen onthoudingen, geen stemmen voor of "
            "tegen bij een vereiste van meer voor dan tegen; opkomst 50%, geen quorum vereist.",
        ),
        (
            Totals(300, 199, 0, 1000),
            Rules(SIMPLE, VALID, HALF),
            "Geen quorum (niet aangenomen): 60,1% voor en 39,9% tegen (basis: stemmen voor en "
            "tegen) bij een vereiste van meer voor dan tegen; opkomst 49,9% onder het quorum "
            "van 50%.",
        ),
        (
            Totals(300, 200, 0, 1000),
            Rules(SIMPLE, VALID, HALF),
            "Aangenomen: 60% voor en 40% tegen (basis: stemmen voor en tegen) bij een vereiste "
            "van meer voor dan tegen; opkomst 50% gelijk aan het quorum van 50%.",
        ),
        (
            Totals(0, 0, 0, 0),
            Rules(SIMPLE, VALID, HALF),
            "Geen quorum (niet aangenomen): geen stemmen uitgebracht bij een vereiste van meer "
            "voor dan tegen; geen stemgerechtigden, dus het quorum van 50% is niet te halen.",
        ),
        (
            Totals(0, 0, 0, 0),
            Rules(SIMPLE, VALID),
            "Staken der stemmen (niet aangenomen): geen stemmen uitgebracht bij een vereiste "
            "van meer voor dan tegen; geen stemgerechtigden, geen quorum vereist.",
        ),
    ],
)
def test_explanation_is_one_dutch_sentence_with_the_numbers(totals, rules_, sentence):
    outcome = decide(totals, rules_)

    assert outcome.explanation == sentence


@pytest.mark.parametrize(
    ("majority", "required"),
    [
        (SIMPLE, "meer voor dan tegen"),
        (ABSOLUTE, "meer dan 50%"),
        (QUALIFIED, "ten minste 2/3"),
    ],
)
def test_required_names_the_rule_in_dutch(majority, required):
    assert decide(Totals(1, 0, 0, 1), Rules(majority, VALID)).required == required


# --- display rounding at the threshold ------------------------------------------------------


def test_share_just_below_half_is_not_printed_as_half_under_absolute_majority():
    outcome = decide(Totals(4996, 5004, 0, 10000), Rules(ABSOLUTE, VALID))

    assert outcome.result is REJECTED
    assert outcome.explanation.startswith("Verworpen: 49,96% voor en 50,04% tegen ")
    assert format_percentage(Fraction(4996, 10000)) == "50%"  # what plain rounding would show


def test_share_just_above_half_is_not_printed_as_half_under_absolute_majority():
    outcome = decide(Totals(5004, 4996, 0, 10000), Rules(ABSOLUTE, VALID))

    assert outcome.result is ADOPTED
    assert outcome.explanation.startswith("Aangenomen: 50,04% voor en 49,96% tegen ")


def test_tiny_margins_get_as_many_decimals_as_they_need():
    # 1000001 / 2000001 = 50,0000249...%: at four decimals it would print as "50%"
    outcome = decide(Totals(1_000_001, 1_000_000, 0, 2_000_001), Rules(ABSOLUTE, VALID))

    assert outcome.result is ADOPTED
    assert outcome.explanation.startswith("Aangenomen: 50,00002% voor en 49,99998% tegen ")


def test_share_just_below_two_thirds_is_printed_below_two_thirds():
    outcome = decide(Totals(6666, 3334, 0, 10000), Rules(QUALIFIED, VALID))

    assert outcome.result is REJECTED
    assert "66,66% voor" in outcome.explanation  # 2/3 is 66,67% at this precision


def test_exactly_two_thirds_is_printed_with_one_decimal():
    outcome = decide(Totals(2, 1, 0, 3), Rules(QUALIFIED, VALID))

    assert outcome.result is ADOPTED
    assert outcome.explanation.startswith("Aangenomen: 66,7% voor en 33,3% tegen ")


@pytest.mark.parametrize(
    ("cast", "clause"),
    [
        (4996, "opkomst 49,96% onder het quorum van 50%"),
        (5000, "opkomst 50% gelijk aan het quorum van 50%"),
        (5004, "opkomst 50,04% boven het quorum van 50%"),
    ],
)
def test_turnout_next_to_the_quorum_is_printed_on_its_true_side(cast, clause):
    outcome = decide(Totals(cast, 0, 0, 10000), Rules(SIMPLE, VALID, HALF))

    assert clause in outcome.explanation


def test_turnout_just_below_an_inexact_quorum_is_printed_below_it():
    outcome = decide(Totals(3332, 0, 0, 10000), Rules(SIMPLE, VALID, Fraction(1, 3)))

    assert outcome.result is NO_QUORUM
    assert "opkomst 33,32% onder het quorum van 33,33%" in outcome.explanation


@pytest.mark.parametrize(
    ("share", "decimals", "text"),
    [
        (Fraction(307, 500), 1, "61,4%"),
        (Fraction(1, 2), 1, "50%"),
        (Fraction(2, 3), 1, "66,7%"),
        (Fraction(2, 3), 0, "67%"),
        (Fraction(1, 3), 3, "33,333%"),
        (Fraction(1, 8), 1, "12,5%"),
        (Fraction(1, 16), 1, "6,3%"),  # half up
        (Fraction(1, 200), 1, "0,5%"),
        (Fraction(0), 1, "0%"),
        (Fraction(1), 1, "100%"),
        (Fraction(9999, 10000), 1, "100%"),
        (Fraction(4996, 10000), 2, "49,96%"),
        (Fraction(1, 10), 3, "10%"),
    ],
)
def test_format_percentage_uses_a_dutch_decimal_comma(share, decimals, text):
    assert format_percentage(share, decimals=decimals) == text


def test_format_percentage_refuses_a_negative_share():
    with pytest.raises(ValueError, match="negative"):
        format_percentage(Fraction(-1, 2))


# --- input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"for_weight": -1}, "for_weight must not be negative"),
        ({"against_weight": -5}, "against_weight must not be negative"),
        ({"abstain_weight": -1}, "abstain_weight must not be negative"),
        ({"electorate_weight": -1}, "electorate_weight must not be negative"),
        ({"for_weight": 8}, "cast weight 11 exceeds electorate weight 10"),
    ],
)
def test_impossible_totals_are_refused(kwargs, message):
    values = {"for_weight": 1, "against_weight": 1, "abstain_weight": 2, "electorate_weight": 10}
    with pytest.raises(ValueError, match=message):
        Totals(**(values | kwargs))


@pytest.mark.parametrize("weight", [1.0, True, "3", None])
def test_weights_must_be_ints(weight):
    with pytest.raises(TypeError, match="for_weight must be an int"):
        Totals(weight, 0, 0, 10)


@pytest.mark.parametrize("quorum", [Fraction(-1, 100), Fraction(101, 100), 2, Decimal("1.01")])
def test_quorum_outside_zero_to_one_is_refused(quorum):
    with pytest.raises(ValueError, match="quorum must lie between 0 and 1"):
        Rules(SIMPLE, VALID, quorum)


@pytest.mark.parametrize("quorum", [0.5, True])
def test_inexact_quorum_is_refused(quorum):
    with pytest.raises(TypeError, match="quorum must be exact"):
        Rules(SIMPLE, VALID, quorum)


def test_rules_accept_stored_strings_and_exact_numbers():
    stored = Rules("qualified", "cast", Decimal("0.50"))

    assert stored == Rules(QUALIFIED, CAST, HALF)
    assert stored.majority is QUALIFIED
    assert stored.base is CAST
    assert Rules(SIMPLE, VALID, 1).quorum == Fraction(1)


@pytest.mark.parametrize(("majority", "base"), [("relative", "valid"), ("simple", "absent")])
def test_unknown_rule_settings_are_refused(majority, base):
    with pytest.raises(ValueError, match="unknown"):
        Rules(majority, base)


def test_choice_weights_are_summed_per_role():
    rows = [("for", 412), (Role.AGAINST, 830), (Role.FOR, 1207), ("abstain", 298), ("for", 0)]

    totals = Totals.from_role_weights(rows, electorate_weight=AMBASSADORS)

    assert totals == Totals(1619, 830, 298, AMBASSADORS)
    assert Totals.from_role_weights({Role.FOR: 3}, electorate_weight=5) == Totals(3, 0, 0, 5)


def test_unknown_role_or_negative_choice_weight_is_refused():
    with pytest.raises(ValueError, match="unknown role 'blanco'"):
        Totals.from_role_weights({"blanco": 1}, electorate_weight=5)
    with pytest.raises(ValueError, match="weight for for must not be negative"):
        Totals.from_role_weights([("for", 3), ("for", -1)], electorate_weight=5)


def test_default_choices_are_voor_tegen_onthouding():
    assert DEFAULT_CHOICES == (
        ("Voor", Role.FOR),
        ("Tegen", Role.AGAINST),
        ("Onthouding", Role.ABSTAIN),
    )


def test_rules_module_imports_nothing_but_the_standard_library():
    tree = ast.parse(Path(rules.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# --- properties -----------------------------------------------------------------------------

weights = st.integers(0, 6) | st.integers(0, 10**7)
quorums = st.none() | st.fractions(min_value=0, max_value=1, max_denominator=200)
# The properties below hold for the bases counted on votes; the base "present" (counted on
# everyone present, issue #15) has its own cases and properties at the end of this file.
any_rules = st.builds(
    Rules,
    majority=st.sampled_from(Majority),
    base=st.sampled_from([Base.VALID, Base.CAST]),
    quorum=quorums,
)


@st.composite
def totals_with_room(draw):
    """Totals plus the weight of electors who did not vote (room to add votes)."""
    for_, against, abstain, absent = draw(weights), draw(weights), draw(weights), draw(weights)
    return Totals(for_, against, abstain, for_ + against + abstain + absent), absent


any_totals = totals_with_room().map(lambda pair: pair[0])
PERCENT = r"(\d+(?:,\d+)?)%"


def percent(text: str) -> Fraction:
    return Fraction(text.replace(",", "."))


def decimals_of(text: str) -> int:
    return len(text.partition(",")[2])


@given(any_totals, any_rules)
def test_swapping_for_and_against_keeps_a_tie_and_turns_adoption_into_rejection(totals, rules_):
    swapped = Totals(
        totals.against_weight, totals.for_weight, totals.abstain_weight, totals.electorate_weight
    )
    before, after = decide(totals, rules_).result, decide(swapped, rules_).result

    if before is TIE:
        assert after is TIE
    if before is ADOPTED:
        assert after is REJECTED
    assert (before is NO_QUORUM) == (after is NO_QUORUM)


@given(totals_with_room(), st.sampled_from(Majority), quorums, st.data())
def test_adding_abstentions_never_changes_an_outcome_on_valid_votes(
    totals_and_room, majority, quorum, data
):
    totals, room = totals_and_room
    extra = data.draw(st.integers(0, room))
    more = Totals(
        totals.for_weight,
        totals.against_weight,
        totals.abstain_weight + extra,
        totals.electorate_weight,
    )
    rules_ = Rules(majority, VALID, quorum)
    before, after = decide(totals, rules_).result, decide(more, rules_).result

    if before is not NO_QUORUM:  # more turnout can only reach a quorum, never lose it
        assert after is before
    if quorum is None:
        assert after is before


@given(totals_with_room(), any_rules, st.data())
def test_adding_weight_for_never_undoes_an_adoption(totals_and_room, rules_, data):
    totals, room = totals_and_room
    extra = data.draw(st.integers(0, room))
    more = Totals(
        totals.for_weight + extra,
        totals.against_weight,
        totals.abstain_weight,
        totals.electorate_weight,
    )
    before, after = decide(totals, rules_).result, decide(more, rules_).result

    if before is ADOPTED:
        assert after is ADOPTED
    if before is not NO_QUORUM:
        assert after is not NO_QUORUM


@given(any_totals, any_rules)
def test_no_quorum_exactly_when_turnout_is_below_the_quorum(totals, rules_):
    q = rules_.quorum
    below = q is not None and (
        totals.electorate_weight == 0
        or totals.cast_weight * q.denominator < q.numerator * totals.electorate_weight
    )

    assert (decide(totals, rules_).result is NO_QUORUM) == below


@given(any_totals, any_rules)
def test_reported_numbers_are_exact(totals, rules_):
    outcome = decide(totals, rules_)
    base = totals.valid_weight if rules_.base is VALID else totals.cast_weight

    assert outcome.base_weight == base
    assert outcome.for_share == (Fraction(totals.for_weight, base) if base else None)
    assert outcome.against_share == (Fraction(totals.against_weight, base) if base else None)
    assert outcome.turnout == (
        Fraction(totals.cast_weight, totals.electorate_weight) if totals.electorate_weight else None
    )
    assert outcome.totals == totals
    assert outcome.rules == rules_


@given(any_totals, any_rules)
def test_tie_means_for_equals_against_unless_no_quorum(totals, rules_):
    result = decide(totals, rules_).result

    if result is not NO_QUORUM:
        assert (result is TIE) == (totals.for_weight == totals.against_weight)
    if result is ADOPTED:
        assert totals.for_weight > totals.against_weight


@given(any_totals, any_rules)
def test_explanation_is_one_dutch_sentence_without_decimal_points(totals, rules_):
    outcome = decide(totals, rules_)
    text = outcome.explanation

    assert text.startswith(("Aangenomen: ", "Verworpen: ", "Staken der stemmen ", "Geen quorum "))
    assert text.endswith(".")
    assert text.count(".") == 1
    assert not re.search(r"\d\.\d", text)
    assert f"bij een vereiste van {outcome.required};" in text


@given(any_totals, st.sampled_from([Base.VALID, Base.CAST]), quorums)
def test_qualified_adoption_implies_absolute_implies_simple(totals, base, quorum):
    adopted = {m: decide(totals, Rules(m, base, quorum)).adopted for m in Majority}

    if adopted[QUALIFIED]:
        assert adopted[ABSOLUTE]
    if adopted[ABSOLUTE]:
        assert adopted[SIMPLE]


@given(any_totals, quorums)
def test_on_valid_votes_simple_and_absolute_majority_agree(totals, quorum):
    simple = decide(totals, Rules(SIMPLE, VALID, quorum))
    absolute = decide(totals, Rules(ABSOLUTE, VALID, quorum))

    assert simple.result is absolute.result


@given(any_totals, st.sampled_from([ABSOLUTE, QUALIFIED]), quorums)
def test_adoption_on_all_votes_cast_implies_adoption_on_valid_votes(totals, majority, quorum):
    if decide(totals, Rules(majority, CAST, quorum)).adopted:
        assert decide(totals, Rules(majority, VALID, quorum)).adopted


def test_simple_adoption_does_not_imply_absolute_adoption_on_all_votes_cast():
    totals = Totals(60, 40, 30, 200)

    assert decide(totals, Rules(SIMPLE, CAST)).adopted
    assert not decide(totals, Rules(ABSOLUTE, CAST)).adopted


@given(any_totals, any_rules)
def test_printed_shares_tell_the_same_story_as_the_exact_ones(totals, rules_):
    outcome = decide(totals, rules_)
    match = re.search(f"{PERCENT} voor en {PERCENT} tegen", outcome.explanation)
    if outcome.for_share is None or totals.valid_weight == 0:
        assert match is None
        return
    assert match is not None
    for_text, against_text = match.groups()
    shown_for, shown_against = percent(for_text), percent(against_text)
    exact_for, exact_against = 100 * outcome.for_share, 100 * outcome.against_share

    # each number is off by at most half its last printed digit
    assert abs(shown_for - exact_for) <= Fraction(1, 2 * 10 ** decimals_of(for_text))
    assert abs(shown_against - exact_against) <= Fraction(1, 2 * 10 ** decimals_of(against_text))
    # for vs against, and for vs the threshold, compare as they do exactly
    assert (shown_for > shown_against) == (exact_for > exact_against)
    assert (shown_for == shown_against) == (exact_for == exact_against)
    if rules_.majority is ABSOLUTE:
        assert (shown_for > 50) == (exact_for > 50)
        assert (shown_for == 50) == (exact_for == 50)
    if rules_.majority is QUALIFIED:
        assert (shown_for >= Fraction(200, 3)) == (exact_for >= Fraction(200, 3))


@given(any_totals, any_rules)
def test_printed_turnout_is_on_the_true_side_of_the_quorum(totals, rules_):
    outcome = decide(totals, rules_)
    pattern = f"opkomst {PERCENT} (boven|gelijk aan|onder) het quorum van {PERCENT}"
    match = re.search(pattern, outcome.explanation)
    if rules_.quorum is None or outcome.turnout is None:
        assert match is None
        return
    assert match is not None
    shown_turnout, position, shown_quorum = percent(match[1]), match[2], percent(match[3])
    exact = (outcome.turnout > rules_.quorum) - (outcome.turnout < rules_.quorum)

    assert (shown_turnout > shown_quorum) - (shown_turnout < shown_quorum) == exact
    assert position == {1: "boven", 0: "gelijk aan", -1: "onder"}[exact]


def test_more_weight_for_can_turn_a_tie_into_a_rejection_when_abstentions_count():
    # Documented consequence of "tie iff for == against": both mean "not adopted".
    rules_ = Rules(ABSOLUTE, CAST)

    assert decide(Totals(1, 1, 10, 12), rules_).result is TIE
    assert decide(Totals(2, 1, 10, 13), rules_).result is REJECTED


# --- base "present": counted on everyone present at the meeting ------------------------------


def _present(for_, against, abstain, present, electorate=100):
    return Totals(for_, against, abstain, electorate, present_weight=present)


@pytest.mark.parametrize(
    ("totals", "majority", "expected"),
    [
        # 10 present, 6 for: more than half of those present.
        (_present(6, 3, 0, 10), Majority.ABSOLUTE, Result.ADOPTED),
        # 5 of 10 present for, nobody against: not voting counts like voting against.
        (_present(5, 0, 0, 10), Majority.ABSOLUTE, Result.REJECTED),
        # Exactly 2/3 of 9 present is enough under a qualified majority.
        (_present(6, 0, 0, 9), Majority.QUALIFIED, Result.ADOPTED),
        (_present(5, 0, 1, 9), Majority.QUALIFIED, Result.REJECTED),
        # The simple majority only compares for and against.
        (_present(2, 1, 0, 10), Majority.SIMPLE, Result.ADOPTED),
        (_present(2, 2, 0, 10), Majority.ABSOLUTE, Result.TIE),
    ],
)
def test_base_present_counts_on_everyone_present(totals, majority, expected):
    assert decide(totals, Rules(majority, Base.PRESENT)).result is expected


def test_base_present_measures_the_quorum_among_those_present():
    rules_ = Rules(Majority.SIMPLE, Base.PRESENT, quorum=HALF)
    assert decide(_present(3, 1, 0, 10), rules_).result is Result.NO_QUORUM
    met = decide(_present(3, 1, 1, 10), rules_)
    assert met.result is Result.ADOPTED and met.turnout == HALF
    assert "opkomst onder de aanwezigen 50% gelijk aan het quorum van 50%" in met.explanation
    assert "(basis: alle aanwezigen, ook wie niet stemde)" in met.explanation
    nobody = decide(_present(0, 0, 0, 0), rules_)
    assert nobody.result is Result.NO_QUORUM and "niemand aanwezig" in nobody.explanation


def test_base_present_needs_the_weight_present_and_no_more_cast_than_present():
    with pytest.raises(ValueError, match="present_weight"):
        decide(Totals(1, 0, 0, 10), Rules(Majority.SIMPLE, Base.PRESENT))
    with pytest.raises(ValueError, match="exceeds present weight"):
        decide(_present(4, 0, 0, 3), Rules(Majority.SIMPLE, Base.PRESENT))
    with pytest.raises(ValueError, match="exceeds electorate weight"):
        _present(1, 0, 0, 101)


@given(totals_with_room(), st.integers(0, 10**6), st.sampled_from(Majority))
def test_base_present_is_base_cast_with_the_silent_present_as_abstentions(pair, silent, majority):
    """Those present who did not vote weigh exactly like abstentions under base cast."""
    totals, room = pair
    silent = min(silent, room)
    present = totals.cast_weight + silent
    on_present = decide(
        Totals(
            totals.for_weight,
            totals.against_weight,
            totals.abstain_weight,
            totals.electorate_weight,
            present_weight=present,
        ),
        Rules(majority, Base.PRESENT),
    )
    as_cast = decide(
        Totals(
            totals.for_weight,
            totals.against_weight,
            totals.abstain_weight + silent,
            totals.electorate_weight,
        ),
        Rules(majority, Base.CAST),
    )
    assert on_present.result is as_cast.result
    assert on_present.base_weight == as_cast.base_weight
