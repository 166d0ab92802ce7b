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


def test_password_reset_answers_alike_for_members_and_everyone_else(client):
    """Issue #13: the reset form said "niet in het ledenregister" for an address outside the
    register (or a suspended member's) and redirected for a member's, so anyone could test
    addresses against the register. Now the answer is the same; only the mailbox differs."""
    member(email="anna@example.nl")
    former = member(email="former@example.nl")
    Membership.objects.filter(user=former).update(status=MembershipStatus.SUSPENDED)
    answers = set()
    for email in ("anna@example.nl", "former@example.nl", "stranger@example.nl"):
        response = client.post(reverse("account_reset_password"), {"email": email})
        answers.add((response.status_code, response.get("Location"), response.content))
    assert len(answers) == 1, answers
    assert next(iter(answers))[:2] == (302, reverse("account_reset_password_done"))
    mailed = {message.to[0]: message.body for message in mail.outbox}
    assert "/accounts/password/reset/key/" in mailed["anna@example.nl"]
    for other in ("former@example.nl", "stranger@example.nl"):
        assert "/accounts/password/reset/key/" not in mailed[other]
        assert "niet in het ledenregister" in mailed[other]


@pytest.mark.parametrize("role", ["member", "board"])
@pytest.mark.parametrize("status", [MembershipStatus.SUSPENDED, MembershipStatus.ENDED])
def test_a_suspended_member_loses_the_session_they_have_open(client, role, status):
    """Issue #13: suspending a member did not end their session, so an open browser kept its
    voting rights (a board member, being staff, even kept logging in)."""
    from ballots.models import Participation
    from tests.factories import add_totp, board_member, choice, open_ballot

    anna = member(email="anna@example.nl") if role == "member" else board_member()
    if role == "board":
        add_totp(anna)
    ballot = open_ballot()
    client.force_login(anna)
    assert client.get(ballot.get_absolute_url()).status_code == 200
    # As the admin's membership page saves it.
    membership = Membership.objects.get(user=anna)
    membership.status = status
    membership.save()
    vote = {"step": "cast", "choice": str(choice(ballot, "Voor").pk)}
    response = client.post(reverse("ballots:vote", args=[ballot.pk]), vote)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert not Participation.objects.filter(ballot=ballot).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(ballot.get_absolute_url()).status_code == 302  # to the login page
    assert client.get(reverse("faq:my_questions")).status_code == 302


def test_adding_an_address_answers_alike_and_mails_no_one(client):
    """Found with issue #13: on "Mijn account" a member adding another member's address got a
    confirmation mail sent to that member, and an address outside the register got "niet in
    het ledenregister": a way to test any address against the register. The address comes
    from the register, so adding one is refused, in the same words for every address."""
    from tests.abuse.helpers import messages_of

    anna = member(email="anna@example.nl")
    member(email="bert@example.nl")
    client.force_login(anna)
    answers = set()
    for email in ("bert@example.nl", "stranger@example.nl", "anna.prive@example.nl"):
        response = client.post(reverse("account_email"), {"action_add": "", "email": email})
        # The page as it would read with any address typed in (the CSRF token is masked anew
        # on every page).
        page = re.sub(r'value="[^"]*"', "", response.content.decode().replace(email, "ADDRESS"))
        answers.add((response.status_code, page, tuple(map(str, messages_of(response)))))
    assert len(answers) == 1
    assert "Uw e-mailadres komt uit het ledenregister" in next(iter(answers))[1]
    assert mail.outbox == []
    assert list(EmailAddress.objects.filter(user=anna).values_list("email", flat=True)) == [
        "anna@example.nl"
    ]
