"""The first login of a board member asks the password once (issue #16, item 9): right after
logging in they are sent to set up their second factor, and that set-up no longer asks for
the password they just typed. A later change to second factors still does."""

import time

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, add_totp, board_member

pytestmark = pytest.mark.django_db


def log_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_setting_up_the_first_factor_right_after_login_asks_no_password_again(client):
    user = board_member(email="nieuw@example.nl")
    log_in(client, user)
    page = client.get("/")
    assert page["Location"].startswith(reverse("mfa_activate_totp"))
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 200, activate.get("Location")


def test_an_old_login_still_asks_for_the_password(client, monkeypatch):
    user = board_member(email="later@example.nl")
    log_in(client, user)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_a_member_with_a_factor_reauthenticates_to_change_it(client):
    user = board_member(email="heeft@example.nl")
    add_totp(user)
    client.force_login(user)
    response = client.get(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
