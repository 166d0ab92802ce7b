"""Members' questions: asking, and the board's three ways of handling one.

Each handling step locks the question row, so two board members cannot both answer it; the
member is emailed the outcome after the transaction commits.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from faq.markdown import render_markdown
from faq.markdown_text import plain_text
from faq.models import MemberQuestion, MemberQuestionStatus, Question, Status, Topic

MIN_LENGTH = 10
MAX_LENGTH = 2000
MAX_OPEN_PER_MEMBER = 5


class QuestionRefused(Exception):
    """The question cannot be taken or handled; the message says why (Dutch)."""


def ask_question(*, user, text: str) -> MemberQuestion:
    text = text.strip()
    if len(text) < MIN_LENGTH:
        raise QuestionRefused(
            _("Uw vraag is te kort (minimaal %(minimum)s tekens).") % {"minimum": MIN_LENGTH}
        )
    if len(text) > MAX_LENGTH:
        raise QuestionRefused(
            _("Uw vraag is te lang (maximaal %(maximum)s tekens).") % {"maximum": MAX_LENGTH}
        )
    with transaction.atomic():
        # The member's own row is the lock: locking their open questions locked nothing while
        # there were none, and twelve questions sent at once became seven (issue #13).
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        open_count = MemberQuestion.objects.filter(
            asked_by=user, status=MemberQuestionStatus.NEW
        ).count()
        if open_count >= MAX_OPEN_PER_MEMBER:
            raise QuestionRefused(
                _(
                    "U heeft al %(count)s vragen in behandeling; wacht op een antwoord "
                    "voordat u nieuwe vragen stelt."
                )
                % {"count": open_count}
            )
        return MemberQuestion.objects.create(asked_by=user, text=text)


@dataclass(frozen=True)
class NewFaqEntry:
    topic: Topic
    label: str
    question: str


def _lock_new(member_question: MemberQuestion) -> MemberQuestion:
    locked = MemberQuestion.objects.select_for_update().get(pk=member_question.pk)
    if locked.status != MemberQuestionStatus.NEW:
        raise QuestionRefused(
            _("Deze vraag is al afgehandeld (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _finish(locked: MemberQuestion, *, status: str, response: str, by, faq_question=None):
    locked.status = status
    locked.response = response
    locked.faq_question = faq_question
    locked.handled_by = by
    locked.handled_at = timezone.now()
    locked.save()
    transaction.on_commit(lambda: send_outcome_email(locked))
    return locked


def answer_question(
    *, member_question: MemberQuestion, answer: str, by, publish_as: NewFaqEntry | None = None
) -> MemberQuestion:
    """Answer the member; with `publish_as`, the answer also becomes a published FAQ entry."""
    answer = answer.strip()
    if not answer:
        raise QuestionRefused(_("Een antwoord mag niet leeg zijn."))
    with transaction.atomic():
        locked = _lock_new(member_question)
        faq_question = None
        if publish_as is not None:
            if Question.objects.filter(topic=publish_as.topic, label=publish_as.label).exists():
                raise QuestionRefused(
                    _("Label %(label)s bestaat al bij %(topic)s; kies een ander.")
                    % {"label": publish_as.label, "topic": publish_as.topic}
                )
            faq_question = Question.objects.create(
                topic=publish_as.topic,
                label=publish_as.label,
                question=publish_as.question.strip(),
                answer=answer,
                status=Status.PUBLISHED,
            )
        return _finish(
            locked,
            status=MemberQuestionStatus.ANSWERED,
            response=answer,
            by=by,
            faq_question=faq_question,
        )


def merge_question(
    *, member_question: MemberQuestion, into: Question, by, note: str = ""
) -> MemberQuestion:
    """The question is already answered in the FAQ: point the member there."""
    if into.status != Status.PUBLISHED:
        raise QuestionRefused(_("Koppel alleen aan een gepubliceerde FAQ-vraag."))
    with transaction.atomic():
        locked = _lock_new(member_question)
        return _finish(
            locked,
            status=MemberQuestionStatus.MERGED,
            response=note.strip(),
            by=by,
            faq_question=into,
        )


def decline_question(*, member_question: MemberQuestion, reason: str, by) -> MemberQuestion:
    reason = reason.strip()
    if not reason:
        raise QuestionRefused(_("Geef een reden op; het lid krijgt die te lezen."))
    with transaction.atomic():
        locked = _lock_new(member_question)
        return _finish(locked, status=MemberQuestionStatus.DECLINED, response=reason, by=by)


def send_outcome_email(member_question: MemberQuestion) -> None:
    # The member reads Dutch, whatever language the board member who answered browses in.
    with translation.override(settings.LANGUAGE_CODE):
        _send_outcome_email(member_question)


def _send_outcome_email(member_question: MemberQuestion) -> None:
    context = {
        "member_question": member_question,
        "faq_url": (
            settings.SITE_URL + member_question.faq_question.get_absolute_url()
            if member_question.faq_question_id
            else ""
        ),
        "my_questions_url": settings.SITE_URL + "/faq/mijn-vragen/",
        "association_name": settings.ASSOCIATION_NAME,
        "site_url": settings.SITE_URL,
        "recipient_name": member_question.asked_by.full_name,
        # The board writes Markdown: rendered in the HTML part, clean text in the text part
        # (the email showed "**spoedzorg**" and "[^1]:", issue #16, item 8).
        "response_html": render_markdown(member_question.response),
        "response_text": plain_text(member_question.response, footnotes=True),
    }
    message = EmailMultiAlternatives(
        subject=f"[Ledenstem] Uw vraag: {member_question.get_status_display()}",
        body=render_to_string("faq/email/member_question_outcome.txt", context),
        to=[member_question.asked_by.email],
    )
    message.attach_alternative(
        render_to_string("faq/email/member_question_outcome.html", context), "text/html"
    )
    message.send()
