"""Members ask; the board answers, links or declines; the member is told by email."""

import pytest
from django.core import mail
from django.urls import reverse

from faq import member_questions as mq
from faq.models import MemberQuestion, MemberQuestionStatus, Question, Status
from tests.factories import QuestionFactory, TopicFactory, add_totp, board_member, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_client(client):
    board = board_member()
    add_totp(board)
    client.force_login(board)
    client.board = board
    return client


def test_member_asks_and_sees_the_status(client):
    anna = member()
    client.force_login(anna)
    response = client.post(
        reverse("faq:ask"), {"text": "Wat betekent het akkoord voor waarneming?"}
    )
    assert response.status_code == 302
    asked = MemberQuestion.objects.get()
    assert asked.asked_by == anna and asked.status == MemberQuestionStatus.NEW
    html = client.get(reverse("faq:my_questions")).content.decode()
    assert "Wat betekent het akkoord voor waarneming?" in html and "Nieuw" in html


@pytest.mark.parametrize("text, message", [("kort", "te kort"), ("x" * 2001, "")])
def test_bad_question_is_refused_and_stores_nothing(client, text, message):
    client.force_login(member())
    response = client.post(reverse("faq:ask"), {"text": text})
    assert response.status_code == 200
    assert MemberQuestion.objects.count() == 0
    assert 'class="field-errors"' in response.content.decode()


def test_a_member_cannot_flood_the_queue():
    anna = member()
    for n in range(mq.MAX_OPEN_PER_MEMBER):
        mq.ask_question(user=anna, text=f"Vraag nummer {n} over het akkoord")
    with pytest.raises(mq.QuestionRefused, match="al 5 vragen in behandeling"):
        mq.ask_question(user=anna, text="Nog een vraag over het akkoord")


def test_similar_questions_show_while_typing(client):
    QuestionFactory(question="Hoe zit het met de waarneming in de avond?")
    client.force_login(member())
    html = client.get(reverse("faq:similar"), {"text": "waarneming"}, HTTP_HX_REQUEST="true")
    assert "Hoe zit het met de waarneming in de avond?" in html.content.decode()


def test_answer_and_publish_as_new_faq_entry_emails_the_member(
    board_client, django_capture_on_commit_callbacks
):
    asked = mq.ask_question(
        user=member(email="anna@example.nl"), text="Krijgen waarnemers ook geld?"
    )
    topic = TopicFactory()
    url = reverse("faq:moderate", args=[asked.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = board_client.post(
            url,
            {
                "action": "answer",
                "answer": "Ja, via de praktijk.",
                "publish": "on",
                "topic": topic.pk,
                "label": "Z",
                "question": "Krijgen waarnemers ook geld?",
            },
        )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == MemberQuestionStatus.ANSWERED and asked.handled_by == board_client.board
    entry = Question.objects.get(label="Z")
    assert entry.status == Status.PUBLISHED and asked.faq_question == entry
    [email] = mail.outbox
    assert email.to == ["anna@example.nl"]
    assert "Ja, via de praktijk." in email.body and entry.get_absolute_url() in email.body
    assert email.alternatives[0][1] == "text/html"


def test_merge_into_existing_question(board_client, django_capture_on_commit_callbacks):
    existing = QuestionFactory()
    asked = mq.ask_question(user=member(), text="Staat dit al in de FAQ ergens?")
    with django_capture_on_commit_callbacks(execute=True):
        board_client.post(
            reverse("faq:moderate", args=[asked.pk]),
            {"action": "merge", "into": existing.pk, "note": "Zie vraag."},
        )
    asked.refresh_from_db()
    assert asked.status == MemberQuestionStatus.MERGED and asked.faq_question == existing
    assert existing.get_absolute_url() in mail.outbox[0].body


def test_decline_needs_a_reason(board_client, django_capture_on_commit_callbacks):
    asked = mq.ask_question(user=member(), text="Wat vindt u van het weer vandaag?")
    url = reverse("faq:moderate", args=[asked.pk])
    response = board_client.post(url, {"action": "decline", "reason": ""})
    assert response.status_code == 200
    asked.refresh_from_db()
    assert asked.status == MemberQuestionStatus.NEW
    with django_capture_on_commit_callbacks(execute=True):
        board_client.post(url, {"action": "decline", "reason": "Niet over het akkoord."})
    asked.refresh_from_db()
    assert asked.status == MemberQuestionStatus.DECLINED
    assert "Niet over het akkoord." in mail.outbox[0].body


def test_a_handled_question_cannot_be_handled_again():
    board = board_member()
    asked = mq.ask_question(user=member(), text="Een vraag die al beantwoord is.")
    mq.decline_question(member_question=asked, reason="Dubbel.", by=board)
    with pytest.raises(mq.QuestionRefused, match="al afgehandeld"):
        mq.answer_question(member_question=asked, answer="Toch een antwoord", by=board)


def test_publishing_with_a_taken_label_is_refused_and_changes_nothing():
    board = board_member()
    taken = QuestionFactory(label="A")
    asked = mq.ask_question(user=member(), text="Een nieuwe vraag voor de FAQ.")
    with pytest.raises(mq.QuestionRefused, match="Label A bestaat al"):
        mq.answer_question(
            member_question=asked,
            answer="Antwoord",
            by=board,
            publish_as=mq.NewFaqEntry(taken.topic, "A", "Vraag"),
        )
    asked.refresh_from_db()
    assert asked.status == MemberQuestionStatus.NEW
    assert Question.objects.count() == 1


def test_moderation_is_board_only(client):
    asked = mq.ask_question(user=member(), text="Een vraag voor het bestuur.")
    client.force_login(member())
    assert client.get(reverse("faq:moderation_queue")).status_code == 403
    assert (
        client.post(
            reverse("faq:moderate", args=[asked.pk]), {"action": "decline", "reason": "x"}
        ).status_code
        == 403
    )
    client.logout()
    assert client.get(reverse("faq:ask")).status_code == 302


def test_moderation_dates_are_written_out_in_dutch(board_client):
    """The queue showed "1 Dec 2026": Django's abbreviated month, not Dutch."""
    import datetime

    from django.utils import timezone

    waiting = mq.ask_question(user=member(), text="Een vraag uit december.")
    handled = mq.ask_question(user=member(), text="Een vraag die al beantwoord is.")
    december = timezone.make_aware(datetime.datetime(2026, 12, 1, 10, 30))
    MemberQuestion.objects.filter(pk=waiting.pk).update(asked_at=december)
    MemberQuestion.objects.filter(pk=handled.pk).update(
        status=MemberQuestionStatus.DECLINED, handled_at=december, response="Buiten het akkoord."
    )
    html = board_client.get(reverse("faq:moderation_queue")).content.decode()
    assert "1 december 2026, 10:30" in html
    assert "1 december 2026 · " in html
    assert "Dec" not in html


def test_the_outcome_email_is_dutch_whatever_the_board_member_browses_in(
    board_client, django_capture_on_commit_callbacks
):
    """Found in review: a board member browsing in English sent "Uw vraag: merged with an
    existing question"."""
    board_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    existing = QuestionFactory()
    asked = mq.ask_question(user=member(), text="Staat dit al in de FAQ ergens?")
    with django_capture_on_commit_callbacks(execute=True):
        board_client.post(
            reverse("faq:moderate", args=[asked.pk]),
            {"action": "merge", "into": existing.pk, "note": "Zie vraag."},
        )
    [sent] = mail.outbox
    assert "merged" not in sent.subject.lower() and "samengevoegd" in sent.subject.lower()
