"""No log record ever holds a vote's choice or a receipt code (DESIGN.md §7, issue #8).

Every record of every logger, at DEBUG, is captured while members vote (secret and named,
through the pages), fail CSRF, hit a server error mid-vote, check a receipt (right and wrong),
watch the live socket and poll the live state. Each record's message, arguments, extras and
traceback are searched for the receipt code (as shown, normalised and lowercase) and for the
choice's label and id. The choices get an unusual label and primary key, so a hit means a leak
and not a coincidence.

Not covered here, because they are not log records: access logs. The vote and the receipt
check are POST bodies, which gunicorn (no access log), uvicorn (--no-access-log) and nginx
(request line only) never write.
"""

import json
import logging
import re
import traceback

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ballots import services
from ballots.models import Choice, Secrecy
from ledenstem_verify.rules import Role
from tests.factories import BallotFactory, RegionFactory, member
from tests.live.helpers import next_state, watcher

LOGGERS_AT_DEBUG = ["", "django", "ballots", "members", "faq", "config", "channels", "allauth"]
# The attributes every LogRecord has; anything else on a record is an extra (Django's
# django.request records carry the request, for instance).
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Unusual enough to appear in a log line only by leaking.
CHOICES = [
    ("Keuze Zonnebloem", 7_654_321, Role.FOR),
    ("Keuze Paardenbloem", 7_654_322, Role.AGAINST),
]


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logs():
    """Every record at DEBUG from the project's, Django's and Channels' loggers (levels that
    settings.LOGGING pins, such as django.db.backends at WARNING, stay as in production)."""
    handler = Everything()
    saved = {}
    for name in LOGGERS_AT_DEBUG:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
    targets = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in targets:
        logger.addHandler(handler)
    yield handler.records
    for logger in targets:
        logger.removeHandler(handler)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def record_text(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is still searched, raw
        message = f"{record.msg} {record.args!r}"
    parts = [message, repr(record.args), record.exc_text or "", record.stack_info or ""]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    extras = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES}
    parts.append(repr(extras))
    return "\n".join(parts)


def secrets_in(code: str | None) -> list[str]:
    needles = [label for label, _pk, _role in CHOICES] + [str(pk) for _l, pk, _r in CHOICES]
    if code:
        bare = code.replace("-", "")
        needles += [code, code.lower(), bare, bare.lower()]
    return needles


def assert_no_secret_logged(records: list[logging.LogRecord], code: str | None) -> None:
    assert records, "nothing was logged at all: the capture does not work"
    for record in records:
        text = record_text(record)
        for needle in secrets_in(code):
            assert needle.lower() not in text.lower(), (
                f"{needle!r} in a log record of {record.name}: {text[:500]}"
            )


def ballot_with_unusual_choices(**kwargs):
    ballot = BallotFactory(with_choices=False, **kwargs)
    for order, (label, pk, role) in enumerate(CHOICES):
        Choice.objects.create(pk=pk, ballot=ballot, label=label, role=role, order=order)
    return services.open_ballot(ballot)


def vote_via_pages(client: Client, ballot) -> str:
    url = reverse("ballots:vote", args=[ballot.pk])
    chosen = str(CHOICES[0][1])
    assert client.post(url, {"step": "review", "choice": chosen}).status_code == 200
    cast = client.post(url, {"step": "cast", "choice": chosen})
    assert cast.status_code == 200
    return re.search(r'id="receipt-code">([A-Z0-9-]{19})<', cast.content.decode()).group(1)


def test_django_sql_logging_stays_off():
    """At DEBUG, django.db.backends logs every query with its parameters: the vote's choice id
    and receipt hash. settings.LOGGING pins it at WARNING, whatever LOG_LEVEL says."""
    level = settings.LOGGING["loggers"]["django.db.backends"]["level"]
    assert logging.getLevelNamesMapping()[level] >= logging.WARNING


@pytest.mark.django_db
@pytest.mark.parametrize("secrecy", [Secrecy.SECRET, Secrecy.NAMED])
def test_voting_and_checking_a_receipt_log_no_choice_and_no_code(logs, secrecy):
    region = RegionFactory()
    voter, other = member(region=region), member(region=region)
    visibility = "everyone" if secrecy == Secrecy.NAMED else "closed"  # secret: no tally
    ballot = ballot_with_unusual_choices(secrecy=secrecy, result_visibility=visibility)
    client = Client()
    client.force_login(voter)
    code = vote_via_pages(client, ballot)

    # A second vote (refused), a vote without a CSRF token (Django logs a warning), a poll.
    url = reverse("ballots:vote", args=[ballot.pk])
    client.post(url, {"step": "cast", "choice": str(CHOICES[1][1])})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(other)
    assert strict.post(url, {"step": "cast", "choice": str(CHOICES[1][1])}).status_code == 403
    poll = client.get(reverse("ballot_live_state", args=[ballot.pk]))
    if secrecy == Secrecy.NAMED:  # a secret ballot has no tally before closing
        assert CHOICES[0][0] in poll.content.decode()  # the tally is there, in the answer only

    services.close_ballot(ballot)
    check = reverse("ballots:check_receipt", args=[ballot.pk])
    assert "Uw stem is meegeteld" in client.post(check, {"code": code.lower()}).content.decode()
    client.post(check, {"code": "AAAA-BBBB-CCCC-DDDD"})
    client.post(check, {"code": "not a code at all"})
    assert_no_secret_logged(logs, code)


@pytest.mark.django_db
def test_a_server_error_while_voting_logs_no_choice(logs, monkeypatch):
    """Django logs a 500 with the traceback and the request: neither may carry the choice."""
    voter = member()
    ballot = ballot_with_unusual_choices()

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "cast_vote", broken)
    client = Client(raise_request_exception=False)
    client.force_login(voter)
    url = reverse("ballots:vote", args=[ballot.pk])
    assert client.post(url, {"step": "cast", "choice": str(CHOICES[0][1])}).status_code == 500
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in logs)
    assert_no_secret_logged(logs, None)


@pytest.mark.django_db(transaction=True)
async def test_live_socket_logs_no_choice_and_no_code(logs):
    @database_sync_to_async
    def setup():
        voter = member()
        ballot = ballot_with_unusual_choices(result_visibility="everyone", secrecy="named")
        return ballot, voter

    @database_sync_to_async
    def vote(ballot, voter):
        return services.cast_vote(ballot_id=ballot.pk, user=voter, choice=CHOICES[0][1]).code

    ballot, voter = await setup()
    communicator = await watcher(ballot.pk, voter)
    await next_state(communicator)
    code = await vote(ballot, voter)
    state = await next_state(communicator)
    assert state["turnout"]["count"] == 1
    await communicator.send_to(text_data=json.dumps({"type": "resync"}))
    await communicator.send_to(text_data="{not json")
    await communicator.receive_from(timeout=3)
    await communicator.disconnect()
    assert_no_secret_logged(logs, code)
