"""Errors in the site's own look: 403, 404, an expired form, and 500 (which needs nothing
that may have failed: no database, no request context). And the favicon browsers ask for."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import path, reverse

from config.views import server_error
from tests.factories import member

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("something broke")


# This module is also the URLconf of the 500 test: one view that fails, Django's handler.
urlpatterns = [path("boom/", boom)]
handler500 = "config.views.server_error"


def test_missing_page_is_the_sites_own_404(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html and "Deze pagina bestaat niet" in html
    assert 'href="/accounts/login/?next=/bestaat-niet/"' in html  # members may log in first


def test_forbidden_page_is_the_sites_own_403(client):
    """It was Django's bare "403 Forbidden"."""
    client.force_login(member())
    response = client.get(reverse("members:board"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "U heeft geen toegang tot deze pagina" in html


def test_expired_form_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    client.force_login(member())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html and "Dit formulier is verlopen" in html
    assert "CSRF" not in html


@pytest.mark.django_db(databases=[])
def test_server_error_page_needs_no_database_and_looks_like_the_site(rf, settings):
    """No database access is allowed in this test: the page must render anyway."""
    settings.ASSOCIATION_NAME = "Vereniging van Huisartsen Test"
    response = server_error(rf.get("/stemmingen/1/stemmen/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="site-header"' in html and 'href="/static/css/site.css"' in html
    assert "Vereniging van Huisartsen Test" in html
    assert "misschien wel en misschien niet" in html and "a vote counts only once" in html


@pytest.mark.urls("tests.test_error_pages")
def test_an_unhandled_error_shows_the_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


def test_favicon_is_linked_and_answers(client):
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in (
        client.get("/").content.decode()
    )
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")
