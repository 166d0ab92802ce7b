"""Who is who: the board role, ambassadors, and which of them need a second factor."""

import contextlib
import functools

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from members.selectors import may_log_in_with

BOARD_GROUP_NAME = "Bestuur"


def board_permission_names() -> list[str]:
    """Every "app_label.codename" the board role holds, as declared by each app's config."""
    names: list[str] = []
    for config in apps.get_app_configs():
        names.extend(getattr(config, "board_permissions", []))
    return names


# Never the board's, whatever an app declares: each would let a board member raise rights
# (theirs or anyone's), set a password or remove a second factor and so act as someone else,
# or hand out a role outside the register import (issue #13).
NEVER_BOARD_APPS = ("auth", "account", "mfa", "sessions", "admin", "contenttypes")
NEVER_BOARD_PERMISSIONS = {
    f"members.{action}_{model}"
    for action in ("add", "change", "delete")
    for model in ("user", "mandate", "rolechange")
}


def sync_board_group() -> Group:
    """Create the board group if needed and give it exactly the declared permissions."""
    group, _ = Group.objects.get_or_create(name=BOARD_GROUP_NAME)
    wanted = board_permission_names()
    permissions = []
    for name in wanted:
        app_label, codename = name.split(".", 1)
        if app_label in NEVER_BOARD_APPS or name in NEVER_BOARD_PERMISSIONS:
            raise ValueError(f"Board permission {name!r} would give power over accounts or roles.")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is None:
            raise LookupError(f"Board permission {name!r} does not exist (missing migration?).")
        permissions.append(permission)
    group.permissions.set(permissions)
    return group


def sync_board_group_after_migrate(sender, app_config=None, **kwargs) -> None:
    # post_migrate fires once per app, in INSTALLED_APPS order, and each app's permissions are
    # created by its own signal: sync once, at the last app, when all of them exist.
    last_app = list(apps.get_app_configs())[-1]
    if app_config is None or app_config.label != last_app.label:
        return
    sync_board_group()


def is_board(user) -> bool:
    """Member of the board group. Asked on every page (the site shell, the second-factor
    check), so kept on the user object for the request and in the shared cache between
    requests (see _role_flags)."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_ledenstem_is_board", None)
    if cached is None:
        cached = _role_flags(user)["board"]
        user._ledenstem_is_board = cached
    return cached


def _is_board_now(user) -> bool:
    return user.groups.filter(name=BOARD_GROUP_NAME).exists()


def is_ambassador(user) -> bool:
    """True for a current ambassador or deputy of any region."""
    if not user.is_authenticated:
        return False
    from members.models import Mandate

    return Mandate.objects.current().filter(user=user).exists()


def requires_second_factor(user) -> bool:
    """Board members, ambassadors and anyone with admin access must use a second factor."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or is_board(user) or is_ambassador(user)


def has_second_factor(user) -> bool:
    """A TOTP app or a passkey; recovery codes alone are a fallback, not a factor."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


ROLE_FLAGS_SECONDS = 60


def _flags_key(user_id: int) -> str:
    return f"role-flags:2:{user_id}"  # 2: with "may_log_in"


def _role_flags(user) -> dict:
    """{"board": ..., "second_factor_missing": ..., "may_log_in": ...} for this user, kept in
    the shared cache for a minute; changes of groups, mandates, memberships, staff flags and
    authenticators clear it at once (members.signals). A cache that cannot be reached is no
    reason to refuse a page: the database answers then. Kept on the user object too, so the
    two middlewares asking on every request share one cache read (request.user is loaded
    afresh for each request)."""
    memo = getattr(user, "_ledenstem_role_flags", None)
    if memo is not None:
        return memo
    key = _flags_key(user.pk)
    try:
        flags = cache.get(key)
    except Exception:  # Redis down: correctness first, the cache only saves queries
        flags = None
    if flags is None:
        flags = _flags_from_database(user)
        user._ledenstem_is_board = flags["board"]
        with contextlib.suppress(Exception):
            cache.set(key, flags, ROLE_FLAGS_SECONDS)
    user._ledenstem_role_flags = flags
    return flags


def _flags_from_database(user) -> dict:
    """The role flags in one query (issue #18: a member's first request after the cache
    expired paid four: groups, mandates, authenticators, membership; at an assembly every
    member's first request is such a request). The same answers as is_board,
    requires_second_factor, has_second_factor and may_log_in (tests/members/test_roles.py
    compares them for every kind of account).

    Written as SQL, built once per process: the same query through the ORM spent ~2 ms of
    CPU compiling four subqueries, three times the rest of a member's request, and with
    thousands of members arriving nearly every request is someone's first."""
    with connection.cursor() as cursor:
        cursor.execute(_flags_sql(with_user=False), _flags_params(user.pk))
        row = cursor.fetchone()
    if row is None:  # the account is gone: nothing may go on
        return {"board": False, "second_factor_missing": False, "may_log_in": False}
    return _flags_from_row(user, row)


def user_with_role_flags(user_id: int):
    """The user and their role flags in one query, the flags kept on the object for the
    request (members.backends loads every session's user so): no cache read, no second query,
    and the flags are as fresh as the user row (a suspension or a revoked mandate counts from
    the next request, not after the cache's minute). None when there is no such user."""
    from members.models import User

    with connection.cursor() as cursor:
        cursor.execute(_flags_sql(with_user=True), _flags_params(user_id))
        row = cursor.fetchone()
    if row is None:
        return None
    names = _user_attnames()
    user = User.from_db(connection.alias, names, row[: len(names)])
    flags = _flags_from_row(user, row[len(names) :])
    user._ledenstem_role_flags = flags
    user._ledenstem_is_board = flags["board"]
    return user


def _flags_from_row(user, row) -> dict:
    board, ambassador, factor, membership_status = bool(row[0]), bool(row[1]), bool(row[2]), row[3]
    requires = user.is_staff or user.is_superuser or board or ambassador
    return {
        "board": board,
        "second_factor_missing": requires and not factor,
        "may_log_in": may_log_in_with(user, membership_status),
    }


def _flags_params(user_id: int) -> dict:
    from allauth.mfa.models import Authenticator

    day = connection.ops.adapt_datefield_value(timezone.localdate())
    return {
        "user": user_id,
        "board": BOARD_GROUP_NAME,
        "day": day,
        "totp": Authenticator.Type.TOTP.value,
        "webauthn": Authenticator.Type.WEBAUTHN.value,
    }


@functools.cache
def _user_attnames() -> tuple[str, ...]:
    from members.models import User

    return tuple(field.attname for field in User._meta.concrete_fields)


@functools.cache
def _flags_sql(*, with_user: bool) -> str:
    """Board membership, a mandate in force today (MandateQuerySet.valid_on), a TOTP or
    passkey, and the membership's status, for one user (named parameters); led by the user's
    own columns when `with_user`."""
    from allauth.mfa.models import Authenticator

    from members.models import Mandate, Membership, User

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    user_columns = "".join(
        f"u.{connection.ops.quote_name(field.column)}, " for field in User._meta.concrete_fields
    )
    user_groups = User.groups.through
    return f"""
        SELECT {user_columns if with_user else ""}
          EXISTS (SELECT 1 FROM {table(Group)} g
                  JOIN {table(user_groups)} ug ON ug.group_id = g.id
                  WHERE ug.user_id = u.id AND g.name = %(board)s),
          EXISTS (SELECT 1 FROM {table(Mandate)} m
                  WHERE m.user_id = u.id AND m.valid_from <= %(day)s
                    AND (m.valid_to IS NULL OR m.valid_to > %(day)s)),
          EXISTS (SELECT 1 FROM {table(Authenticator)} a
                  WHERE a.user_id = u.id AND a.type IN (%(totp)s, %(webauthn)s)),
          (SELECT ms.status FROM {table(Membership)} ms WHERE ms.user_id = u.id)
        FROM {table(User)} u
        WHERE u.id = %(user)s
    """


def second_factor_missing(user) -> bool:
    """Whether this user's role needs a second factor they have not set up (asked on every
    request by RequireSecondFactorMiddleware)."""
    if not user.is_authenticated:
        return False
    return _role_flags(user)["second_factor_missing"]


def may_stay_logged_in(user) -> bool:
    """Whether this user's session may go on (asked on every request by
    EndLapsedSessionsMiddleware): their membership is still active (members.selectors)."""
    if not user.is_authenticated:
        return True
    return _role_flags(user)["may_log_in"]


def forget_role_flags(user_id: int) -> None:
    # If the cache cannot be reached now, a stale answer lives at most a minute.
    with contextlib.suppress(Exception):
        cache.delete(_flags_key(user_id))
