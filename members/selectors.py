"""Reads about the register that several pages and commands need."""

from django.db.models import Count

from members.models import Mandate, Membership, MembershipStatus


def active_member_counts() -> dict[int, int]:
    """Active members per region id, in one query."""
    rows = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .values("region_id")
        .annotate(total=Count("pk"))
    )
    return {row["region_id"]: row["total"] for row in rows}


def effective_weight(mandate: Mandate, counts: dict[int, int] | None = None) -> int:
    """A mandate's weight: the explicit one, or else its region's active member count."""
    if mandate.weight is not None:
        return mandate.weight
    if counts is None:
        return Membership.objects.filter(
            region_id=mandate.region_id, status=MembershipStatus.ACTIVE
        ).count()
    return counts.get(mandate.region_id, 0)


def may_log_in(user) -> bool:
    """Members log in while their membership is active; staff without one (secretariat) too.
    A board member is staff, and was let in with a suspended membership: only a superuser (who
    can put a wrong status right) is never shut out by their membership."""
    membership = Membership.objects.filter(user=user).only("status").first()
    return may_log_in_with(user, membership.status if membership else None)


def may_log_in_with(user, membership_status: str | None) -> bool:
    """may_log_in, given the status of the user's membership (None: they have none)."""
    if not user.is_active:
        return False
    if membership_status is None:
        return user.is_staff or user.is_superuser
    return membership_status == MembershipStatus.ACTIVE or user.is_superuser
