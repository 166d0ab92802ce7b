"""A ballot's live block (templates/ballots/_live.html) stored per state of the ballot
(config.stored_parts).

Every elector opens the ballot page when an assembly votes, and the block (turnout, the tally
where it may be shown, its texts for static/js/live.js) cost about 1 ms of CPU per page
(issue #18) while it changes only with the ballot's live state, which each process reads at
most once per update interval (ballots.live.snapshot.recent_state). The stored block is that
state's: its version, the audience it was read for (the frame's contents) and the socket URL
are in the slot or the version, so another state, audience or socket never gets it.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from config import stored_parts

register = template.Library()


@register.simple_tag(takes_context=True)
def live_block(context, ballot, live, show_regions=False, show_changed=False) -> str:
    state = live["state"]
    html = stored_parts.part(
        (
            "live",
            ballot.pk,
            state["audience"],
            live["ws_url"],
            get_language(),
            bool(show_regions),
            bool(show_changed),
        ),
        (state["version"], ballot.closes_at),
        lambda: render_to_string(
            "ballots/_live.html",
            {
                "ballot": ballot,
                "live": live,
                "show_regions": show_regions,
                "show_changed": show_changed,
                "page_path": stored_parts.PATH_MARK,
            },
        ),
    )
    return stored_parts.fill(html, context)
