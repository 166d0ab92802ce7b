"""The site shell's header and footer (templates/_site_header.html, _site_footer.html), stored
once per process for every kind of page they can show (config.stored_parts).

Every page carries them: the menu and the language form (a dozen translations, eight URL
reversals, the list of languages) cost about 1 ms of CPU per page, and a member loads four
pages to vote (issue #18). What differs between pages is small and known: the language,
whether someone is logged in, whether they are on the board, which menu item is the current
page; the CSRF token and the page's path are filled in per request.
"""

from functools import cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from config import stored_parts

register = template.Library()

MENU = ("faq:index", "faq:positions", "ballots:index")


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    return _part("_site_header.html", context)


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    return _part("_site_footer.html", context)


def _part(name: str, context) -> str:
    request = context.get("request")
    user = context.get("user")
    language = get_language()
    authenticated = bool(user and user.is_authenticated)
    board = bool(context.get("user_is_board"))
    current = _current_menu_item(request.path) if request is not None else ""
    html = stored_parts.part(
        ("shell", name, language, authenticated, board, current),
        None,
        lambda: render_to_string(
            name,
            {
                "association_name": settings.ASSOCIATION_NAME,
                "LANGUAGE_CODE": language,
                "authenticated": authenticated,
                "user_is_board": board,
                "current": current,
                "csrf_token": stored_parts.CSRF_MARK,
                "next_path": stored_parts.PATH_MARK,
            },
        ),
    )
    return stored_parts.fill(html, context)


def _current_menu_item(path: str) -> str:
    return _menu_paths(get_script_prefix()).get(path, "")


@cache
def _menu_paths(script_prefix: str) -> dict[str, str]:
    return {reverse(name): name for name in MENU}
