"""A ballot's live block stored per state (ballots.templatetags.live_block on
config.stored_parts): the block as rendered fresh, the next state after a vote, and the
board's block (with the interim tally the board may see) never on a member's page."""

import re
import time

import pytest

from ballots import services
from config import stored_parts
from tests.factories import add_totp, board_member, choice, member, open_ballot

pytestmark = pytest.mark.django_db


def _block(html: str) -> str:
    start = html.index('<section class="card live"')
    return html[start : html.index("</section>", start)]


def _count(block: str) -> int:
    return int(re.search(r'data-live-field="turnout-count">(\d+)<', block).group(1))


def test_a_stored_block_is_the_block_rendered_fresh_and_follows_each_vote(client, region, settings):
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot(secrecy="named", result_visibility="everyone")
    client.force_login(anna)
    first = _block(client.get(ballot.get_absolute_url()).content.decode())
    assert any(slot[0] == "live" for slot in stored_parts._slots)
    stored = _block(client.get(ballot.get_absolute_url()).content.decode())
    stored_parts.forget_all()
    fresh = _block(client.get(ballot.get_absolute_url()).content.decode())
    assert first == stored == fresh and _count(fresh) == 0
    assert stored_parts.PATH_MARK not in fresh
    assert f'href="{ballot.get_absolute_url()}"' in fresh  # "Vernieuw de pagina": this page

    # A vote reaches a page once the process's state is older than an update interval
    # (ballots.live.marks.announce): here a millisecond.
    settings.LIVE_UPDATES_PER_SECOND = 1000
    services.cast_vote(ballot_id=ballot.pk, user=bert, choice=choice(ballot, "Voor").pk)
    time.sleep(0.01)
    after = _block(client.get(ballot.get_absolute_url()).content.decode())
    assert _count(after) == 1 and "Voor" in after


def test_the_boards_block_never_reaches_a_members_page(client, region):
    """With the interim tally visible to the board only, a board member's page (the board
    audience) and a member's page of the same state are stored apart."""
    chair = board_member(region=region)
    add_totp(chair)
    voter = member(region=region)
    ballot = open_ballot(secrecy="named", result_visibility="board")
    services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Tegen").pk)

    client.force_login(chair)
    board_block = _block(client.get(ballot.get_absolute_url()).content.decode())
    client.force_login(voter)
    member_block = _block(client.get(ballot.get_absolute_url()).content.decode())
    assert 'data-live-list="choices"><tr' in board_block.replace("\n", "")
    assert 'data-live-part="tally" hidden' in member_block
    assert "Tegen" not in member_block.split('data-live-template="choices"')[0]
