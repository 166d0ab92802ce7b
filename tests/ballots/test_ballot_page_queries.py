"""The ballot page at an assembly (issue #18): a member's page loads no permissions; the board
still gets its links."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import add_totp, board_member, member, open_ballot

pytestmark = pytest.mark.django_db


def test_a_members_ballot_page_reads_no_permissions(client):
    voter = member()
    ballot = open_ballot()
    client.force_login(voter)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(ballot.get_absolute_url())
    assert page.status_code == 200
    assert 'name="choice"' in page.text
    assert reverse("ballots:manage", args=[ballot.pk]) not in page.text
    assert not [q["sql"] for q in queries if "auth_permission" in q["sql"]]
    # Proxies given and held in one query; the live block trusts the ballot just read.
    assert len([q for q in queries if 'FROM "ballots_proxy"' in q["sql"]]) == 1
    assert not [q for q in queries if q["sql"].startswith('SELECT 1 AS "a" FROM "ballots_ballot"')]


def test_the_board_still_sees_its_links(client):
    chair = board_member()
    add_totp(chair)
    ballot = open_ballot()
    client.force_login(chair)
    page = client.get(ballot.get_absolute_url())
    assert reverse("ballots:manage", args=[ballot.pk]) in page.text


def test_the_review_step_reads_the_choices_once(client):
    voter = member()
    ballot = open_ballot()
    client.force_login(voter)
    chosen = ballot.choices.get(label="Tegen")
    with CaptureQueriesContext(connection) as queries:
        review = client.post(
            reverse("ballots:vote", args=[ballot.pk]), {"step": "review", "choice": chosen.pk}
        )
    assert review.status_code == 200 and "Tegen" in review.text
    assert len([q for q in queries if 'FROM "ballots_choice"' in q["sql"]]) == 1
