"""Granting and revoking proxies under hostile input: arbitrary emails, ids and extra fields
are refused with one clear message (or a 404 for what does not exist) and change nothing."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ballots import services
from tests.abuse.helpers import assert_clear_refusal, db_state, fuzz_settings, post_form
from tests.abuse.strategies import ARBITRARY, NASTY, extra_fields
from tests.factories import RegionFactory, member, open_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(client):
    """Anna may give a proxy to Bert or Zoe (the only valid holders); Carl is no elector;
    Zoe holds Piet's proxy. Anna is logged in."""
    region = RegionFactory()
    anna, bert, zoe, piet = (member(region=region, email=f"{n}@example.nl") for n in "abzp")
    ballot = open_ballot(proxies_allowed=True, max_proxies_held=2)
    carl = member(region=region, email="c@example.nl")  # joined after the opening
    proxy = services.grant_proxy(ballot=ballot, grantor_user=piet, holder_user=zoe)
    client.force_login(anna)
    return {
        "ballot": ballot,
        "valid_holders": {bert.email, zoe.email},
        "emails": [anna.email, bert.email, zoe.email, carl.email, piet.email],
        "proxy": proxy,
    }


def emails(scene) -> st.SearchStrategy[str]:
    """Anything but the address of a valid holder (as the form would read it)."""
    near_misses = st.builds(
        lambda email, junk, where: junk + email if where else email + junk,
        st.sampled_from(scene["emails"]),
        st.one_of(NASTY, st.text(min_size=1, max_size=5)),
        st.booleans(),
    )
    return st.one_of(st.emails(), ARBITRARY, st.sampled_from(scene["emails"]), near_misses).filter(
        lambda value: value.strip().lower() not in scene["valid_holders"]
    )


def test_bad_proxy_grants_are_refused_and_change_nothing(client, scene):
    ballot = scene["ballot"]
    url = reverse("ballots:grant_proxy", args=[ballot.pk])

    @fuzz_settings(80)
    @given(
        email=st.one_of(st.none(), emails(scene), st.lists(emails(scene), min_size=2, max_size=3)),
        extra=extra_fields(lambda key: key == "holder_email"),
    )
    def run(email, extra):
        data = dict(extra)
        if email is not None:
            data["holder_email"] = email
        before = db_state()
        assert_clear_refusal(post_form(client, url, data), to=ballot.get_absolute_url())
        assert db_state() == before

    run()


def test_a_good_grant_still_works(client, scene):
    """The control: the same path with a valid holder does change something."""
    ballot = scene["ballot"]
    url = reverse("ballots:grant_proxy", args=[ballot.pk])
    response = post_form(client, url, {"holder_email": " B@Example.NL "})
    assert response.status_code == 302
    assert ballot.proxies.filter(revoked=False).count() == 2


def test_revoking_with_arbitrary_ids_is_refused_and_changes_nothing(client, scene):
    ballot, proxy = scene["ballot"], scene["proxy"]

    @fuzz_settings(60)
    @given(
        ballot_pk=st.one_of(st.just(ballot.pk), st.integers(min_value=0, max_value=2**70)),
        proxy_pk=st.one_of(st.just(proxy.pk), st.integers(min_value=0, max_value=2**70)),
        extra=extra_fields(),
    )
    def run(ballot_pk, proxy_pk, extra):
        before = db_state()
        url = f"/stemmingen/{ballot_pk}/volmacht/{proxy_pk}/intrekken/"
        response = post_form(client, url, extra)
        if (ballot_pk, proxy_pk) == (ballot.pk, proxy.pk):
            # Piet's proxy exists, but only Piet may revoke it.
            assert "Alleen wie de volmacht gaf" in assert_clear_refusal(response)
        else:
            assert response.status_code == 404, response.status_code
        assert db_state() == before

    run()


@pytest.mark.parametrize("segment", ["abc", "-1", "1.0", "%00", quote("\u0661"), "1e3", "0x1"])
def test_proxy_urls_with_non_numbers_are_404(client, scene, segment):
    before = db_state()
    ballot = scene["ballot"]
    for url in (
        f"/stemmingen/{segment}/volmacht/",
        f"/stemmingen/{ballot.pk}/volmacht/{segment}/intrekken/",
    ):
        assert post_form(client, url, {"holder_email": "b@example.nl"}).status_code == 404
    assert db_state() == before


def test_a_refused_holder_does_not_reveal_who_has_an_account(client, scene):
    """Issue #13: "no elector with this address" for an unknown address and "only to another
    elector of this ballot" for a member outside the electorate told the grantor who has an
    account. Both now get the one answer, also on a ballot without proxies or by a grantor who
    is no elector."""
    ballot = scene["ballot"]
    outsider = member(email="buiten@example.nl")  # an account, but in no electorate
    no_proxies = open_ballot(proxies_allowed=False)
    cases = [
        (ballot, client),
        (no_proxies, client),
        (ballot, _logged_in(outsider)),
    ]
    for target, as_client in cases:
        url = reverse("ballots:grant_proxy", args=[target.pk])
        answers = {
            assert_clear_refusal(post_form(as_client, url, {"holder_email": email}))
            for email in ("niemand@example.nl", "c@example.nl", outsider.email)
        }
        assert len(answers) == 1, (target, answers)
    url = reverse("ballots:grant_proxy", args=[ballot.pk])
    answer = assert_clear_refusal(post_form(client, url, {"holder_email": "niemand@example.nl"}))
    assert answer == "Een volmacht kan alleen naar een andere kiezer van deze stemming."


def _logged_in(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other
