"""The vote form under hostile input: every bad POST is refused with one clear message and
changes nothing; the review step never writes. Secret, named and weighted ballots with vote
splitting, own votes and votes by proxy."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ballots import services
from ballots.models import Ballot, Elector
from tests.abuse.helpers import assert_clear_refusal, db_state, fuzz_settings, post_form
from tests.abuse.strategies import (
    ARBITRARY,
    arbitrary_except,
    extra_fields,
    not_an_integer_field_value,
)
from tests.factories import MandateFactory, RegionFactory, add_totp, member, open_ballot

pytestmark = pytest.mark.django_db

WEIGHT = 7  # the ambassador's weight in the weighted ballot


@dataclass
class Scene:
    ballot: Ballot
    url: str
    choice_ids: list[str]
    foreign_choice_ids: list[str]  # real choices, of another ballot
    grantor: str | None  # the elector id the voter holds a live proxy of


def _reserved(key: str) -> bool:
    # Extra fields must not supply the real fields (that could turn bad input into a vote).
    return key in ("choice", "step", "on_behalf_of") or key.startswith(("part_", "p"))


@pytest.fixture
def scenes(client):
    """One voter logged in per ballot kind; each holds what its kind allows."""
    region = RegionFactory()
    anna, bert = member(region=region), member(region=region)
    ambassador = member(region=region)
    MandateFactory(user=ambassador, region=region, weight=WEIGHT)
    add_totp(ambassador)
    member(region=region)
    made = {
        "secret": open_ballot(proxies_allowed=True),
        "named": open_ballot(secrecy="named", proxies_allowed=True),
        "weighted": open_ballot(electorate="ambassadors", secrecy="named", vote_splitting=True),
    }
    result = {}
    for kind, ballot in made.items():
        grantor = None
        if ballot.proxies_allowed:
            services.grant_proxy(ballot=ballot, grantor_user=bert, holder_user=anna)
            grantor = str(Elector.objects.get(ballot=ballot, user=bert).pk)
        others = [b for b in made.values() if b.pk != ballot.pk]
        result[kind] = Scene(
            ballot=ballot,
            url=reverse("ballots:vote", args=[ballot.pk]),
            choice_ids=[str(c.pk) for c in ballot.choices.all()],
            foreign_choice_ids=[str(c.pk) for b in others for c in b.choices.all()],
            grantor=grantor,
        )
    return result, {"secret": anna, "named": anna, "weighted": ambassador}


def login(client, scenes, kind) -> Scene:
    by_kind, voters = scenes
    client.force_login(voters[kind])
    return by_kind[kind]


def as_int(value) -> int | None:
    """What Python's int() makes of a posted value (the confirm step reads ids this way)."""
    try:
        return int(value[-1] if isinstance(value, list) else value)
    except (TypeError, ValueError):
        return None


def names_a_choice(scene: Scene, value) -> bool:
    """Also ' 7', '+7' or '\\u0667' name choice 7 when the confirm step reads them with int():
    not bad input, just an unusual spelling of a good one."""
    return as_int(value) in {int(pk) for pk in scene.choice_ids}


def bad_choice(scene: Scene):
    return st.one_of(
        ARBITRARY,
        st.sampled_from(scene.foreign_choice_ids),
        st.lists(ARBITRARY, min_size=2, max_size=3),
    ).filter(lambda value: not names_a_choice(scene, value))


# Half of the examples confirm ("cast"): the step that writes.
STEPS = st.one_of(st.just("cast"), st.just("cast"), st.sampled_from([None, "review"]), ARBITRARY)


def _with(data: dict, key: str, value) -> dict:
    if value is not None:
        data[key] = value
    return data


@st.composite
def bad_single_choice_posts(draw, scene: Scene):
    """For a ballot with one choice per vote: bad in at least one way, by construction."""
    data = dict(draw(extra_fields(_reserved)))
    # Part fields mean nothing on a ballot without splitting; they may come along (but not
    # as one part carrying the whole weight of 1, which the confirm step reads as a choice).
    for choice_id in draw(st.lists(st.sampled_from(scene.choice_ids), max_size=3)):
        data[f"part_{choice_id}"] = draw(ARBITRARY.filter(lambda value: as_int(value) != 1))
    case = draw(st.sampled_from(["choice", "proxy", "proxy_choice"]))
    if case == "choice":  # a choice that is not one of this ballot's, or none at all
        _with(data, "choice", draw(st.one_of(st.none(), bad_choice(scene))))
        _with(data, "on_behalf_of", draw(st.one_of(st.none(), ARBITRARY)))
    elif case == "proxy":  # a good choice, for someone the voter holds no proxy of
        data["choice"] = draw(st.sampled_from(scene.choice_ids))
        data["on_behalf_of"] = draw(
            arbitrary_except(["", scene.grantor]).filter(lambda value: value.strip() != "")
        )
    else:  # the proxy is real, its choice is bad (the unprefixed choice does not count)
        data["on_behalf_of"] = scene.grantor
        data["choice"] = draw(st.sampled_from(scene.choice_ids))
        _with(data, f"p{scene.grantor}-choice", draw(st.one_of(st.none(), bad_choice(scene))))
    return _with(data, "step", draw(STEPS))


@st.composite
def bad_split_posts(draw, scene: Scene):
    """For the weighted ballot with splitting (weight WEIGHT): bad parts, parts that do not
    add up to the weight, or a proxy that does not exist (this ballot allows none)."""
    data = dict(draw(extra_fields(_reserved)))
    ids = scene.choice_ids
    good_part = st.one_of(
        st.none(),
        st.just(""),
        st.integers(0, WEIGHT).map(str),
        st.integers(0, WEIGHT).map(lambda n: f" {n} "),
    )
    case = draw(st.sampled_from(["part", "sum", "proxy"]))
    if case == "part":
        bad_at = draw(st.sampled_from(ids))
        for choice_id in ids:
            value = (
                draw(not_an_integer_field_value(WEIGHT))
                if choice_id == bad_at
                else draw(st.one_of(good_part, not_an_integer_field_value(WEIGHT)))
            )
            _with(data, f"part_{choice_id}", value)
        _with(data, "choice", draw(st.one_of(st.none(), ARBITRARY)))
    elif case == "sum":
        parts = {choice_id: draw(good_part) for choice_id in ids}
        total = sum(int(v) for v in parts.values() if v not in (None, ""))
        choice = draw(st.one_of(st.none(), st.sampled_from(ids), bad_choice(scene)))
        choice_counts = choice is not None and names_a_choice(scene, choice)
        # Parts win over the choice when any part is non-zero; all zero falls back to it.
        if total == WEIGHT or (total == 0 and choice_counts):
            total_fix = (total + 1) % (WEIGHT + 1) or 1
            parts[ids[0]] = str(total_fix - (total - int(parts[ids[0]] or 0)))
            parts = {k: v for k, v in parts.items()}
            total = sum(int(v) for v in parts.values() if v not in (None, ""))
            if not 0 <= int(parts[ids[0]]) <= WEIGHT or total in (0, WEIGHT):
                parts = {ids[0]: "1"}  # one part of 1: never the weight, never zero
                choice = None
        for choice_id, value in parts.items():
            _with(data, f"part_{choice_id}", value)
        _with(data, "choice", choice)
    else:
        data[f"part_{ids[0]}"] = str(WEIGHT)
        data["on_behalf_of"] = draw(ARBITRARY.filter(lambda value: value.strip() != ""))
    return _with(data, "step", draw(STEPS))


def check_refused(client, scene: Scene, data: dict) -> None:
    before = db_state()
    response = post_form(client, scene.url, data)
    assert_clear_refusal(response, to=scene.ballot.get_absolute_url())
    assert db_state() == before


@pytest.mark.parametrize("kind", ["secret", "named"])
def test_bad_votes_are_refused_and_change_nothing(client, scenes, kind):
    scene = login(client, scenes, kind)

    @fuzz_settings(80)
    @given(data=bad_single_choice_posts(scene))
    def run(data):
        check_refused(client, scene, data)

    run()


def test_bad_split_votes_are_refused_and_change_nothing(client, scenes):
    scene = login(client, scenes, "weighted")

    @fuzz_settings(80)
    @given(data=bad_split_posts(scene))
    def run(data):
        check_refused(client, scene, data)

    run()


@st.composite
def good_reviews(draw, scene: Scene, *, splitting: bool):
    data = dict(draw(extra_fields(_reserved)))
    if splitting:
        cuts = sorted(draw(st.lists(st.integers(0, WEIGHT), min_size=2, max_size=2)))
        for choice_id, part in zip(
            scene.choice_ids, [cuts[0], cuts[1] - cuts[0], WEIGHT - cuts[1]], strict=True
        ):
            data[f"part_{choice_id}"] = str(part)
    elif scene.grantor and draw(st.booleans()):
        data["on_behalf_of"] = scene.grantor
        data[f"p{scene.grantor}-choice"] = draw(st.sampled_from(scene.choice_ids))
    else:
        data["choice"] = draw(st.sampled_from(scene.choice_ids))
    return _with(data, "step", draw(st.one_of(st.none(), ARBITRARY.filter(lambda s: s != "cast"))))


@pytest.mark.parametrize("kind", ["secret", "named", "weighted"])
def test_the_review_step_shows_a_good_vote_and_stores_nothing(client, scenes, kind):
    scene = login(client, scenes, kind)

    @fuzz_settings(25)
    @given(data=good_reviews(scene, splitting=kind == "weighted"))
    def run(data):
        before = db_state()
        response = post_form(client, scene.url, data)
        assert response.status_code == 200, response.status_code
        assert response.templates[0].name == "ballots/confirm.html"
        assert db_state() == before

    run()


@pytest.mark.parametrize("kind", ["secret", "weighted"])
def test_too_many_fields_or_too_large_a_body_is_a_400_and_changes_nothing(client, scenes, kind):
    scene = login(client, scenes, kind)
    before = db_state()
    many = {f"extra{n}": "x" for n in range(2000)} | {"choice": scene.choice_ids[0]}
    assert post_form(client, scene.url, many | {"step": "cast"}).status_code == 400
    huge = {"choice": scene.choice_ids[0], "step": "cast", "note": "x" * (6 * 1024 * 1024)}
    assert post_form(client, scene.url, huge).status_code == 400
    assert db_state() == before


def test_votes_on_ballots_that_do_not_exist_are_refused(client, scenes):
    login(client, scenes, "secret")
    before = db_state()
    for pk in (0, 999_999, 2**63, 10**30):
        for step in ("cast", "review"):
            url = f"/stemmingen/{pk}/stemmen/"
            response = post_form(client, url, {"choice": "1", "step": step})
            if response.status_code != 404:
                assert "bestaat niet" in assert_clear_refusal(response)
    assert db_state() == before


# Regressions: each was a 500 or a wrong answer before the fix named in the report.


@pytest.mark.parametrize("on_behalf_of", ["9223372036854775808", "9" * 40, "²", "\u0661"])
def test_proxy_ids_out_of_range_or_in_other_scripts_are_refused(client, scenes, on_behalf_of):
    scene = login(client, scenes, "secret")
    before = db_state()
    data = {"choice": scene.choice_ids[0], "on_behalf_of": on_behalf_of, "step": "cast"}
    assert "volmacht" in assert_clear_refusal(post_form(client, scene.url, data))
    assert db_state() == before


def test_a_split_that_does_not_add_up_is_refused_at_the_review_step(client, scenes):
    scene = login(client, scenes, "weighted")
    data = {f"part_{scene.choice_ids[0]}": "3", "step": "review"}
    message = assert_clear_refusal(post_form(client, scene.url, data))
    assert f"stemgewicht ({WEIGHT})" in message
