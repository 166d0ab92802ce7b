"""Importing the member register: plan the changes a CSV makes, then apply all or nothing.

The register is authoritative for the people in the file: their name, email, region, role
and ambassador weight. It is keyed on the membership number, so importing the same file
twice changes nothing the second time. Members missing from the file are left alone (a file
may cover part of the register); ending a membership is done in the admin.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Mandate, Membership, MembershipStatus, Region, RoleChange, User
from members.register_csv import RegisterRow, RowError, parse_register
from members.roles import BOARD_GROUP_NAME, sync_board_group

ROLE_LABELS = {
    "member": "lid",
    "ambassador": "ambassadeur",
    "deputy": "plaatsvervanger",
    "board": "bestuur",
}


@dataclass
class PlannedRow:
    row: RegisterRow
    region: Region
    membership: Membership | None
    user: User | None  # an existing account (with or without a membership)
    changes: list[str] = field(default_factory=list)
    role_change: str | None = None  # one of `changes` (or, for a new member, the only one)

    @property
    def kind(self) -> str:
        if self.membership is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def of_kind(self, kind: str) -> list[PlannedRow]:
        return [planned for planned in self.rows if planned.kind == kind]

    @property
    def creates(self) -> list[PlannedRow]:
        return self.of_kind("create")

    @property
    def updates(self) -> list[PlannedRow]:
        return self.of_kind("update")

    @property
    def unchanged(self) -> list[PlannedRow]:
        return self.of_kind("unchanged")

    def summary(self) -> str:
        errors = len(self.errors)
        return _("%(new)s nieuw, %(changed)s gewijzigd, %(unchanged)s ongewijzigd, %(errors)s") % {
            "new": len(self.creates),
            "changed": len(self.updates),
            "unchanged": len(self.unchanged),
            "errors": ngettext("%(count)s fout", "%(count)s fouten", errors) % {"count": errors},
        }


class RegisterImportRejected(Exception):
    """The file has at least one bad row; nothing was imported."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        super().__init__("; ".join(str(error) for error in plan.errors))


def plan_register_import(data: bytes) -> ImportPlan:
    """What importing `data` would change, without changing anything."""
    parsed = parse_register(data)
    errors = list(parsed.errors)
    regions = _regions_by_key()
    for line, region in parsed.refused_regions.items():
        if region and region.lower() not in regions:
            errors.append(
                RowError(line, _("onbekende regio %(region)s") % {"region": repr(region)})
            )
    if not parsed.rows:
        return ImportPlan(rows=[], errors=one_error_per_line(errors))
    numbers = [row.membership_number for row in parsed.rows]
    memberships = {
        membership.membership_number: membership
        for membership in Membership.objects.select_related("user", "region").filter(
            membership_number__in=numbers
        )
    }
    # Stored addresses may have capitals (the admin keeps what was typed); the file's are
    # lowercased, so compare case-insensitively.
    users_by_email = {
        user.email.lower(): user
        for user in User.objects.select_related("membership")
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[row.email for row in parsed.rows])
    }
    current_roles = _current_roles(
        [m.user_id for m in memberships.values()] + [u.pk for u in users_by_email.values()]
    )
    seats: dict[tuple[int, bool], int] = {}
    planned_rows: list[PlannedRow] = []
    for row in parsed.rows:
        # Every check runs, so a row with several problems names them all at once (the board
        # used to fix one, upload again and only then learn of the next).
        problems: list[str] = []
        region = regions.get(row.region.lower())
        if region is None:
            problems.append(_("onbekende regio %(region)s") % {"region": repr(row.region)})
        membership = memberships.get(row.membership_number)
        owner = users_by_email.get(row.email)
        if owner is not None and (membership is None or owner.pk != membership.user_id):
            other = getattr(owner, "membership", None)
            if other is not None or membership is not None:
                holder = (
                    _("lid %(number)s") % {"number": other.membership_number}
                    if other
                    else _("een ander account")
                )
                problems.append(
                    _("e-mailadres %(email)s hoort al bij %(holder)s")
                    % {"email": repr(row.email), "holder": holder}
                )
        if region is not None and row.role in ("ambassador", "deputy"):
            seat = (region.pk, row.role == "deputy")
            if seat in seats:
                problems.append(
                    _("regio %(region)s krijgt ook een %(role)s op regel %(line)s")
                    % {"region": region.name, "role": ROLE_LABELS[row.role], "line": seats[seat]}
                )
            else:
                seats[seat] = row.line
        if problems:
            errors.extend(RowError(row.line, problem) for problem in problems)
            continue
        user = membership.user if membership else owner
        planned = PlannedRow(row=row, region=region, membership=membership, user=user)
        # A new account starts as a plain member: making it board or ambassador is recorded.
        current = current_roles.get(user.pk) if user else None
        planned.role_change = _role_change(row, region, current or CurrentRole("member"))
        if membership is not None:
            planned.changes = _describe_changes(row, region, membership, planned.role_change)
        planned_rows.append(planned)
    return ImportPlan(rows=planned_rows, errors=one_error_per_line(errors))


def one_error_per_line(errors: list[RowError]) -> list[RowError]:
    """One error per bad line naming all its problems (the file's own and the register's), in
    line order: the count of errors is the count of lines to fix."""
    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(error.message)
    return [RowError(line, "; ".join(messages)) for line, messages in sorted(by_line.items())]


def apply_register_import(data: bytes, *, by: User | None = None) -> ImportPlan:
    """Import `data` in one transaction: every row, or (with any bad row) none.

    Raises RegisterImportRejected naming each bad row. The plan is made again inside the
    transaction, so a preview that went stale is never applied blindly. Every role given or
    taken is recorded as a RoleChange by `by` (None: the command line).
    """
    try:
        with transaction.atomic():
            plan = plan_register_import(data)
            if not plan.ok:
                raise RegisterImportRejected(plan)
            _apply(plan, by)
    except IntegrityError as exc:
        # A concurrent change to the register (another import, the admin) got in between.
        plan = ImportPlan(
            rows=[],
            errors=[
                RowError(
                    0, _("het register veranderde tijdens de import (%(error)s)") % {"error": exc}
                )
            ],
        )
        raise RegisterImportRejected(plan) from exc
    return plan


def _regions_by_key() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for region in Region.objects.all():
        regions[region.code.lower()] = region
        regions[region.name.lower()] = region
    return regions


@dataclass(frozen=True)
class CurrentRole:
    role: str
    region_id: int | None = None
    weight: int | None = None


def _current_roles(user_ids: list[int]) -> dict[int, CurrentRole]:
    roles: dict[int, CurrentRole] = {}
    board_ids = set(
        User.objects.filter(pk__in=user_ids, groups__name=BOARD_GROUP_NAME).values_list(
            "pk", flat=True
        )
    )
    for mandate in Mandate.objects.current().filter(user_id__in=user_ids):
        role = "deputy" if mandate.is_deputy else "ambassador"
        roles[mandate.user_id] = CurrentRole(role, mandate.region_id, mandate.weight)
    for user_id in board_ids:
        roles[user_id] = CurrentRole("board")
    return roles


def _role_change(row: RegisterRow, region: Region, current: CurrentRole) -> str | None:
    """The row's change of role, seat or ambassador weight, described; None if none."""
    wanted = CurrentRole(
        row.role,
        region.pk if row.role in ("ambassador", "deputy") else None,
        row.weight if row.role in ("ambassador", "deputy") else None,
    )
    if (current.role, current.region_id) != (wanted.role, wanted.region_id):
        return f"rol: {ROLE_LABELS[current.role]} → {ROLE_LABELS[wanted.role]}"
    if current.weight != wanted.weight:
        return f"stemgewicht: {_weight_label(current.weight)} → {_weight_label(wanted.weight)}"
    return None


def _describe_changes(
    row: RegisterRow, region: Region, membership: Membership, role_change: str | None
) -> list[str]:
    user = membership.user
    changes = []
    if user.full_name != row.name:
        changes.append(f"naam: {user.full_name!r} → {row.name!r}")
    if user.email.lower() != row.email:
        changes.append(f"e-mail: {user.email} → {row.email}")
    if membership.region_id != region.pk:
        changes.append(f"regio: {membership.region.name} → {region.name}")
    if membership.status != MembershipStatus.ACTIVE:
        changes.append(f"status: {membership.get_status_display()} → actief")
    if role_change:
        changes.append(role_change)
    return changes


def _weight_label(weight: int | None) -> str:
    return "automatisch" if weight is None else str(weight)


def _apply(plan: ImportPlan, by: User | None) -> None:
    board = sync_board_group()
    today = timezone.localdate()
    people: list[tuple[PlannedRow, User]] = []
    for planned in plan.rows:
        if planned.kind == "unchanged":
            continue
        people.append((planned, _save_person(planned, today)))
    # Seats are freed before they are filled, so an ambassador handing over to another in
    # the same file never trips the one-open-seat-per-region constraint.
    for planned, user in people:
        _end_other_mandates(planned, user, today)
    for planned, user in people:
        _set_role(planned, user, board, today)
    # Who gave or took which role, and when: the board's only way to change roles is this
    # import, so this is the whole record of it (a superuser's admin edits are in its log).
    RoleChange.objects.bulk_create(
        RoleChange(user=user, role=planned.row.role, change=planned.role_change, changed_by=by)
        for planned, user in people
        if planned.role_change
    )


def _save_person(planned: PlannedRow, today) -> User:
    row = planned.row
    user = planned.user
    if user is None:
        user = User.objects.create_user(email=row.email, full_name=row.name)
    else:
        email_changed = user.email.lower() != row.email
        user.full_name = row.name
        user.email = row.email
        user.save(update_fields=["full_name", "email"])
        if email_changed:
            # A new address must be verified again before it can be used to log in.
            EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.get_or_create(
        user=user, email=row.email, defaults={"primary": True, "verified": False}
    )
    membership = planned.membership
    if membership is None:
        Membership.objects.create(
            user=user,
            membership_number=row.membership_number,
            region=planned.region,
            joined_on=today,
        )
    else:
        membership.region = planned.region
        membership.status = MembershipStatus.ACTIVE
        membership.ended_on = None
        membership.save(update_fields=["region", "status", "ended_on", "updated_at"])
    return user


def _end_mandate(mandate: Mandate, today) -> None:
    if mandate.valid_from >= today:
        mandate.delete()  # it never took effect: nothing to keep
    else:
        mandate.valid_to = today
        mandate.save(update_fields=["valid_to"])


def _end_other_mandates(planned: PlannedRow, user: User, today) -> None:
    row = planned.row
    is_deputy = row.role == "deputy"
    for mandate in Mandate.objects.current().filter(user=user):
        keeps_seat = row.role in ("ambassador", "deputy") and (
            mandate.region_id == planned.region.pk and mandate.is_deputy == is_deputy
        )
        if not keeps_seat:
            _end_mandate(mandate, today)
    if row.role in ("ambassador", "deputy"):
        seat_holders = Mandate.objects.current().filter(region=planned.region, is_deputy=is_deputy)
        for mandate in seat_holders.exclude(user=user):
            _end_mandate(mandate, today)


def _set_role(planned: PlannedRow, user: User, board, today) -> None:
    row = planned.row
    if row.role == "board":
        user.groups.add(board)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    elif user.groups.filter(pk=board.pk).exists():
        # Leaving the board ends the admin access it gave; staff rights given otherwise (the
        # secretariat's accounts) are not the register's to take away.
        user.groups.remove(board)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    if row.role in ("ambassador", "deputy"):
        mandate = (
            Mandate.objects.current()
            .filter(user=user, region=planned.region, is_deputy=row.role == "deputy")
            .first()
        )
        if mandate is None:
            Mandate.objects.create(
                user=user,
                region=planned.region,
                is_deputy=row.role == "deputy",
                weight=row.weight,
                valid_from=today,
            )
        elif mandate.weight != row.weight:
            mandate.weight = row.weight
            mandate.save(update_fields=["weight"])
