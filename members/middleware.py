"""Board members, ambassadors and admin users reach nothing without a second factor; a member
who may no longer log in reaches nothing at all."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from members.roles import may_stay_logged_in, second_factor_missing


class EndLapsedSessionsMiddleware:
    """Ends the session of a user whose membership was suspended or ended since they logged
    in: logging in checks it once (members.adapters), and an open browser kept its voting
    rights (issue #13). The answer comes from the cached role flags, cleared when the
    membership is saved, so the vote path pays no extra query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not may_stay_logged_in(user):
            logout(request)
            return redirect("account_inactive")
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """Sends a user whose role requires a second factor, and who has none yet, to set up TOTP
    (or a passkey) before any page other than the account pages.

    A middleware rather than a decorator: a board or ambassador page added later cannot
    forget it, and the admin is covered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._exempt(request.path)
            and second_factor_missing(user)
        ):
            messages.warning(
                request,
                _(
                    "Als bestuurslid of ambassadeur heeft u een tweede factor nodig. Stel eerst "
                    "een authenticator-app of passkey in."
                ),
            )
            target = reverse("mfa_activate_totp")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return any(path.startswith(prefix) for prefix in settings.MFA_REQUIRED_EXEMPT_PATHS)
