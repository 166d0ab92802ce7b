"""CSRF on every state-changing request: every URL pattern of the site (found by walking the
resolver, so a new view is covered the day it is added) that accepts a POST refuses one
without a CSRF token with 403, for a logged-in board member with a second factor."""

import logging
import re
from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from ballots import services
from faq.models import MemberQuestion
from tests.factories import (
    PositionPaperFactory,
    QuestionFactory,
    RegionFactory,
    add_totp,
    board_member,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db

MUST_BE_COVERED = {
    "ballots:vote",
    "ballots:grant_proxy",
    "ballots:revoke_proxy",
    "ballots:lifecycle",
    "ballots:approve",
    "ballots:attendance",
    "members:register_import",
    "members:register_import_confirm",
    "faq:ask",
    "faq:moderate",
    "account_logout",
    "account_login",
    "set_language",
    "meetings:chair_action",
    "meetings:record_approve",
    "meetings:join_online",
    "ballots:paper_votes",
    "ballots:paper_decide",
    "meetings:desk_set",
    "meetings:stand_ins",
    "meetings:paper_proxies",
    "meetings:meeting_new",
    "meetings:meeting_edit",
    "meetings:item_new",
    "meetings:item_edit",
    "meetings:item_move",
    "meetings:item_delete",
    "meetings:item_ballots",
    "meetings:agenda_markdown",
    "meetings:self_checkin",
}


def all_patterns():
    """(full pattern text, name with namespaces, URLPattern) for every pattern, recursively."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (
                    f"{namespace}:{pattern.name}" if namespace else pattern.name
                )
                yield prefix + str(pattern.pattern), name, pattern

    return list(walk(get_resolver().url_patterns, "", None))


def concrete_path(text: str, name: str | None, values: dict) -> str:
    """Fill the pattern's parameters (path converters and regex groups) with real values."""

    def value(parameter: str) -> str:
        return str(values.get((name, parameter), values.get(parameter, "1")))

    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), text)
    return "/" + text.replace("^", "").replace("$", "")


@pytest.fixture
def objects():
    region = RegionFactory()
    anna, bert = member(region=region), member(region=region)
    ballot = open_ballot(proxies_allowed=True, attendance_required=True)
    proxy = services.grant_proxy(ballot=ballot, grantor_user=anna, holder_user=bert)
    question = QuestionFactory()
    asked = MemberQuestion.objects.create(asked_by=anna, text="Een vraag van een lid?")
    board = board_member()
    add_totp(board)
    values = {
        "pk": ballot.pk,
        "proxy_pk": proxy.pk,
        "action": "open",
        "token": "x",
        "fmt": "json",
        "slug": PositionPaperFactory().slug,
        "id": board.pk,
        "uidb36": "1",
        "key": "x",
        "app_label": "ballots",
        "url": "nergens/",
        ("faq:question", "pk"): question.pk,
        ("faq:question_changes", "pk"): question.pk,
        ("faq:moderate", "pk"): asked.pk,
    }
    return board, values


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_every_view_that_accepts_post_refuses_it_without_a_csrf_token(objects, caplog):
    board, values = objects
    probe = logged_in(Client(), board)
    strict = logged_in(Client(enforce_csrf_checks=True), board)
    probe_cookies, strict_cookies = SimpleCookie(probe.cookies), SimpleCookie(strict.cookies)
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    tested, unaccepted, failures = [], [], []
    for text, name, pattern in all_patterns():
        path = concrete_path(text, name, values)
        assert resolve(path).func is pattern.callback, (text, path)
        # Does the view take a POST at all? Ask with a valid token (this client does not
        # check), inside a savepoint that is rolled back, so nothing it does stays.
        with transaction.atomic():
            accepts = probe.post(path).status_code != 405
            transaction.set_rollback(True)
        probe.cookies = SimpleCookie(probe_cookies)
        if not accepts:
            unaccepted.append(name or text)
            continue
        tested.append(name or text)
        for with_cookie in (False, True):
            strict.cookies = SimpleCookie(strict_cookies)
            if with_cookie:  # a CSRF cookie, but no token in the form: still refused
                strict.cookies["csrftoken"] = "a" * 32
            caplog.clear()
            response = strict.post(path, {"confirm": "yes", "action": "approve"})
            refused_for_csrf = any(r.name == "django.security.csrf" for r in caplog.records)
            if response.status_code != 403 or not refused_for_csrf:
                failures.append((name or text, with_cookie, response.status_code))
    assert not failures, failures
    print(
        f"CSRF: {len(tested)} patterns take a POST and refuse it without a token;",
        f"{len(unaccepted)} refuse POST (405)",
    )
    assert tested and set(tested) >= MUST_BE_COVERED, MUST_BE_COVERED - set(tested)
    # Views answering 405 to a POST (GET-only) need no token; the polling endpoint is one.
    assert "ballot_live_state" in unaccepted and "ballots:vote" not in unaccepted
