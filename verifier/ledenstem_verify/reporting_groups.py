"""Reporting groups of a secret ballot: the only breakdown a secret result may have.

A region's result in a secret ballot says how that region voted; for a small region that is
how its few members voted, and "the rest" after the big regions are published is the one
small region that remains (issue #12). So secret ballots never count per region. At opening
the regions are frozen into *groups* of at least K electors (settings.REPORTING_GROUP_MINIMUM):
a region with K or more electors is a group of its own, smaller regions are merged (in name
order) until each merged group reaches K, and a remainder below K joins the last merged group
(or, when no small regions made a group, the smallest large group). With fewer than two
groups there is no breakdown at all: one group's tally would be the total.

After closing, a breakdown is published only when every group also has at least K *voters*:
a group of 40 electors in which 2 voted would show those 2 votes, and leaving out one group
would not help (the total minus the others is that group). See `breakdown_allowed`.

Pure functions: no Django, tested exhaustively in tests/ballots/test_reporting_groups.py.
"""

from dataclasses import dataclass, field


@dataclass
class PlannedGroup:
    name: str
    region_ids: list[int] = field(default_factory=list)
    electors: int = 0


def plan_groups(regions: list[tuple[int, str, int]], minimum: int) -> list[PlannedGroup]:
    """Groups for regions given as (id, name, electors). Returns [] when fewer than two
    groups of at least `minimum` electors can be made (no breakdown)."""
    present = sorted((r for r in regions if r[2] > 0), key=lambda r: (r[1], r[0]))
    large = [PlannedGroup(name, [pk], count) for pk, name, count in present if count >= minimum]
    merged: list[PlannedGroup] = []
    current = PlannedGroup("")
    for pk, name, count in present:
        if count >= minimum:
            continue
        current.region_ids.append(pk)
        current.electors += count
        current.name = f"{current.name} + {name}" if current.name else name
        if current.electors >= minimum:
            merged.append(current)
            current = PlannedGroup("")
    if current.region_ids:
        # A remainder below the minimum never stands alone: it would be those few electors.
        target = merged[-1] if merged else (min(large, key=lambda g: g.electors) if large else None)
        if target is None:
            return []
        target.region_ids += current.region_ids
        target.electors += current.electors
        target.name = f"{target.name} + {current.name}"
    groups = large + merged
    if len(groups) < 2:
        return []
    return sorted(groups, key=lambda g: g.name)


def breakdown_allowed(voters_per_group: list[int], minimum: int) -> tuple[bool, str]:
    """May the per-group tally of a closed secret ballot be published? (Dutch reason if not.)"""
    if len(voters_per_group) < 2:
        return False, (
            "Geen uitsplitsing: er zijn niet ten minste twee groepen van "
            f"{minimum} of meer kiezers, dus een groepsuitslag zou de hele uitslag zijn."
        )
    if min(voters_per_group) < minimum:
        return False, (
            "Geen uitsplitsing: in ten minste één groep stemden minder dan "
            f"{minimum} kiezers, en hun keuzes zouden dan te herleiden zijn."
        )
    return True, ""
