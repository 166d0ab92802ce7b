"""Parts of pages made only of the FAQ (a question page's body, the home page's latest
answers), rendered once per audience and language and kept in the shared cache (issue #18: at
an assembly thousands of members read the same few answers; a question page's body cost three
queries and most of the page's template time).

Every stored part carries the FAQ's generation, a token that changes after any change to what
a body shows (a question, its topic, a position paper, the links between them, a revision)
has been committed; a part of another generation is not used. The generation changes on
commit, not on save: a reader that rendered from the data before the change holds the old
token, and one that reads the new token sees the committed data.

Only with a cache every process shares (Redis: settings.FAQ_PAGE_CACHE): a copy in one
process's memory would not see a change made in another (the worker, a management command).
When the cache cannot be reached the body is rendered as if there were none; a change made
while it was unreachable cannot reach the stored bodies, so they expire after PART_SECONDS.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "faq.pages.generation"
PART_SECONDS = 300


def enabled() -> bool:
    return settings.FAQ_PAGE_CACHE


def part(name: str, *, audience: str, language: str, render):
    """The cached part `name` (a question page's body: "question.<pk>"; the home page's list:
    "latest") for this audience ("members" or "public") and language, or `render()`'s value
    after storing it. `render` may raise (Http404 for a question the audience may not see):
    nothing is stored then."""
    if not enabled():
        return render()
    key = f"faq.pages.{name}.{audience}.{language}"
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:
        logger.warning("FAQ page cache unreachable; rendering the page")
        return render()
    generation = found.get(GENERATION_KEY)
    stored = found.get(key)
    if generation is not None and stored is not None and stored[0] == generation:
        return stored[1]
    try:
        # Before rendering: a token made afterwards could be one a change committed during
        # the rendering had already set, and the older rendering would carry it.
        generation = generation or _new_generation(replace=False)
    except Exception:
        logger.warning("FAQ page cache unreachable; rendering the page")
        return render()
    fresh = render()
    try:
        cache.set(key, (generation, fresh), PART_SECONDS)
    except Exception:
        logger.warning("FAQ page cache unreachable; the part was not stored")
    return fresh


def audience_of(user) -> str:
    """Members see members-only items; every member sees the same."""
    return "members" if user.is_authenticated else "public"


def changed() -> None:
    """Something a FAQ page shows changed: a new generation once the transaction commits."""
    if enabled():
        transaction.on_commit(_start_new_generation)


def _start_new_generation() -> None:
    try:
        _new_generation(replace=True)
    except Exception:
        logger.error(
            "FAQ page cache unreachable: a change could not retire the stored parts; they "
            "expire within %s s",
            PART_SECONDS,
        )


def _new_generation(*, replace: bool) -> str:
    token = secrets.token_hex(8)
    if replace:
        cache.set(GENERATION_KEY, token, None)
        return token
    # Two first readers at once: one token wins, and both use the winner.
    if cache.add(GENERATION_KEY, token, None):
        return token
    return cache.get(GENERATION_KEY) or token
