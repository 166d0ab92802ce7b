"""A replayed vote: the exact confirm POST a browser sent (same session, same CSRF token,
same body), sent again, and ten times at once on PostgreSQL, stores one vote. Every replay
gets a clear "already voted" message; the ledger verifies after closing."""

import html
import io
import re
from http.cookies import SimpleCookie

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ballots import services
from ballots.models import Participation, PendingVote, Vote
from ballots.verification import verify_ballot
from tests.abuse.helpers import error_messages
from tests.conftest import only_on
from tests.factories import RegionFactory, choice, member, open_ballot
from tests.threads import run_at_once


def confirm_form(page: str) -> tuple[str, dict[str, str]]:
    """The confirm step's form as the browser would submit it: action and hidden fields."""
    forms = re.finditer(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    form = next((f for f in forms if 'name="step"' in f.group(2)), None)
    assert form, page
    fields = dict(
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)
        )
    )
    assert fields.get("step") == "cast" and fields.get("csrfmiddlewaretoken"), fields
    return html.unescape(form.group(1)), fields


def make_scene(kind: str):
    """An open ballot, and the browser of a voter who has reviewed a vote: a client with
    session and CSRF cookie, and the exact confirm POST (action, fields) it would send."""
    region = RegionFactory()
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot(
        secrecy="named" if kind == "named" else "secret", proxies_allowed=kind == "proxy"
    )
    data = {"step": "review", "choice": str(choice(ballot, "Voor").pk)}
    if kind == "proxy":
        proxy = services.grant_proxy(ballot=ballot, grantor_user=bert, holder_user=anna)
        prefix = f"p{proxy.grantor_id}"
        data = {"step": "review", "on_behalf_of": str(proxy.grantor_id)}
        data[f"{prefix}-choice"] = str(choice(ballot, "Voor").pk)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(anna)
    page = browser.get(ballot.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    review = browser.post(
        reverse("ballots:vote", args=[ballot.pk]), {**data, "csrfmiddlewaretoken": token}
    )
    assert review.status_code == 200, review.status_code
    action, fields = confirm_form(review.content.decode())
    return ballot, browser, action, fields


def replay(cookies: SimpleCookie, action: str, fields: dict):
    client = Client(enforce_csrf_checks=True)
    client.cookies = SimpleCookie(cookies)
    return client.post(action, fields)


def is_receipt(response) -> bool:
    return response.status_code == 200 and 'id="receipt-code"' in response.content.decode()


def is_already_voted(response, kind: str) -> bool:
    text = "Met deze volmacht is al gestemd" if kind == "proxy" else "al gestemd"
    return response.status_code == 302 and any(text in m for m in error_messages(response))


def check_counted_once(ballot) -> None:
    assert Participation.objects.filter(ballot=ballot).count() == 1
    rows = PendingVote.objects.filter(ballot=ballot).count()
    rows += Vote.objects.filter(ballot=ballot).count()
    assert rows == 1
    ballot = services.close_ballot(ballot, notify=False)
    assert ballot.final_result["turnout"]["count"] == 1
    assert verify_ballot(ballot).ok
    out = io.StringIO()
    call_command("verify_ledger", str(ballot.pk), stdout=out)
    assert "in orde" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["secret", "named", "proxy"])
def test_a_replayed_confirm_post_does_not_vote_twice(kind):
    ballot, browser, action, fields = make_scene(kind)
    first = browser.post(action, fields)
    assert is_receipt(first)
    for _ in range(2):  # the same bytes, the same cookies: a replay
        again = replay(browser.cookies, action, fields)
        assert is_already_voted(again, kind), (again.status_code, error_messages(again))
    check_counted_once(ballot)


@pytest.mark.django_db
def test_with_vote_change_a_replay_replaces_the_vote_and_it_still_counts_once():
    region = RegionFactory()
    anna = member(region=region)
    member(region=region)
    ballot = open_ballot(secrecy="named", vote_change_allowed=True)
    browser = Client()
    browser.force_login(anna)
    fields = {"step": "cast", "choice": str(choice(ballot, "Voor").pk)}
    url = reverse("ballots:vote", args=[ballot.pk])
    assert is_receipt(browser.post(url, fields)) and is_receipt(browser.post(url, fields))
    assert Vote.objects.filter(ballot=ballot, withdrawn=False).count() == 1
    ballot = services.close_ballot(ballot, notify=False)
    assert ballot.final_result["turnout"]["count"] == 1 and verify_ballot(ballot).ok


@only_on("postgresql")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["secret", "named", "proxy"])
def test_ten_simultaneous_replays_store_one_vote(kind):
    ballot, browser, action, fields = make_scene(kind)
    cookies = SimpleCookie(browser.cookies)
    results = run_at_once([lambda: replay(cookies, action, fields)] * 10)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    receipts = [r for r in results if is_receipt(r)]
    refused = [r for r in results if is_already_voted(r, kind)]
    assert len(receipts) == 1 and len(refused) == 9, [r.status_code for r in results]
    check_counted_once(ballot)
