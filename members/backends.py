"""The login backends, loading a session's user with the role flags in one query.

Every request asks who the user is and what they may (board, second factor, membership):
Django's backends load the user, and the role flags came from the cache or a second query.
These load both at once (members.roles.user_with_role_flags); logging in and everything else
is exactly Django's and allauth's. A session records its backend's path, so sessions made by
the stock backends before this change end once (the member logs in again).
"""

from allauth.account.auth_backends import AuthenticationBackend
from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from members.models import User
from members.roles import user_with_role_flags


class _LoadsRoleFlags:
    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:  # a session that does not hold a user id
            return None
        user = user_with_role_flags(pk)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)


class RegisterModelBackend(_LoadsRoleFlags, ModelBackend):
    """Django's ModelBackend (email and password), the user loaded with the role flags."""


class RegisterAccountBackend(_LoadsRoleFlags, AuthenticationBackend):
    """allauth's backend (login by code, passkeys), the user loaded with the role flags."""
