"""The live pages (issue #6): the member's live block on a ballot page, the board's live
dashboard and the hall's projector, server-rendered (static/js/live.js takes over in the
browser; tests/e2e/test_live.py drives that)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ballots import services
from tests.ballots.test_pages import board_client
from tests.factories import (
    BallotFactory,
    RegionFactory,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db


def text_of(html: str, field: str) -> str:
    """The server-rendered text of the first data-live-field="<field>" element."""
    match = re.search(rf'data-live-field="{field}">([^<]*)<', html)
    assert match, f"no data-live-field={field!r} in the page"
    return match.group(1)


def part_hidden(html: str, part: str) -> bool:
    match = re.search(rf'<[^>]*data-live-part="{part}"[^>]*>', html)
    assert match, f"no data-live-part={part!r} in the page"
    return " hidden" in match.group(0)


@pytest.mark.parametrize("name", ["ballots:live_dashboard", "ballots:projector"])
def test_live_board_pages_need_the_board_with_a_second_factor(client, region, name):
    voter = member(region=region)
    ballot = open_ballot()
    url = reverse(name, args=[ballot.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))

    client.force_login(voter)
    assert client.get(url).status_code == 403

    assert board_client(client).get(url).status_code == 200


def test_live_pages_of_a_draft_do_not_exist(client):
    draft = BallotFactory()
    client = board_client(client)
    assert client.get(reverse("ballots:live_dashboard", args=[draft.pk])).status_code == 404
    assert client.get(reverse("ballots:projector", args=[draft.pk])).status_code == 404


def test_dashboard_shows_turnout_per_region_and_the_board_tally(client, region):
    voters = [member(region=region) for _ in range(3)]
    member(region=RegionFactory(code="zeeland", name="Zeeland"))
    ballot = open_ballot(result_visibility="board", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    client = board_client(client)

    html = client.get(reverse("ballots:live_dashboard", args=[ballot.pk])).content.decode()

    assert text_of(html, "turnout-count") == "1"
    assert text_of(html, "turnout-electorate") == "4"  # the board member came later
    assert text_of(html, "turnout-percent") == "25"
    assert f'data-live-ws="/ws/ballots/{ballot.pk}/live/"' in html
    assert f'data-live-poll="/api/ballots/{ballot.pk}/live"' in html
    # Turnout per region, in a table, with the numbers as text.
    assert not part_hidden(html, "regions")
    assert re.search(
        r'data-live-field="region-name">Utrecht</th><td class="num" data-live-field='
        r'"region-electorate">3</td><td class="num" data-live-field="region-count">1</td>',
        html,
    )
    assert "Zeeland" in html
    # The rule shows the board the tally while open.
    assert not part_hidden(html, "tally")
    assert re.search(r'>Voor</th><td class="num" data-live-field="choice-votes">1<', html)
    assert part_hidden(html, "counting")  # open: not being counted
    assert reverse("ballots:projector", args=[ballot.pk]) in html
    assert "<script>" not in html  # CSP: scripts come from static files only
    assert '<script src="/static/js/live.js">' in html


def test_projector_shows_only_what_members_see(client, region):
    voter = member(region=region)
    ballot = open_ballot(result_visibility="board", secrecy="named")
    services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    client = board_client(client)

    html = client.get(reverse("ballots:projector", args=[ballot.pk])).content.decode()

    assert f'data-live-ws="/ws/ballots/{ballot.pk}/live/?audience=public"' in html
    assert f'data-live-poll="/api/ballots/{ballot.pk}/live?audience=public"' in html
    assert text_of(html, "question") == ballot.question
    assert text_of(html, "turnout-count") == "1"
    assert part_hidden(html, "tally")  # board-only tally: never on the beamer
    assert 'data-live-field="choice-votes">' not in html.split("<template")[0]
    assert not part_hidden(html, "tally-hidden")
    assert 'data-live-part="regions"' not in html
    assert "site-header" not in html  # its own minimal page
    assert "/static/css/projector.css" in html
    assert "Volledig scherm" in html


def test_projector_shows_the_result_and_outcome_after_closing(client, region):
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot(question="Tekent de vereniging het akkoord?")
    for voter, label in zip(voters, ["Voor", "Voor", "Tegen"], strict=True):
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, label).pk)
    services.close_ballot(ballot)
    client = board_client(client)

    html = client.get(reverse("ballots:projector", args=[ballot.pk])).content.decode()

    assert not part_hidden(html, "tally")
    assert not part_hidden(html, "outcome")
    assert text_of(html, "outcome").startswith("Aangenomen")
    assert 'data-live-field="choice-votes">2<' in html
    assert 'data-live-field="choice-percent">66,7<' in html
    assert 'data-live-outcome="1"' in html


def test_ballot_page_has_a_live_block_with_the_current_turnout(client, region):
    voters = [member(region=region) for _ in range(4)]
    ballot = open_ballot(result_visibility="closed")
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    client.force_login(voters[1])

    html = client.get(ballot.get_absolute_url()).content.decode()

    assert text_of(html, "turnout-count") == "1"
    assert text_of(html, "turnout-electorate") == "4"
    assert re.search(r'<meter[^>]*data-live-meter="turnout"[^>]*max="4" value="1"', html)
    assert part_hidden(html, "tally")
    assert not part_hidden(html, "tally-hidden")
    assert 'aria-live="polite"' in html
    assert "data-countdown" in html
    assert '<script src="/static/js/live.js">' in html
    # The member view: no turnout per region, no board links.
    assert 'data-live-part="regions"' not in html
    assert reverse("ballots:live_dashboard", args=[ballot.pk]) not in html


def test_manage_page_links_to_the_live_pages(client, region):
    member(region=region)
    ballot = open_ballot()
    html = board_client(client).get(reverse("ballots:manage", args=[ballot.pk])).content.decode()
    assert reverse("ballots:live_dashboard", args=[ballot.pk]) in html
    assert reverse("ballots:projector", args=[ballot.pk]) in html


def test_live_texts_follow_the_chosen_language(client, region):
    member(region=region)
    ballot = open_ballot()
    client = board_client(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get(reverse("ballots:projector", args=[ballot.pk])).content.decode()

    assert '<html lang="en">' in html
    assert "Full screen" in html and "Turnout" in html
    # The texts live.js shows come from the page, translated.
    assert 'data-text-state-polling="updated every few seconds"' in html
    assert 'data-text-announce-turnout="Turnout: {count} of {total}, {percent} per cent."' in html
    assert "Volledig scherm" not in html


def test_a_scheduled_ballot_shows_no_turnout_yet(client, region):
    anna = member(region=region)
    now = timezone.now()
    ballot = services.schedule_ballot(
        BallotFactory(opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1))
    )
    client.force_login(anna)

    html = client.get(ballot.get_absolute_url()).content.decode()

    assert text_of(html, "status") == "gepland"
    assert part_hidden(html, "started")  # no electorate until it opens
    assert part_hidden(html, "open")
