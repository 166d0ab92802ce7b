"""The site shell's header and footer (templates/_site_header.html, _site_footer.html): each
rendered once per process for every kind of page it can show, then filled in per request.

Every page carries them, and when an assembly votes every member loads four pages within the
minute: the menu and the language form (a dozen translations, eight URL reversals, the list
of languages) cost about 1 ms of CPU per page, a quarter of the templates' time per vote
(issue #18). What differs between pages is small and known: the language, whether someone is
logged in, whether they are on the board, which menu item is the current page. The CSRF token
and the page's own path differ per request: the stored part carries marks in their place,
replaced per request by the token and the escaped path, as the template would have written
them.

Kept in this process's memory, without expiry: a part depends only on the templates, the
translations, the URL configuration and the settings, which change only with a new release
(a restart). At most 2 parts x 2 languages x 2 x 2 x 4 menu states are ever stored.
"""

from functools import cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Letters and digits only, so escaping leaves them as they are; nothing a page shows contains
# them (a test renders every page).
CSRF_MARK = "shellCsrfMark7q3v"
PATH_MARK = "shellPathMark7q3v"
CSRF_FIELD = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_MARK}">'
MENU = ("faq:index", "faq:positions", "ballots:index")

_parts: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    return _part("_site_header.html", context)


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    return _part("_site_footer.html", context)


def _part(name: str, context) -> str:
    request = context.get("request")
    user = context.get("user")
    key = (
        name,
        get_language(),
        bool(user and user.is_authenticated),
        bool(context.get("user_is_board")),
        _current_menu_item(request.path) if request is not None else "",
    )
    html = _parts.get(key)
    if html is None:
        html = _parts[key] = render_to_string(
            name,
            {
                "association_name": settings.ASSOCIATION_NAME,
                "LANGUAGE_CODE": key[1],
                "authenticated": key[2],
                "user_is_board": key[3],
                "current": key[4],
                "csrf_token": CSRF_MARK,
                "next_path": PATH_MARK,
            },
        )
    if CSRF_MARK in html:
        # As {% csrf_token %} does: the request's token (asking for it has the cookie set),
        # or no field at all where the page was rendered without one.
        token = context.get("csrf_token")
        if token and token != "NOTPROVIDED":
            html = html.replace(CSRF_MARK, escape(token))
        else:
            html = html.replace(CSRF_FIELD, "")
    if PATH_MARK in html:
        html = html.replace(PATH_MARK, escape(request.get_full_path()) if request else "")
    return mark_safe(html)


def _current_menu_item(path: str) -> str:
    return _menu_paths(get_script_prefix()).get(path, "")


@cache
def _menu_paths(script_prefix: str) -> dict[str, str]:
    return {reverse(name): name for name in MENU}
