"""The second-factor requirement is cached per user, and role or authenticator changes take
effect on the very next request."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from members.roles import BOARD_GROUP_NAME
from tests.factories import MandateFactory, add_totp, member

pytestmark = pytest.mark.django_db


def sent_to_totp_setup(client) -> bool:
    response = client.get(reverse("ballots:index"))
    return response.status_code == 302 and reverse("mfa_activate_totp") in response["Location"]


def test_becoming_board_requires_a_second_factor_at_once(client):
    user = member()
    client.force_login(user)
    assert not sent_to_totp_setup(client)  # cached: "nothing missing"
    user.groups.add(Group.objects.get(name=BOARD_GROUP_NAME))
    assert sent_to_totp_setup(client)
    add_totp(user)
    assert not sent_to_totp_setup(client)


def test_board_group_changed_from_the_group_side(client):
    user = member()
    client.force_login(user)
    assert not sent_to_totp_setup(client)
    Group.objects.get(name=BOARD_GROUP_NAME).user_set.add(user)
    assert sent_to_totp_setup(client)


def test_a_new_mandate_or_staff_flag_requires_it_too(client):
    ambassador, staff = member(), member()
    client.force_login(ambassador)
    assert not sent_to_totp_setup(client)
    MandateFactory(user=ambassador, region=ambassador.membership.region)
    assert sent_to_totp_setup(client)
    client.force_login(staff)
    assert not sent_to_totp_setup(client)
    staff.is_staff = True
    staff.save()
    assert sent_to_totp_setup(client)
