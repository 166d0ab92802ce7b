"""Board forms outside the brief's list that the abuse tests found a 500 in."""

import pytest
from django.urls import reverse
from hypothesis import given

from tests.abuse.helpers import db_state, fuzz_settings, post_form
from tests.abuse.strategies import ARBITRARY
from tests.factories import RegionFactory, add_totp, board_member, member, open_ballot

pytestmark = pytest.mark.django_db


def test_attendance_with_arbitrary_elector_ids_is_404_and_changes_nothing(client):
    member(region=RegionFactory())
    ballot = open_ballot(attendance_required=True)
    board = board_member()
    add_totp(board)
    client.force_login(board)
    url = reverse("ballots:attendance", args=[ballot.pk])
    real = {str(pk) for pk in ballot.electors.values_list("pk", flat=True)}

    @fuzz_settings(40)
    @given(elector=ARBITRARY.filter(lambda value: value not in real), present=ARBITRARY)
    def run(elector, present):
        before = db_state()
        response = post_form(client, url, {"elector": elector, "present": present})
        assert response.status_code == 404, response.status_code
        assert db_state() == before

    run()
