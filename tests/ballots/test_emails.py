"""The emails people get (issue #16, item 8): greeted by name for the association, the
certification email with the elector's own result line (never a secret choice), the proxy
holder told, the board's Markdown answer rendered, never shown as source."""

import pytest
from django.core import mail
from django.urls import reverse

from ballots import notifications, services
from faq import member_questions
from tests.factories import RegionFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db


def bodies(message) -> tuple[str, str]:
    return message.body, message.alternatives[0][0]


@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_certified_email_has_each_electors_own_line(secrecy, settings):
    region = RegionFactory()
    anna = member(region=region, user__full_name="dr. A. Jansen")
    bert = member(region=region, user__full_name="B. de Boer")
    ballot = open_ballot(secrecy=secrecy)
    services.cast_vote(ballot_id=ballot.pk, user=anna, choice=choice(ballot, "Tegen").pk)
    services.close_ballot(ballot)
    mail.outbox.clear()
    notifications.result_certified(ballot.pk)
    by_address = {m.to[0]: m for m in mail.outbox}
    text, html = bodies(by_address[anna.email])
    assert text.startswith("Beste dr. A. Jansen,") and "Beste dr. A. Jansen," in html
    assert settings.ASSOCIATION_NAME in text and settings.ASSOCIATION_NAME in html
    if secrecy == "named":
        assert "U stemde: Tegen." in text and "U stemde: Tegen." in html
    else:
        assert "Uw stem is meegeteld" in text and "Tegen" not in text.split("\n\n", 3)[-1]
        assert "U stemde" not in text and "U stemde" not in html
    assert "niet gestemd" in by_address[bert.email].body


def test_the_proxy_holder_is_emailed(client, django_capture_on_commit_callbacks):
    region = RegionFactory()
    grantor = member(region=region, user__full_name="Anna de Vries")
    holder = member(region=region, user__full_name="dr. Jansen")
    ballot = open_ballot(proxies_allowed=True, secrecy="named")
    client.force_login(grantor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ballots:grant_proxy", args=[ballot.pk]), {"holder_email": holder.email}
        )
    [message] = mail.outbox
    assert message.to == [holder.email] and "Volmacht ontvangen" in message.subject
    assert message.body.startswith("Beste dr. Jansen,")
    assert "Anna de Vries heeft u een volmacht gegeven" in message.body


def test_the_answer_email_renders_markdown(settings):
    from faq.models import MemberQuestion

    asker = member(user__full_name="dr. Jansen")
    asked = MemberQuestion.objects.create(asked_by=asker, text="Hoe zit het met spoedzorg?")
    mail.outbox.clear()
    answered = member_questions.answer_question(
        member_question=asked,
        answer="Over **spoedzorg** leest u meer in de bijlage[^1].\n\n[^1]: Bijlage 3.",
        by=member(),
    )
    member_questions.send_outcome_email(answered)
    [message] = mail.outbox
    text, html = bodies(message)
    assert "**" not in text and "[^1]" not in text and "spoedzorg" in text
    assert "<strong>spoedzorg</strong>" in html and "[^1]" not in html
    assert text.startswith("Beste dr. Jansen,") and settings.ASSOCIATION_NAME in text
