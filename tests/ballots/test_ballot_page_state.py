"""The ballot page's state of the member (issue #18: every elector opens it at once): their
elector row, whether they voted and their proxies in one query when no live proxy touches
them, and the proxies shown exactly as before when one does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ballots import selectors, services
from tests.factories import choice, member, open_ballot

pytestmark = pytest.mark.django_db


def _member_queries(client, ballot) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(ballot.get_absolute_url()).content.decode()
    tables = ("ballots_elector", "ballots_participation", "ballots_proxy")
    return html, [q["sql"] for q in queries if any(t in q["sql"] for t in tables)]


def test_a_member_without_proxies_costs_one_query(client, region, settings):
    settings.LIVE_UPDATES_PER_SECOND = 0.01  # the live block's state: read once, then kept
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot(secrecy="named", proxies_allowed=True)
    client.force_login(anna)
    client.get(ballot.get_absolute_url())
    html, queries = _member_queries(client, ballot)
    assert len(queries) == 1, queries
    assert 'name="choice"' in html and "Volmacht geven" in html

    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Voor").pk)
    html, queries = _member_queries(client, ballot)
    assert len(queries) == 1, queries
    assert "U heeft gestemd." in html and 'name="choice"' not in html
    assert bert


def test_given_and_held_proxies_are_shown_and_a_revoked_one_is_not(client, region, settings):
    settings.LIVE_UPDATES_PER_SECOND = 0.01
    anna = member(region=region, user__full_name="Anna Aalders")
    bert = member(region=region, user__full_name="Bert Bakker")
    ballot = open_ballot(secrecy="named", proxies_allowed=True)
    proxy = services.grant_proxy(ballot=ballot, grantor_user=anna, holder_user=bert)

    client.force_login(anna)
    html = client.get(ballot.get_absolute_url()).content.decode()
    assert "U heeft een volmacht gegeven aan Bert Bakker." in html
    assert 'name="choice"' not in html
    state = selectors.voter_state(ballot, bert)
    assert state.proxies["held"] == [proxy] and state.proxies["given"] is None

    client.force_login(bert)
    html = client.get(ballot.get_absolute_url()).content.decode()
    assert f'name="p{proxy.grantor_id}-choice"' in html  # the proxy vote's form
    assert "Anna Aalders" in html

    services.revoke_proxy(proxy=proxy, by_user=anna)
    client.get(ballot.get_absolute_url())
    html, queries = _member_queries(client, ballot)
    assert len(queries) == 1, queries
    assert f'name="p{proxy.grantor_id}-choice"' not in html


def test_a_member_who_is_no_elector_is_told_so(client, region):
    member(region=region)
    ballot = open_ballot()
    client.force_login(member(region=region))  # joined after the electorate was frozen
    html = client.get(ballot.get_absolute_url()).content.decode()
    assert "U bent geen kiesgerechtigde bij deze stemming." in html
    assert selectors.voter_state(ballot, member(region=region)).elector is None


def test_an_open_ballots_choices_are_read_once_per_process(client, region, settings):
    """They cannot change once the ballot is scheduled: the page and the review step take them
    from the same per-process copy as the vote itself (ballots.services.choices_of)."""
    settings.LIVE_UPDATES_PER_SECOND = 0.01
    anna = member(region=region)
    ballot = open_ballot()
    client.force_login(anna)
    client.get(ballot.get_absolute_url())
    against = choice(ballot, "Tegen").pk
    with CaptureQueriesContext(connection) as queries:
        page = client.get(ballot.get_absolute_url()).content.decode()
        review = client.post(
            f"{ballot.get_absolute_url()}stemmen/", {"step": "review", "choice": against}
        ).content.decode()
    assert not [q["sql"] for q in queries if "ballots_choice" in q["sql"]]
    assert all(label in page for label in ("Voor", "Tegen", "Onthouding"))
    assert "Tegen" in review and 'value="cast"' in review
