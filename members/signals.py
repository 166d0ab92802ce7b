"""Clear a user's cached role flags (board, second factor missing) when what they are computed
from changes: authenticators, board group membership, mandates, memberships (a suspended
member's session ends at their next request), staff flags."""

from allauth.mfa.models import Authenticator
from django.db.models.signals import m2m_changed, post_delete, post_save

from members.models import Mandate, Membership, User
from members.roles import forget_role_flags


def _forget_for_owner(sender, instance, **kwargs) -> None:
    forget_role_flags(instance.user_id)


def _forget_for_user(sender, instance, **kwargs) -> None:
    forget_role_flags(instance.pk)


def _forget_for_group_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set changed: the users are in pk_set (all of them on clear)
        users = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
        for user_id in users:
            forget_role_flags(user_id)
    else:
        forget_role_flags(instance.pk)


def connect() -> None:
    for model in (Authenticator, Mandate, Membership):
        post_save.connect(_forget_for_owner, sender=model, dispatch_uid=f"2fa-{model.__name__}")
        post_delete.connect(_forget_for_owner, sender=model, dispatch_uid=f"2fa-d-{model.__name__}")
    post_save.connect(_forget_for_user, sender=User, dispatch_uid="2fa-user")
    m2m_changed.connect(_forget_for_group_change, sender=User.groups.through, dispatch_uid="2fa-g")
