"""The attendance list (issue #16, item 11): search, counts, and back to the same row."""

import pytest
from django.urls import reverse

from ballots.models import Elector
from tests.factories import RegionFactory, add_totp, board_member, member, open_ballot

pytestmark = pytest.mark.django_db


def test_search_counts_and_the_answer_returns_to_the_row(client):
    region = RegionFactory(name="Utrecht")
    member(region=region, user__full_name="Anna de Vries")
    member(region=region, user__full_name="Bert Bakker")
    ballot = open_ballot(attendance_required=True, secrecy="named")
    board = board_member(region=RegionFactory(name="Elders"))
    add_totp(board)
    client.force_login(board)
    url = reverse("ballots:attendance", args=[ballot.pk])
    html = client.get(url, {"q": "anna"}).content.decode()
    assert "Anna de Vries" in html and "Bert Bakker" not in html
    assert "0 van 2 kiesgerechtigden aanwezig" in html
    anna = Elector.objects.get(ballot=ballot, user__full_name="Anna de Vries")
    response = client.post(url, {"elector": anna.pk, "present": "1", "q": "anna"})
    assert response["Location"] == f"{url}?q=anna#elector-{anna.pk}"
    assert "1 van 2 kiesgerechtigden aanwezig" in client.get(url).content.decode()
