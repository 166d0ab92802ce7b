"""Weight splitting on the vote form (issue #16, item 6): a wrong sum keeps what was typed,
a split and a single choice together are refused instead of the split silently winning."""

import pytest
from django.urls import reverse

from ballots.models import Participation
from tests.factories import MandateFactory, add_totp, choice, open_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def splitting(client, region):
    ambassador = MandateFactory(region=region, weight=300).user
    add_totp(ambassador)
    ballot = open_ballot(electorate="ambassadors", secrecy="named", vote_splitting=True)
    client.force_login(ambassador)
    return ballot


def post(client, ballot, data):
    return client.post(reverse("ballots:vote", args=[ballot.pk]), {"step": "review", **data})


def test_a_wrong_sum_keeps_the_typed_weights_and_says_why(client, splitting):
    ballot = splitting
    voor, tegen = choice(ballot, "Voor").pk, choice(ballot, "Tegen").pk
    response = post(client, ballot, {f"part_{voor}": "200", f"part_{tegen}": "50"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "precies uw stemgewicht (300)" in html and 'role="alert"' in html
    assert f'name="part_{voor}" value="200"' in html and f'name="part_{tegen}" value="50"' in html
    assert not Participation.objects.filter(ballot=ballot).exists()


def test_a_choice_and_a_split_together_are_refused(client, splitting):
    ballot = splitting
    voor, tegen = choice(ballot, "Voor").pk, choice(ballot, "Tegen").pk
    response = post(
        client, ballot, {"choice": str(tegen), f"part_{voor}": "200", f"part_{tegen}": "100"}
    )
    assert response.status_code == 400
    assert "niet allebei" in response.content.decode()


def test_a_correct_split_goes_to_the_confirmation(client, splitting):
    ballot = splitting
    voor, tegen = choice(ballot, "Voor").pk, choice(ballot, "Tegen").pk
    response = post(client, ballot, {f"part_{voor}": "200", f"part_{tegen}": "100"})
    assert response.status_code == 200 and "Bevestig mijn stem" in response.content.decode()


def test_the_form_carries_the_counter_and_its_script(client, splitting):
    html = client.get(splitting.get_absolute_url()).content.decode()
    assert 'data-split-weight="300"' in html and "data-split-remaining" in html
    assert "js/split.js" in html
