"""FAQ and positions pages: grouped, permalinked, dated, visible only to whom they should be."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from faq.models import Stance, Status, Visibility
from tests.factories import PositionPaperFactory, QuestionFactory, TopicFactory, member

pytestmark = pytest.mark.django_db


def test_index_groups_by_topic_with_lettered_list_linking_to_anchors(client):
    topic = TopicFactory(name="Geld", slug="geld")
    first = QuestionFactory(topic=topic, label="A", question="Eerste vraag?", order=0)
    QuestionFactory(topic=topic, label="B", question="Tweede vraag?", order=1)
    html = client.get(reverse("faq:index")).content.decode()
    assert f'href="#{first.anchor}"' in html and f'id="{first.anchor}"' in html
    assert html.index("Eerste vraag?") < html.index("Tweede vraag?")
    assert f'href="{reverse("faq:question", args=[first.pk])}"' in html  # permalink


def test_question_page_shows_answer_footnotes_and_last_update(client):
    question = QuestionFactory(answer="Zie de bron.[^1]", footnotes="De bron zelf.")
    html = client.get(question.get_absolute_url()).content.decode()
    assert "De bron zelf." in html
    assert f'id="q{question.pk}-fn-1"' in html  # a real footnote, with a unique id
    assert "Laatst bijgewerkt" in html


def test_two_answers_on_one_page_have_distinct_footnote_ids(client):
    topic = TopicFactory()
    a = QuestionFactory(topic=topic, answer="Een.[^1]", footnotes="Bron A")
    b = QuestionFactory(topic=topic, answer="Twee.[^1]", footnotes="Bron B")
    html = client.get(reverse("faq:index")).content.decode()
    assert f'id="q{a.pk}-fn-1"' in html and f'id="q{b.pk}-fn-1"' in html


def test_members_only_items_ask_anonymous_visitors_to_log_in_and_drafts_are_404(client):
    """A member following a link to a members-only answer while logged out was told it did
    not exist (404); now they are asked to log in and come back to it."""
    members_only = QuestionFactory(visibility=Visibility.MEMBERS, question="Geheim voor leden?")
    draft = QuestionFactory(status=Status.DRAFT, question="Nog concept?")
    paper = PositionPaperFactory(visibility=Visibility.MEMBERS)
    draft_paper = PositionPaperFactory(visibility=Visibility.MEMBERS, status=Status.DRAFT)
    for item in (members_only, paper):
        response = client.get(item.get_absolute_url())
        assert response.status_code == 302
        assert response["Location"] == (
            reverse("account_login") + "?next=" + quote(item.get_absolute_url())
        )
    login_page = client.get(response["Location"]).content.decode()
    assert "alleen voor leden. Log in om het te lezen." in login_page
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(draft_paper.get_absolute_url()).status_code == 404
    assert client.get(reverse("faq:question", args=[999999])).status_code == 404
    index = client.get(reverse("faq:index")).content.decode()
    assert "Geheim voor leden?" not in index and "Nog concept?" not in index
    client.force_login(member())
    assert client.get(members_only.get_absolute_url()).status_code == 200
    assert client.get(paper.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_positions_side_by_side_and_filtered(client):
    PositionPaperFactory(
        title="Voor het akkoord", stance=Stance.FOR, organisation_code="a", organisation="Org A"
    )
    PositionPaperFactory(
        title="Tegen het akkoord",
        stance=Stance.AGAINST,
        organisation_code="b",
        organisation="Org B",
    )
    html = client.get(reverse("faq:positions")).content.decode()
    assert "Voor het akkoord" in html and "Tegen het akkoord" in html
    assert 'id="stance-for"' in html and 'id="stance-against"' in html
    filtered = client.get(reverse("faq:positions"), {"stance": "against"}).content.decode()
    assert "Tegen het akkoord" in filtered and "Voor het akkoord" not in filtered
    by_org = client.get(reverse("faq:positions"), {"organisation": "a"}).content.decode()
    assert "Voor het akkoord" in by_org and "Tegen het akkoord" not in by_org
    none = client.get(reverse("faq:positions"), {"stance": "informative"}).content.decode()
    assert "Geen standpunten gevonden." in none
    assert "Geen standpunten gevonden." not in html
    bad = client.get(reverse("faq:positions"), {"stance": "<script>"})
    assert bad.status_code == 200  # an unknown filter value is ignored, not a 500


def test_paper_page_has_sections_table_of_contents(client):
    paper = PositionPaperFactory(body="## Eerste deel\n\nA.\n\n## Tweede deel\n\nB.")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert 'class="toc"' in html
    assert 'href="#eerste-deel"' in html and 'id="eerste-deel"' in html
