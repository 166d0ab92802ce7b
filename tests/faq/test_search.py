"""One search box, two backends: PostgreSQL full text (Dutch) and the SQLite fallback."""

import pytest
from django.db import connection
from django.urls import reverse

from faq.models import Status, Visibility
from faq.search import fold, search
from tests.conftest import only_on
from tests.factories import PositionPaperFactory, QuestionFactory, member

pytestmark = pytest.mark.django_db

on_postgres = only_on("postgresql")
on_sqlite = only_on("sqlite")


class Anonymous:
    is_authenticated = False


def titles(hits):
    return [hit.title for hit in hits]


def test_finds_questions_and_papers_by_word():
    QuestionFactory(
        label="A", question="Wat kost de praktijk?", answer="De praktijkkosten stijgen."
    )
    PositionPaperFactory(title="Over praktijkvoering", summary="De kosten van de praktijk.")
    QuestionFactory(label="B", question="Iets anders?", answer="Niets hiermee te maken.")
    hits = search("praktijk", user=Anonymous())
    assert {hit.kind for hit in hits} == {"question", "paper"}
    assert "B. Iets anders?" not in titles(hits)


def test_members_only_and_drafts_never_appear_for_anonymous_visitors():
    QuestionFactory(label="A", question="Ledenvraag over tarieven?", visibility=Visibility.MEMBERS)
    QuestionFactory(label="B", question="Concept over tarieven?", status=Status.DRAFT)
    PositionPaperFactory(title="Ledenstuk over tarieven", visibility=Visibility.MEMBERS)
    assert search("tarieven", user=Anonymous()) == []
    found = titles(search("tarieven", user=member()))
    assert "A. Ledenvraag over tarieven?" in found and "Ledenstuk over tarieven" in found
    assert "B. Concept over tarieven?" not in found


def test_snippet_highlights_and_escapes():
    QuestionFactory(question="Veilig?", answer="Een <b>vet</b> woord: onderhandeling.")
    [hit] = search("onderhandeling", user=Anonymous())
    assert "<mark>" in hit.snippet
    # PostgreSQL's headline drops the tag, the fallback escapes it: raw HTML never survives.
    assert "<b>" not in hit.snippet and "vet" in hit.snippet


def test_empty_and_oversized_queries_are_harmless(client):
    assert search("   ", user=Anonymous()) == []
    response = client.get(reverse("faq:search"), {"q": "x" * 5000})
    assert response.status_code == 200  # the form refuses it, the page still answers
    assert (
        client.get(reverse("faq:search"), {"q": "'); DROP TABLE faq_question; --"}).status_code
        == 200
    )


def test_search_page_shows_results(client):
    QuestionFactory(question="Hoe werkt de raadpleging?", answer="Iedereen stemt online.")
    html = client.get(reverse("faq:search"), {"q": "raadpleging"}).content.decode()
    assert "Hoe werkt de raadpleging?" in html


@on_sqlite
def test_sqlite_fallback_ignores_case_and_accents():
    QuestionFactory(question="Wat betekent dit voor de patiënt?", answer="Meer tijd per patiënt.")
    assert len(search("PATIENT", user=Anonymous())) == 1
    assert len(search("patiënt", user=Anonymous())) == 1


def test_fold_removes_accents_and_case():
    assert fold("Patiënt Één CAFÉ") == "patient een cafe"


@on_postgres
def test_postgres_finds_other_word_forms_in_dutch():
    QuestionFactory(question="Wie betaalt?", answer="De praktijken krijgen extra vergoedingen.")
    assert len(search("praktijk", user=Anonymous())) == 1  # singular finds plural
    assert len(search("vergoeding", user=Anonymous())) == 1
    assert len(search("patiënten", user=Anonymous())) == 0
    QuestionFactory(question="En de patiënt?", answer="Die merkt het.")
    assert len(search("patiënten", user=Anonymous())) == 1  # plural finds singular


@on_postgres
def test_postgres_ranks_title_matches_first():
    QuestionFactory(label="A", question="Iets over geld?", answer="Ook over de ambassadeur.")
    QuestionFactory(label="B", question="Wat doet de ambassadeur?", answer="Stemt per regio.")
    assert titles(search("ambassadeur", user=Anonymous()))[0] == "B. Wat doet de ambassadeur?"


@on_postgres
def test_postgres_query_uses_the_gin_index():
    from django.contrib.postgres.search import SearchQuery

    from faq.models import Question
    from faq.search_index import question_vector

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    query = SearchQuery("praktijk", config="dutch")
    plan = Question.objects.annotate(v=question_vector()).filter(v=query).explain()
    assert "faq_question_search" in plan


def test_control_characters_in_a_query_are_harmless(client):
    """Found in review: a NUL byte made PostgreSQL raise (a 500) on the similar-questions hint."""
    QuestionFactory(question="Wat kost de praktijk?", answer="Veel.")
    client.force_login(member())
    response = client.get(reverse("faq:similar"), {"text": "prak\x00tijk\x02"})
    assert response.status_code == 200
    assert client.get(reverse("faq:search"), {"q": "praktijk\x00"}).status_code == 200
