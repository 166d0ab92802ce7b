"""Accounts: only the register's people get in, by password or emailed code."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from members.models import Membership, MembershipStatus, User
from members.register_csv import COLUMNS
from members.register_import import apply_register_import
from tests.factories import PASSWORD, RegionFactory, member

pytestmark = pytest.mark.django_db


CODE_PATTERN = r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$"


def request_login_code(client, email: str):
    return client.post(reverse("account_request_login_code"), {"email": email})


def emailed_code(message) -> str:
    return re.search(CODE_PATTERN, message.body, re.MULTILINE).group(1)


def test_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.nl",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert not User.objects.filter(email="new@example.nl").exists()
    assert response.status_code == 200
    assert "account/signup_closed.html" in [template.name for template in response.templates]


def test_unknown_email_gets_no_code_and_no_account(client):
    response = request_login_code(client, "stranger@example.nl")
    assert response.status_code == 302  # same answer as for a member: no enumeration
    assert not User.objects.filter(email="stranger@example.nl").exists()
    [message] = mail.outbox
    assert message.to == ["stranger@example.nl"]
    assert "niet in het ledenregister" in message.body
    assert not re.search(CODE_PATTERN, message.body, re.MULTILINE)


def test_imported_member_activates_account_by_emailed_code(client):
    RegionFactory(code="utrecht", name="Utrecht")
    header = ",".join(COLUMNS)
    apply_register_import(f"{header}\n1001,Anna,anna@example.nl,utrecht,member,\n".encode())
    anna = User.objects.get(email="anna@example.nl")
    assert not EmailAddress.objects.get(user=anna).verified

    request_login_code(client, "Anna@Example.nl")
    [message] = mail.outbox
    response = client.post(reverse("account_confirm_login_code"), {"code": emailed_code(message)})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == anna
    assert EmailAddress.objects.get(user=anna).verified  # the code proved the address


def test_adapter_refuses_to_attach_an_address_outside_the_register(client):
    from members.adapters import RegisterAccountAdapter

    member(email="anna@example.nl")
    adapter = RegisterAccountAdapter()
    assert adapter.clean_email("anna@example.nl") == "anna@example.nl"
    with pytest.raises(Exception, match="niet in het ledenregister"):
        adapter.clean_email("stranger@example.nl")


@pytest.mark.parametrize("status", [MembershipStatus.ENDED, MembershipStatus.SUSPENDED])
def test_member_without_active_membership_cannot_log_in(client, status):
    user = member(email="former@example.nl")
    Membership.objects.filter(user=user).update(status=status)
    response = client.post(
        reverse("account_login"), {"login": "former@example.nl", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session


def test_member_logs_in_with_password(client):
    user = member(email="anna@example.nl")
    response = client.post(
        reverse("account_login"), {"login": "anna@example.nl", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_repeated_failed_logins_are_rate_limited(client):
    member(email="anna@example.nl")
    url = reverse("account_login")
    wrong = {"login": "anna@example.nl", "password": "wrong"}
    for _attempt in range(5):
        assert client.post(url, wrong).status_code == 200  # the form says the password is wrong
    # The sixth failure within five minutes is refused, even with the right password.
    response = client.post(url, {"login": "anna@example.nl", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert "Te veel inlogpogingen" in response.content.decode()
