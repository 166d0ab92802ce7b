"""A member posting many questions at once (PostgreSQL: real threads, each with its own
connection and transaction, over HTTP as a browser would)."""

import pytest
from django.test import Client
from django.urls import reverse

from faq import member_questions as mq
from faq.models import MemberQuestion
from tests.conftest import only_on
from tests.factories import member
from tests.threads import run_at_once

pytestmark = [only_on("postgresql"), pytest.mark.django_db(transaction=True)]


def test_twelve_questions_at_once_stop_at_the_limit():
    """Issue #13: twelve simultaneous submissions left seven open questions where the limit
    is five (the lock on the member's open questions locked nothing while there were none)."""
    anna = member()
    clients = []
    for _ in range(12):
        client = Client()
        client.force_login(anna)
        clients.append(client)

    def ask(client, n):
        text = f"Vraag nummer {n} over het akkoord, tegelijk gesteld"
        return client.post(reverse("faq:ask"), {"text": text}).status_code

    answers = run_at_once([lambda c=c, n=n: ask(c, n) for n, c in enumerate(clients)])
    assert MemberQuestion.objects.filter(asked_by=anna).count() == mq.MAX_OPEN_PER_MEMBER
    # Five taken (redirect to "my questions"), seven refused on the form with the reason.
    assert sorted(answers) == [200] * 7 + [302] * 5, answers
