"""The pure rule for reporting groups (ledenstem_verify.reporting_groups), over many random
electorates: every group reaches K, no small region ever stands alone, every region is in
exactly one group, and with fewer than two groups there is no breakdown."""

import random

import pytest

from ledenstem_verify.reporting_groups import breakdown_allowed, plan_groups


def check(regions, minimum):
    groups = plan_groups(regions, minimum)
    sizes = {pk: n for pk, _name, n in regions}
    if not groups:
        # Either fewer than two groups could be made, or nobody is in any region.
        big = [n for n in sizes.values() if n >= minimum]
        assert len(big) < 2 or sum(sizes.values()) < 2 * minimum or len(big) == 1
        return
    assert len(groups) >= 2
    seen = [pk for g in groups for pk in g.region_ids]
    assert sorted(seen) == sorted(pk for pk, n in sizes.items() if n > 0)
    for group in groups:
        assert group.electors == sum(sizes[pk] for pk in group.region_ids)
        assert group.electors >= minimum
        if len(group.region_ids) == 1:
            assert sizes[group.region_ids[0]] >= minimum


@pytest.mark.parametrize("seed", range(300))
def test_random_electorates(seed):
    rng = random.Random(seed)
    minimum = rng.choice([2, 5, 10, 25])
    regions = [
        (pk, f"Regio {pk:02d}", rng.choice([0, 1, 2, 3, 5, 7, 9, 12, 40, 300]))
        for pk in range(rng.randint(1, 20))
    ]
    check(regions, minimum)


def test_the_issue_electorate():
    regions = list(enumerate([42, 34, 25, 7, 6, 5, 1]))
    groups = plan_groups([(pk, f"R{pk}", n) for pk, n in regions], 10)
    assert sorted(g.electors for g in groups) == [19, 25, 34, 42]


def test_a_remainder_joins_the_last_merged_group():
    groups = plan_groups([(1, "A", 6), (2, "B", 6), (3, "C", 3), (4, "D", 20)], 10)
    assert sorted((g.electors, sorted(g.region_ids)) for g in groups) == [
        (15, [1, 2, 3]),
        (20, [4]),
    ]


def test_without_merged_groups_a_remainder_joins_the_smallest_large_group():
    groups = plan_groups([(1, "A", 3), (2, "B", 30), (3, "C", 12)], 10)
    assert sorted((g.electors, sorted(g.region_ids)) for g in groups) == [(15, [1, 3]), (30, [2])]


def test_one_group_is_no_breakdown():
    assert plan_groups([(1, "A", 50), (2, "B", 3)], 10) == []
    assert plan_groups([(1, "A", 4), (2, "B", 3)], 10) == []


def test_breakdown_needs_every_group_to_have_enough_voters():
    assert breakdown_allowed([10, 12], 10) == (True, "")
    allowed, note = breakdown_allowed([10, 9], 10)
    assert not allowed and "minder dan 10" in note
    assert not breakdown_allowed([50], 10)[0]
