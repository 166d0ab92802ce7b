"""The role flags every request asks for (board, second factor missing, may stay logged in):
one query when the cache has none (issue #18: at an assembly nearly every request is a
member's first), and exactly the answers of the separate rules for every kind of account."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import MembershipStatus
from members.roles import (
    _flags_from_database,
    _is_board_now,
    _role_flags,
    has_second_factor,
    requires_second_factor,
)
from members.selectors import may_log_in
from tests.factories import MandateFactory, UserFactory, add_totp, board_member, member

pytestmark = pytest.mark.django_db


def _accounts():
    plain = member()
    suspended = member()
    suspended.membership.status = MembershipStatus.SUSPENDED
    suspended.membership.save()
    inactive = member()
    inactive.is_active = False
    inactive.save()
    board_without_factor = board_member()
    board_with_factor = board_member()
    add_totp(board_with_factor)
    ambassador = MandateFactory().user
    former = MandateFactory(valid_to=timezone.localdate() - datetime.timedelta(days=1)).user
    today = timezone.localdate()
    ending_today = MandateFactory(
        valid_from=today - datetime.timedelta(days=30), valid_to=today
    ).user  # valid_to is the first day without the mandate
    starting_today = MandateFactory(valid_from=today).user
    future = MandateFactory(valid_from=today + datetime.timedelta(days=1)).user
    deputy = MandateFactory(is_deputy=True).user
    staff_without_membership = UserFactory(is_staff=True)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    nobody = UserFactory()
    return [
        plain,
        suspended,
        inactive,
        board_without_factor,
        board_with_factor,
        ambassador,
        former,
        ending_today,
        starting_today,
        future,
        deputy,
        staff_without_membership,
        superuser,
        nobody,
    ]


def test_one_query_gives_the_same_answers_as_the_separate_rules():
    for user in _accounts():
        separate = {
            "board": _is_board_now(user),
            "second_factor_missing": requires_second_factor(user) and not has_second_factor(user),
            "may_log_in": may_log_in(user),
        }
        assert _flags_from_database(user) == separate, user


def test_a_first_request_pays_one_query_for_the_role_flags():
    user = board_member()
    cache.clear()
    user._ledenstem_role_flags = None
    with CaptureQueriesContext(connection) as queries:
        flags = _role_flags(user)
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert flags == {"board": True, "second_factor_missing": True, "may_log_in": True}
    fresh = type(user).objects.get(pk=user.pk)  # the next request: the cache answers
    with CaptureQueriesContext(connection) as queries:
        assert _role_flags(fresh) == flags
    assert len(queries) == 0


def test_the_session_user_comes_with_the_same_flags_in_one_query():
    """Issue #18: every request asked for the user, then for the role flags (cache or a second
    query); members.backends loads both at once, with the same answers."""
    from members.backends import RegisterAccountBackend, RegisterModelBackend

    for user in _accounts():
        expected = _flags_from_database(user)
        for backend in (RegisterModelBackend(), RegisterAccountBackend()):
            with CaptureQueriesContext(connection) as queries:
                loaded = backend.get_user(str(user.pk))
            if not user.is_active:
                assert loaded is None
                continue
            assert len(queries) == 1, [q["sql"] for q in queries]
            assert loaded == user
            assert loaded.email == user.email and loaded.password == user.password
            assert loaded.get_session_auth_hash() == user.get_session_auth_hash()
            with CaptureQueriesContext(connection) as queries:
                assert _role_flags(loaded) == expected, user
            assert len(queries) == 0


@pytest.mark.parametrize("user_id", ["999999999", "not a number", ""])
def test_a_session_naming_no_user_loads_nobody(user_id):
    from members.backends import RegisterModelBackend

    assert RegisterModelBackend().get_user(user_id) is None


def test_a_suspension_written_behind_the_signals_counts_at_the_next_request(client):
    """A bulk update (the register import's way, or a SQL fix) fires no signal, so the cached
    role flags said "may stay logged in" for up to a minute after the suspension. The session's
    user now carries flags read with it: the next request is shut out."""
    from ballots.models import Participation
    from members.models import Membership
    from tests.factories import choice, open_ballot

    anna = member()
    ballot = open_ballot()
    client.force_login(anna)
    assert client.get(ballot.get_absolute_url()).status_code == 200
    Membership.objects.filter(user=anna).update(status=MembershipStatus.SUSPENDED)
    vote = {"step": "cast", "choice": str(choice(ballot, "Voor").pk)}
    response = client.post(reverse("ballots:vote", args=[ballot.pk]), vote)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert not Participation.objects.filter(ballot=ballot).exists()


def test_a_logged_in_request_asks_once_for_who_is_asking(client, settings):
    """A member's request pays one query for who they are and what they may (issue #18: it
    was the user and the role flags), and with sessions in the database one for the session
    (the copy in Redis: tests/members/test_sessions.py)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    anna = member()
    client.force_login(anna)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("faq:my_questions"))
    assert page.status_code == 200
    assert len([q for q in queries if "django_session" in q["sql"]]) == 1
    who = [q["sql"] for q in queries if 'FROM "members_user"' in q["sql"]]
    assert len(who) == 1, who
    assert "EXISTS" in who[0]  # the role flags came with the user
