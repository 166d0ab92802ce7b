"""Search on the embedded default (issue #16, item 10): Dutch word forms meet, snippets are
plain text, and a search without results suggests asking the question."""

import pytest
from django.urls import reverse

from faq.search import search
from tests.conftest import only_on
from tests.factories import QuestionFactory, member

pytestmark = pytest.mark.django_db


class Anonymous:
    is_authenticated = False


@only_on("sqlite")
@pytest.mark.parametrize("query", ["ondertekenen", "ondertekend", "Ondertekening"])
def test_other_forms_of_a_dutch_verb_are_found(query):
    QuestionFactory(question="Wat doet de vereniging?", answer="De vereniging ondertekent niet.")
    assert [hit.title.split(". ", 1)[1] for hit in search(query, user=Anonymous())] == [
        "Wat doet de vereniging?"
    ]


@only_on("sqlite")
def test_plural_and_singular_meet():
    QuestionFactory(question="Wie?", answer="Alle huisartsen in de regio.")
    assert search("huisarts", user=Anonymous())
    QuestionFactory(question="Wat?", answer="De huisarts beslist.")
    assert len(search("huisartsen", user=Anonymous())) == 2


def test_unrelated_words_do_not_match():
    QuestionFactory(question="Iets?", answer="De zorgverzekeraar betaalt.")
    assert search("ondertekenen", user=Anonymous()) == []


def test_snippets_show_no_markdown():
    QuestionFactory(
        question="Spoed?",
        answer="Over **spoedzorg** en [de regels](https://example.nl) leest u meer[^1].\n\n"
        "[^1]: Bijlage 3.",
    )
    [hit] = search("spoedzorg", user=Anonymous())
    assert "**" not in hit.snippet and "[^1]" not in hit.snippet and "](" not in hit.snippet
    assert "spoedzorg" in hit.snippet and "de regels" in hit.snippet


def test_no_results_suggests_asking_members_and_logging_in_visitors(client):
    html = client.get(reverse("faq:search"), {"q": "onvindbaarwoord"}).content.decode()
    assert "0 resultaten" in html and reverse("account_login") in html
    client.force_login(member())
    html = client.get(reverse("faq:search"), {"q": "onvindbaarwoord"}).content.decode()
    assert f'href="{reverse("faq:ask")}?tekst=onvindbaarwoord"' in html
