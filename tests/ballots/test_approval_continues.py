"""Approving continues by itself after the second-factor check (issue #16, item 9), and only
with the one-time token the CSRF-checked POST parked in this session."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from ballots import services
from tests.factories import RegionFactory, add_totp, board_member, choice, member, open_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_ballot():
    region = RegionFactory()
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot()
    for voter in voters:
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    return services.close_ballot(ballot)


@pytest.fixture
def approver(client):
    user = board_member()
    add_totp(user)
    client.force_login(user)
    return user


def park(client, ballot, monkeypatch, action="approve") -> str:
    monkeypatch.setattr("ballots.views_results.fresh_second_factor", lambda request: False)
    response = client.post(reverse("ballots:approve", args=[ballot.pk]), {"action": action})
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    back = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert back.startswith(reverse("ballots:approve", args=[ballot.pk]) + "?intent=")
    monkeypatch.setattr("ballots.views_results.fresh_second_factor", lambda request: True)
    return back


def test_the_approval_completes_on_return_from_the_second_factor(
    client, closed_ballot, approver, monkeypatch
):
    back = park(client, closed_ballot, monkeypatch)
    response = client.get(back)
    assert response.status_code == 302
    assert response["Location"] == reverse("ballots:results", args=[closed_ballot.pk])
    assert closed_ballot.approvals.filter(approver=approver, withdrawn_at=None).count() == 1


def test_the_token_works_once(client, closed_ballot, approver, monkeypatch):
    back = park(client, closed_ballot, monkeypatch, action="approve")
    client.get(back)
    again = client.get(back)
    assert again.status_code == 200  # the confirmation page, nothing done
    assert closed_ballot.approvals.filter(approver=approver, withdrawn_at=None).count() == 1


def test_a_forged_or_foreign_token_changes_nothing(client, closed_ballot, approver, monkeypatch):
    park(client, closed_ballot, monkeypatch)
    forged = reverse("ballots:approve", args=[closed_ballot.pk]) + "?intent=guessed"
    assert client.get(forged).status_code == 200
    assert not closed_ballot.approvals.exists()


def test_no_fresh_second_factor_on_return_changes_nothing(
    client, closed_ballot, approver, monkeypatch
):
    back = park(client, closed_ballot, monkeypatch)
    monkeypatch.setattr("ballots.views_results.fresh_second_factor", lambda request: False)
    assert client.get(back).status_code == 200
    assert not closed_ballot.approvals.exists()
