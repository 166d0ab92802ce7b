"""Changing a published answer or paper keeps the previous version, readable as a diff."""

import pytest
from django.urls import reverse

from faq.models import Revision, Status
from faq.revisions import change_history, save_with_revision, set_status
from tests.factories import PositionPaperFactory, QuestionFactory, board_member, member

pytestmark = pytest.mark.django_db


def test_change_to_published_answer_keeps_previous_version():
    editor = board_member()
    question = QuestionFactory(answer="Het oude antwoord.")
    question.answer = "Het nieuwe antwoord."
    revision = save_with_revision(question, user=editor)
    assert revision.snapshot["answer"] == "Het oude antwoord."
    assert revision.changed_fields == ["answer"]
    assert revision.changed_by == editor
    [entry] = change_history(question)
    assert entry["fields"] == [
        {"name": "antwoord", "old": "Het oude antwoord.", "new": "Het nieuwe antwoord."}
    ]


def test_drafts_and_unchanged_saves_keep_no_revision():
    draft = QuestionFactory(status=Status.DRAFT)
    draft.answer = "Iets anders"
    assert save_with_revision(draft) is None
    published = QuestionFactory()
    assert save_with_revision(published) is None
    assert Revision.objects.count() == 0


def test_unpublishing_is_recorded():
    paper = PositionPaperFactory()
    set_status(paper, Status.DRAFT, user=board_member())
    [entry] = change_history(paper)
    assert entry["fields"][0]["old"] == "published" and entry["fields"][0]["new"] == "draft"


def test_history_chains_versions_newest_first():
    question = QuestionFactory(answer="v1")
    for text in ("v2", "v3"):
        question.answer = text
        save_with_revision(question)
    history = change_history(question)
    assert [(e["fields"][0]["old"], e["fields"][0]["new"]) for e in history] == [
        ("v2", "v3"),
        ("v1", "v2"),
    ]


def test_members_see_a_readable_diff_anonymous_are_sent_to_login(client):
    question = QuestionFactory(answer="De vergoeding stijgt met twee procent.")
    question.answer = "De vergoeding stijgt met drie procent."
    save_with_revision(question)
    url = reverse("faq:question_changes", args=[question.pk])
    assert client.get(url).status_code == 302
    client.force_login(member())
    html = client.get(url).content.decode()
    assert "<del>twee</del>" in html and "<ins>drie</ins>" in html
    assert "Bekijk de wijzigingen" in client.get(question.get_absolute_url()).content.decode()


def test_diff_escapes_html():
    from faq.diffing import word_diff

    html = word_diff("<b>oud</b>", "<script>nieuw</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_admin_save_and_publish_actions_keep_revisions(client):
    from tests.factories import add_totp

    board = board_member()
    add_totp(board)
    client.force_login(board)
    question = QuestionFactory(answer="Oud.")
    url = reverse("admin:faq_question_change", args=[question.pk])
    form = client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "answer": "Nieuw."}
    data["topic"] = question.topic_id
    data["related_papers"] = []
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.answer == "Nieuw."
    assert Revision.objects.get().snapshot["answer"] == "Oud."
    changelist = reverse("admin:faq_question_changelist")
    client.post(changelist, {"action": "unpublish", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == Status.DRAFT
    assert Revision.objects.count() == 2


def test_markdown_preview_is_board_only_and_sanitised(client):
    from tests.factories import add_totp

    url = reverse("faq:markdown_preview")
    client.force_login(member())
    assert client.post(url, {"text": "x"}).status_code == 403
    board = board_member()
    add_totp(board)
    client.force_login(board)
    html = client.post(url, {"text": "**vet** <script>x</script>"}).content.decode()
    assert "<strong>vet</strong>" in html and "<script>" not in html
