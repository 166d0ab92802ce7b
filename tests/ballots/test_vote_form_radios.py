"""The ballot page writes its radio buttons itself (VoteForm.radio_options, for speed:
issue #18); they must stay exactly what Django's RadioSelect would write, in every state
the page shows them: new, refused with an error, chosen, for a proxy, and when the weight
may be split (then no choice is required)."""

import pytest

from ballots.forms import VoteForm
from tests.factories import BallotFactory

pytestmark = pytest.mark.django_db


def djangos_radios(form: VoteForm) -> list[tuple[str, str, str]]:
    return [(r.id_for_label, str(r.choice_label), str(r.tag())) for r in form["choice"]]


def ours(form: VoteForm) -> list[tuple[str, str, str]]:
    return [(o.id, str(o.label), str(o.tag)) for o in form.radio_options]


def forms_in_every_state(ballot):
    first = str(ballot.choices.first().pk)
    yield VoteForm(ballot=ballot, weight=3)
    yield VoteForm({"choice": "999999"}, ballot=ballot, weight=3)  # refused: not a choice
    yield VoteForm({}, ballot=ballot, weight=3)  # refused: nothing chosen
    yield VoteForm({"choice": first}, ballot=ballot, weight=3)
    yield VoteForm({"p7-choice": first}, ballot=ballot, weight=3, prefix="p7")
    yield VoteForm(ballot=ballot, weight=3, prefix="p7")


@pytest.mark.parametrize("splitting", [False, True], ids=["one-choice", "splitting"])
def test_written_out_radios_are_the_ones_django_writes(splitting):
    ballot = BallotFactory(
        vote_splitting=splitting,
        electorate="ambassadors" if splitting else "members",
        secrecy="named" if splitting else "secret",
    )
    ballot.choices.create(label='Ja, "met" <voorbehoud> & meer', order=9)
    for form in forms_in_every_state(ballot):
        if form.is_bound:
            form.is_valid()  # errors make Django mark every radio aria-invalid
        assert ours(form) == djangos_radios(form)


def test_the_ballot_page_shows_the_written_out_radios(client):
    from tests.factories import member, open_ballot

    user = member()
    ballot = open_ballot()
    client.force_login(user)
    page = client.get(ballot.get_absolute_url()).content.decode()
    for choice in ballot.choices.all():
        assert f'value="{choice.pk}"' in page
        assert f"{choice.label}</label>" in page
    assert page.count('type="radio" name="choice"') == ballot.choices.count()
