"""The role flags every request asks for (board, second factor missing, may stay logged in):
one query when the cache has none (issue #18: at an assembly nearly every request is a
member's first), and exactly the answers of the separate rules for every kind of account."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
