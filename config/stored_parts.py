"""Parts of pages rendered once per process and filled in per request (issue #18).

When an assembly votes, every member loads four pages within the minute, and parts of them
are the same for everyone who sees them: the site's header and footer (per language and kind
of user), a ballot's live block (per state of the ballot). Such a part is rendered once and
kept in this process's memory; what differs per request is written in the stored part as a
mark and replaced when the page is served: the CSRF token and the page's own path, escaped as
the template would have written them.

A slot holds one part at a time: a part that depends on changing data (a live block on the
ballot's state) names the data's version, and a new version replaces the old part. Nothing
expires otherwise: a part depends only on the templates, the translations, the URLs and the
settings besides its slot and version, and those change only with a new release (a restart).
"""

import threading

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Letters and digits only, so escaping leaves them as they are.
CSRF_MARK = "storedPartCsrf7q3v"
PATH_MARK = "storedPartPath7q3v"
CSRF_FIELD = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_MARK}">'
MAX_SLOTS = 2000  # far above what a site has (shell: 64; live blocks: ballots x audiences)

_slots: dict[tuple, tuple[object, str]] = {}
_lock = threading.Lock()


def part(slot: tuple, version, render) -> str:
    """The stored part of `slot` at `version`, or render()'s value, stored (render with the
    marks where the token and the path go)."""
    stored = _slots.get(slot)
    if stored is not None and stored[0] == version:
        return stored[1]
    html = render()
    with _lock:
        if len(_slots) >= MAX_SLOTS:
            _slots.clear()
        _slots[slot] = (version, html)
    return html


def fill(html: str, context) -> SafeString:
    """The part for this request: its CSRF token (asking for it has the cookie set, as
    {% csrf_token %} does; no field where the page has none) and its path."""
    if CSRF_MARK in html:
        token = context.get("csrf_token")
        if token and token != "NOTPROVIDED":
            html = html.replace(CSRF_MARK, escape(token))
        else:
            html = html.replace(CSRF_FIELD, "")
    if PATH_MARK in html:
        request = context.get("request")
        html = html.replace(PATH_MARK, escape(request.get_full_path()) if request else "")
    return mark_safe(html)


def forget_all() -> None:
    """For tests: start from nothing stored."""
    with _lock:
        _slots.clear()
