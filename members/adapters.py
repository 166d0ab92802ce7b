"""allauth adapters: the member register decides who may have an account.

There is no open sign-up. Accounts are created by the register import with the member's
email address and no password; a member activates theirs by logging in with a code sent to
that address (or by setting a password through "wachtwoord vergeten"). An address that is
not in the register gets no code and no account.
"""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.models import Membership, MembershipStatus, User
from members.selectors import may_log_in


class NotInRegister(ValidationError):
    """The address is not an active member's (members.forms.ResetPasswordForm keeps it quiet)."""


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
            raise NotInRegister(
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

    # --- The first second factor right after logging in (issue #16, item 9) ---------------
    # A board member or ambassador without a second factor is sent from the login straight
    # to setting one up (members.middleware); allauth counts only a *re*authentication as
    # recent, so the member typed the password they had entered seconds before a second
    # time. A login within the reauthentication window counts for setting up the *first*
    # factors in that same session (the app and its recovery codes); every change to a
    # factor that existed before this login still asks again.

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and self._just_logged_in_without_factor():
            return False
        return required

    def _just_logged_in_without_factor(self) -> bool:
        import datetime
        import time

        from allauth.account import app_settings as account_settings
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.mfa.models import Authenticator

        request = self.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return False
        records = get_authentication_records(request, user)
        if not records:
            return False
        logged_in_at = records[-1].get("at", 0)
        if time.time() - logged_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        # Only factors set up in this very session (the first TOTP and the recovery codes
        # it comes with); a factor that existed before this login still asks again.
        since = datetime.datetime.fromtimestamp(logged_in_at, tz=datetime.UTC)
        return not Authenticator.objects.filter(user=user, created_at__lt=since).exists()

    # --- allauth's emails: our links, our greeting --------------------------------------------
    # allauth makes links from the request's host and greets with "Hallo van <host>!": links
    # come from SITE_URL like every other absolute link, and templates/account/email/ greets
    # the member by name on behalf of the association.

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        context = {
            "association_name": settings.ASSOCIATION_NAME,
            "site_url": settings.SITE_URL,
            "recipient_name": user.get_full_name() if user and user.full_name else "",
            **context,
        }
        super().send_mail(template_prefix, email, context)


def on_site(url: str) -> str:
    """`url`, which allauth built from the request's host, at settings.SITE_URL instead."""
    return settings.SITE_URL + urlsplit(url)._replace(scheme="", netloc="").geturl()


class SecondFactorAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email
