"""Board members, ambassadors and admin users must set up a second factor first."""

import pytest
from django.urls import reverse

from tests.factories import add_totp, ambassador, board_member, member

pytestmark = pytest.mark.django_db

SETUP_URL = reverse("mfa_activate_totp")


def assert_sent_to_setup(response, next_path: str):
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP_URL)
    assert f"next={next_path.replace('/', '%2F')}" in response["Location"]


@pytest.mark.parametrize("make_user", [board_member, ambassador], ids=["board", "ambassador"])
@pytest.mark.parametrize("path", ["/", "/bestuur/", "/faq/", "/beheer/"])
def test_role_without_second_factor_is_sent_to_set_one_up(client, make_user, path):
    client.force_login(make_user())
    assert_sent_to_setup(client.get(path), path)


def test_admin_user_without_membership_needs_a_second_factor_too(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.nl", "pw-123456789")
    client.force_login(admin)
    assert_sent_to_setup(client.get("/beheer/"), "/beheer/")


@pytest.mark.parametrize("make_user", [board_member, ambassador], ids=["board", "ambassador"])
def test_account_pages_stay_reachable_to_set_up_the_factor(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_email")).status_code == 200


def test_board_member_with_totp_reaches_the_board_page(client):
    user = board_member()
    add_totp(user)
    client.force_login(user)
    assert client.get("/bestuur/").status_code == 200


def test_ambassador_with_totp_reaches_pages(client):
    user = ambassador()
    add_totp(user)
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_ordinary_member_is_not_asked_for_a_second_factor(client):
    client.force_login(member())
    assert client.get("/").status_code == 200
    assert client.get("/faq/").status_code == 200


def test_recovery_codes_alone_do_not_count_as_a_second_factor(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = board_member()
    RecoveryCodes.activate(user)
    client.force_login(user)
    assert_sent_to_setup(client.get("/bestuur/"), "/bestuur/")


def test_ended_mandate_no_longer_requires_a_second_factor(client):
    import datetime

    from members.models import Mandate

    user = ambassador()
    Mandate.objects.filter(user=user).update(valid_to=datetime.date.today())
    client.force_login(user)
    assert client.get("/").status_code == 200
