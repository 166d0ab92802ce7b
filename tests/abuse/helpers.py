"""Shared tools for the abuse tests: a snapshot of every row that bad input must not change,
form posts that accept any key and value, and the messages a single request added."""

from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.messages import constants, get_messages
from hypothesis import HealthCheck, settings

from ballots.models import (
    Approval,
    Ballot,
    Choice,
    Elector,
    LedgerEntry,
    Participation,
    PendingVote,
    Proxy,
    ResultDocument,
    Vote,
)
from faq.models import MemberQuestion, PositionPaper, Question, Revision, Topic
from members.models import Mandate, Membership, Region, User

# The rows bad input must leave alone: votes and everything around them, the register, the FAQ.
WATCHED = [
    Participation,
    PendingVote,
    Vote,
    LedgerEntry,
    Proxy,
    Elector,
    Ballot,
    Choice,
    Approval,
    ResultDocument,
    User,
    Membership,
    Mandate,
    Region,
    EmailAddress,
    Authenticator,
    Topic,
    Question,
    PositionPaper,
    Revision,
    MemberQuestion,
]


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def db_state() -> dict[str, list[tuple]]:
    """Every watched row, in full: equal snapshots mean nothing was added, removed or changed."""
    return {
        model._meta.label: [
            tuple(_plain(v) for v in row)
            for row in model.objects.order_by("pk").values_list(
                *(f.attname for f in model._meta.concrete_fields)
            )
        ]
        for model in WATCHED
    }


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in WATCHED}


def fuzz_settings(examples: int, **kwargs) -> settings:
    """Bounded property tests: a fixed number of examples, no per-example deadline (the
    database is slower in the PostgreSQL pass), fixtures shared by the examples on purpose."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        **kwargs,
    )


def forget_messages(client) -> None:
    """Drop messages left by earlier requests (cookie and session fallback), so that the next
    response's messages are exactly the ones it added."""
    client.cookies.pop("messages", None)
    session = client.session
    if "_messages" in session:
        del session["_messages"]
        session.save()


def post_form(client, url: str, data) -> object:
    """POST `data` (a dict of str -> str or list of str) form-encoded: any key and any value,
    including quotes, newlines and NUL, reach the view as a browser would send them."""
    forget_messages(client)
    body = urlencode(data, doseq=True)
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def messages_of(response) -> list:
    return list(get_messages(response.wsgi_request))


def error_messages(response) -> list[str]:
    return [str(m) for m in messages_of(response) if m.level == constants.ERROR]


def assert_clear_refusal(response, *, to: str | None = None) -> str:
    """A redirect (to `to`) carrying exactly one non-empty error message, or (the vote form
    since issue #16: what was typed stays) a 400 page showing the form again with a non-empty
    error summary; returns the message text."""
    if response.status_code == 400 and b'role="alert"' in response.content:
        import re

        block = re.search(
            r'<div class="message message-error" role="alert"[^>]*>(.*?)</div>',
            response.content.decode(),
            re.S,
        )
        assert block, response.content[:500]
        text = " ".join(re.sub(r"<[^>]+>", " ", block.group(1)).split())
        assert text, response.content[:500]
        return text
    assert response.status_code == 302, (response.status_code, response.content[:500])
    if to is not None:
        assert response["Location"] == to, response["Location"]
    errors = error_messages(response)
    assert len(errors) == 1 and errors[0].strip(), messages_of(response)
    return errors[0]
