"""The ballot page's "Lees eerst" list from the shared cache (ballots.read_first): no FAQ query
once rendered, and every change to what it shows (the ballot's links, a paper's title, a
question taken offline) on the next page after it commits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import Status
from faq.revisions import set_status
from tests.factories import PositionPaperFactory, QuestionFactory, member, open_ballot

pytestmark = pytest.mark.django_db


def _read_first(client, ballot) -> str:
    html = client.get(ballot.get_absolute_url()).content.decode()
    if 'id="read-first"' not in html:
        return ""
    return html.split('id="read-first"', 1)[1].split("</section>", 1)[0]


def test_the_list_costs_no_query_once_rendered_and_follows_every_change(
    client, region, cached_pages, django_capture_on_commit_callbacks
):
    paper = PositionPaperFactory(title="Waarom wel", stance="for")
    question = QuestionFactory(question="Wat kost het?")
    client.force_login(member(region=region))
    ballot = open_ballot()
    with django_capture_on_commit_callbacks(execute=True):
        ballot.read_first_papers.add(paper)
        ballot.read_first_questions.add(question)
    first = _read_first(client, ballot)
    assert "Waarom wel" in first and "Wat kost het?" in first

    with CaptureQueriesContext(connection) as queries:
        assert _read_first(client, ballot) == first
    assert not [q for q in queries.captured_queries if "faq_" in q["sql"]]

    with django_capture_on_commit_callbacks(execute=True):
        paper.title = "Waarom toch wel"
        paper.save()
    assert "Waarom toch wel" in _read_first(client, ballot)

    with django_capture_on_commit_callbacks(execute=True):
        set_status(question, Status.DRAFT)
    assert "Wat kost het?" not in _read_first(client, ballot)

    with django_capture_on_commit_callbacks(execute=True):
        ballot.read_first_papers.remove(paper)
    assert _read_first(client, ballot) == ""


def test_each_ballot_has_its_own_list(
    client, region, cached_pages, django_capture_on_commit_callbacks
):
    client.force_login(member(region=region))
    one, other = open_ballot(), open_ballot()
    with django_capture_on_commit_callbacks(execute=True):
        one.read_first_papers.add(PositionPaperFactory(title="Alleen bij de eerste"))
    assert "Alleen bij de eerste" in _read_first(client, one)
    assert _read_first(client, other) == ""


def test_a_draft_paper_is_never_listed_even_from_the_cache(
    client, region, cached_pages, django_capture_on_commit_callbacks
):
    draft = PositionPaperFactory(title="Nog niet klaar", status=Status.DRAFT)
    client.force_login(member(region=region))
    ballot = open_ballot()
    with django_capture_on_commit_callbacks(execute=True):
        ballot.read_first_papers.add(draft)
    _read_first(client, ballot)
    assert "Nog niet klaar" not in _read_first(client, ballot)
