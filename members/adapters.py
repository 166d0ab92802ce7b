"""allauth adapters: the member register decides who may have an account.

There is no open sign-up. Accounts are created by the register import with the member's
email address and no password; a member activates theirs by logging in with a code sent to
that address (or by setting a password through "wachtwoord vergeten"). An address that is
not in the register gets no code and no account.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.models import Membership, MembershipStatus
from members.selectors import may_log_in


def email_in_register(email: str) -> bool:
    return Membership.objects.filter(
        user__email__iexact=email.strip(), status=MembershipStatus.ACTIVE
    ).exists()


class RegisterAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from the register import only.
        return False

    def clean_email(self, email: str) -> str:
        """Any form that would attach a new address to an account (sign-up, adding an email)
        accepts only addresses of active members in the register."""
        email = super().clean_email(email)
        if not email_in_register(email):
            raise ValidationError(
                _(
                    "Dit e-mailadres staat niet in het ledenregister. Gebruik het adres dat de "
                    "vereniging van u heeft, of neem contact op met het secretariaat."
                )
            )
        return email

    def pre_login(self, request, user, **kwargs):
        if not may_log_in(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)


class SecondFactorAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email
