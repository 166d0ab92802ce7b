"""The site shell: pages answer, in Dutch, accessibly, with safe Markdown."""

import pytest
from django.urls import reverse

from faq.markdown import render_markdown
from faq.models import Question, Status, Topic, Visibility
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq():
    topic = Topic.objects.create(name="Het akkoord", slug="akkoord")
    public = Question.objects.create(
        topic=topic,
        label="A",
        question="Openbare vraag?",
        answer="Antwoord.",
        status=Status.PUBLISHED,
    )
    members_only = Question.objects.create(
        topic=topic,
        label="B",
        question="Ledenvraag?",
        answer="Alleen voor leden.",
        status=Status.PUBLISHED,
        visibility=Visibility.MEMBERS,
    )
    draft = Question.objects.create(topic=topic, label="C", question="Concept?", answer="x")
    return public, members_only, draft


@pytest.mark.parametrize("url", ["/", "/faq/", "/faq/standpunten/", "/accounts/login/", "/healthz"])
def test_public_pages_answer(client, url):
    assert client.get(url).status_code == 200


def test_ballot_pages_ask_anonymous_visitors_to_log_in(client):
    response = client.get("/stemmingen/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_shell_is_dutch_with_navigation_and_skip_link(client):
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
    assert 'class="skip-link" href="#main"' in html
    for label in ("FAQ", "Standpunten", "Stemmingen", "Inloggen"):
        assert f">{label}</a>" in html
    assert 'name="viewport"' in html


def test_english_is_the_second_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


def test_home_shows_latest_faq_changes_and_no_open_ballots(client, faq):
    client.force_login(member())
    html = client.get("/").content.decode()
    assert "Er staan op dit moment geen stemmingen open." in html
    assert "Openbare vraag?" in html and "Ledenvraag?" in html
    assert "Concept?" not in html


def test_anonymous_visitor_sees_public_questions_only(client, faq):
    _public, members_only, draft = faq
    html = client.get("/faq/").content.decode()
    assert "Openbare vraag?" in html and "Ledenvraag?" not in html
    # A members-only answer asks the visitor to log in; a draft does not exist for them.
    assert client.get(reverse("faq:question", args=[members_only.pk])).status_code == 302
    assert client.get(reverse("faq:question", args=[draft.pk])).status_code == 404


def test_markdown_is_sanitised():
    html = render_markdown(
        "Hallo <script>alert(1)</script> [klik](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> **vet**[^1]\n\n[^1]: Bron.'
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>vet</strong>" in html
    assert 'class="footnote' in html


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_dutch_is_the_default_whatever_the_browser_asks(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="nl">' in html


def test_server_error_page_tells_a_voter_what_to_do(rf):
    """Django's bare 'Server Error (500)' left a voter guessing whether the vote counted."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/stemmingen/1/stemmen/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "misschien wel en misschien niet" in html and "a vote counts only once" in html


def test_proxy_error_page_exists_where_nginx_looks_for_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    page = root / "static" / "errors" / "unavailable.html"
    assert "een stem telt maar één keer" in page.read_text()
    for conf in ("ledenstem.conf", "ledenstem.conf.template", "compose.conf.template"):
        text = (root / "platform" / "nginx" / conf).read_text()
        assert "error_page 502 503 504 /_errors/unavailable.html;" in text
        assert "static/errors/unavailable.html" in text or "}/errors/unavailable.html" in text
