"""The site shell's header and footer, rendered once per kind of page and filled in per request
(members.templatetags.site_shell on config.stored_parts): the same HTML as rendering them
fresh, the request's own CSRF token and path in every copy, and never one user's kind of menu
in another's page."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config import stored_parts
from tests.factories import add_totp, board_member, member

pytestmark = pytest.mark.django_db


def _shell(html: str) -> str:
    """The header and the footer of a page."""
    header = html[html.index('<a class="skip-link"') : html.index("</header>")]
    footer = html[html.index('<footer class="site-footer">') : html.index("</footer>")]
    return header + footer


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_a_stored_shell_is_the_shell_rendered_fresh_with_this_requests_token(client):
    client.force_login(member())
    first = client.get(reverse("faq:index")).content.decode()
    assert stored_parts._slots  # stored
    second = client.get(reverse("faq:index")).content.decode()
    stored_parts.forget_all()
    fresh = client.get(reverse("faq:index")).content.decode()

    def without_tokens(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", _shell(html))

    assert without_tokens(first) == without_tokens(second) == without_tokens(fresh)
    for page in (first, second, fresh):
        tokens = _tokens(_shell(page))
        assert len(tokens) == 2 and stored_parts.CSRF_MARK not in page  # logout + language
        assert stored_parts.PATH_MARK not in page


def test_the_shells_token_logs_out_and_its_form_keeps_the_page(client):
    """The token filled in is the request's: the logout form works with CSRF checks on."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member())
    browser.get(reverse("home"))  # another page first: its shell is stored
    page = browser.get(reverse("ballots:index")).content.decode()
    token = _tokens(_shell(page))[0]
    response = browser.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert browser.get(reverse("ballots:index")).status_code == 302  # logged out: to login


def test_the_language_forms_next_is_this_pages_path_escaped(client):
    """As the template writes it: the page's own path and query, escaped."""
    hostile = {"q": '"><script>x</script>'}
    client.get(reverse("faq:search"), {"q": "eerste"})  # its footer is the one stored

    def footer(html):
        return html[html.index('<footer class="site-footer">') :]

    stored = footer(client.get(reverse("faq:search"), hostile).content.decode())
    stored_parts.forget_all()
    fresh = footer(client.get(reverse("faq:search"), hostile).content.decode())
    assert re.findall(r'name="next" type="hidden" value="([^"]+)"', stored) == re.findall(
        r'name="next" type="hidden" value="([^"]+)"', fresh
    )
    assert "/faq/zoeken/?q=" in stored and "<script>x" not in stored and "eerste" not in stored


def test_the_current_menu_item_is_marked_on_its_own_page_only(client):
    client.force_login(member())
    for name in ("faq:index", "faq:positions", "ballots:index", "home"):
        header = _shell(client.get(reverse(name)).content.decode())
        current = re.findall(r'<a href="([^"]+)" aria-current="page"', header)
        assert current == ([] if name == "home" else [reverse(name)])


def test_a_board_members_menu_never_reaches_a_member_or_a_visitor(client):
    chair = board_member()
    add_totp(chair)
    client.force_login(chair)
    assert reverse("members:board") in client.get(reverse("home")).content.decode()

    client.logout()
    visitor = client.get(reverse("home")).content.decode()
    client.force_login(member())
    ordinary = client.get(reverse("home")).content.decode()
    for page in (visitor, ordinary):
        assert reverse("members:board") not in _shell(page)
    assert reverse("account_login") in _shell(visitor) and "Uitloggen" not in visitor
    assert "Uitloggen" in _shell(ordinary)


def test_each_language_has_its_own_shell(client):
    client.force_login(member())
    dutch = _shell(client.get(reverse("home")).content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _shell(client.get(reverse("home")).content.decode())
    assert "Uitloggen" in dutch and "Uitloggen" not in english
    assert '<option value="en" selected>' in english and '<option value="nl" selected>' in dutch
