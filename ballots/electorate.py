"""Who may vote in a ballot, and with what weight (frozen into Elector rows at opening)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from ballots.models import Ballot, ElectorateKind, ReportingGroup
from ledenstem_verify.reporting_groups import plan_groups
from members.models import Mandate, Membership, MembershipStatus, Region
from members.selectors import active_member_counts, effective_weight


@dataclass(frozen=True)
class Eligible:
    user_id: int
    region_id: int
    weight: int


def eligible_electors(ballot: Ballot) -> list[Eligible]:
    """Members: every active membership in scope, weight 1. Ambassadors: every ambassador
    mandate (not deputies: they vote only by proxy) in force today, with its weight."""
    region_ids = list(ballot.regions.values_list("pk", flat=True))
    if ballot.electorate == ElectorateKind.MEMBERS:
        memberships = Membership.objects.filter(
            status=MembershipStatus.ACTIVE, user__is_active=True
        )
        if region_ids:
            memberships = memberships.filter(region_id__in=region_ids)
        return [
            Eligible(user_id, region_id, 1)
            for user_id, region_id in memberships.values_list("user_id", "region_id")
        ]
    mandates = Mandate.objects.valid_on(timezone.localdate()).filter(is_deputy=False)
    if region_ids:
        mandates = mandates.filter(region_id__in=region_ids)
    counts = active_member_counts()
    electors = [Eligible(m.user_id, m.region_id, effective_weight(m, counts)) for m in mandates]
    return [elector for elector in electors if elector.weight > 0]


def summary_by_region(eligible: list[Eligible]) -> dict[int, tuple[int, int]]:
    """region id -> (electors, total weight), for the preview before opening."""
    summary: dict[int, tuple[int, int]] = {}
    for elector in eligible:
        count, weight = summary.get(elector.region_id, (0, 0))
        summary[elector.region_id] = (count + 1, weight + elector.weight)
    return summary


def freeze_reporting_groups(ballot: Ballot, eligible: list[Eligible]) -> dict[int, ReportingGroup]:
    """Secret ballots, at opening: the reporting groups (ledenstem_verify.reporting_groups) as rows;
    returns region id -> group. Empty (no breakdown) when fewer than two groups reach K."""
    counts: dict[int, int] = {}
    for elector in eligible:
        counts[elector.region_id] = counts.get(elector.region_id, 0) + 1
    names = dict(Region.objects.filter(pk__in=counts).values_list("pk", "name"))
    planned = plan_groups(
        [(pk, names[pk], n) for pk, n in counts.items()], settings.REPORTING_GROUP_MINIMUM
    )
    by_region: dict[int, ReportingGroup] = {}
    for number, plan in enumerate(planned, start=1):
        group = ReportingGroup.objects.create(ballot=ballot, number=number, name=plan.name)
        group.regions.set(plan.region_ids)
        by_region.update(dict.fromkeys(plan.region_ids, group))
    return by_region


def freeze_electors(
    ballot: Ballot, eligible: list[Eligible], groups: dict[int, ReportingGroup]
) -> None:
    """The Elector rows of an opening ballot. On PostgreSQL, above a few hundred, by COPY
    (ballots.bulk_copy): the ORM spent ~70 µs of Python per row building and adapting the
    INSERTs, 7 s of an opening at 100,000 electors (issue #18), all of it holding the ballot's
    row lock."""
    from ballots import bulk_copy
    from ballots.models import Elector

    if bulk_copy.use_copy(len(eligible)):
        group_ids = {region_id: group.pk for region_id, group in groups.items()}
        bulk_copy.copy_rows(
            Elector,
            ["ballot_id", "user_id", "region_id", "weight", "present", "group_id"],
            (
                (ballot.pk, e.user_id, e.region_id, e.weight, False, group_ids.get(e.region_id))
                for e in eligible
            ),
        )
        return
    Elector.objects.bulk_create(
        (
            Elector(
                ballot=ballot,
                user_id=e.user_id,
                region_id=e.region_id,
                weight=e.weight,
                group=groups.get(e.region_id),
            )
            for e in eligible
        ),
        batch_size=2000,
    )
