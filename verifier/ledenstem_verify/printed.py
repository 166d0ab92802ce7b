"""What the proces-verbaal prints, as text: the sentences and the figures of its tables.

One module for the server and the verifier. The document's template prints the cells made
here, and the verifier makes the same cells from its own recount and looks for them in the
signed PDF's text (`expected_figures`): a figure changed in the document, or a count that
differs, cannot go unnoticed. Pure: standard library and ledenstem_verify.rules only.
"""

from fractions import Fraction

from ledenstem_verify.rules import (
    Base,
    Majority,
    Outcome,
    Role,
    Rules,
    Totals,
    decide,
    format_percentage,
)

OPTION_LABEL = "optie"
NOT_IN_BASE = "telt niet mee"

ROLE_LABEL = {Role.FOR: "voor", Role.AGAINST: "tegen", Role.ABSTAIN: "onthouding"}


def share(part: int, whole: int) -> str:
    return format_percentage(Fraction(part, whole)) if whole else "—"


def number(value: Fraction) -> str:
    """An exact number the Dutch way: 153, or 152,5 (at most 2 decimals, rounded half up)."""
    if value.denominator == 1:
        return str(value.numerator)
    hundredths = int(value * 100 + Fraction(1, 2))
    whole, rest = divmod(hundredths, 100)
    return f"{whole},{rest:02d}".rstrip("0").rstrip(",")


def percent_beside(share: Fraction, threshold: Fraction | None) -> str:
    """`share` as a percentage with enough decimals to compare with `threshold` faithfully."""
    decimals = 1
    while (
        threshold is not None
        and share != threshold
        and decimals < 6
        and format_percentage(share, decimals=decimals)
        == format_percentage(threshold, decimals=decimals)
    ):
        decimals += 1
    return format_percentage(share, decimals=decimals)


def quorum_sentence(decided: Outcome, *, weighted: bool) -> str:
    """E.g. "Quorum: 50% van het gewogen electoraat (306) = 153; opkomst 258 ≥ 153: gehaald."
    With base "present" the quorum is counted on those present."""
    totals, quorum = decided.totals, decided.rules.quorum
    on_present = decided.rules.base is Base.PRESENT
    if on_present:
        electorate = "de gewogen aanwezigen" if weighted else "de aanwezigen"
        whole = totals.present_weight or 0
        nobody = "er was niemand aanwezig"
    else:
        electorate = "het gewogen electoraat" if weighted else "het electoraat"
        whole = totals.electorate_weight
        nobody = "er waren geen stemgerechtigden"
    if quorum is None:
        if decided.turnout is None:
            return f"Quorum: geen quorum vereist; {nobody}."
        return f"Quorum: geen quorum vereist (opkomst {format_percentage(decided.turnout)})."
    needed = quorum * whole
    cast = totals.cast_weight
    share = format_percentage(quorum, decimals=2)
    head = f"Quorum: {share} van {electorate} ({whole}) = {number(needed)}"
    if whole == 0:
        return f"{head}; {nobody}: niet gehaald."
    met = cast >= needed
    return f"{head}; opkomst {cast} {'≥' if met else '<'} {number(needed)}: " + (
        "gehaald." if met else "niet gehaald."
    )


_MAJORITY_NAME = {
    Majority.SIMPLE: "gewone meerderheid",
    Majority.ABSOLUTE: "volstrekte meerderheid",
    Majority.QUALIFIED: "gekwalificeerde meerderheid",
}
_BASE_NAME = {
    Base.VALID: "geldige {votes} (voor en tegen)",
    Base.CAST: "uitgebrachte {votes} (ook onthoudingen)",
    Base.PRESENT: "{votes} van alle aanwezigen (ook wie niet stemde)",
}


def majority_sentence(decided: Outcome, *, weighted: bool = False) -> str:
    """E.g. "Meerderheid: volstrekte meerderheid, meer dan 50% van 258 geldige stemmen (voor en
    tegen), dus meer dan 129: 144 voor = 55,8%: gehaald." """
    totals, rules = decided.totals, decided.rules
    name = _MAJORITY_NAME[rules.majority]
    for_weight, against_weight = totals.for_weight, totals.against_weight
    if rules.majority is Majority.SIMPLE:
        met = for_weight > against_weight
        relation = ">" if met else ("=" if for_weight == against_weight else "<")
        return (
            f"Meerderheid: {name}, meer stemmen voor dan tegen: {for_weight} voor {relation} "
            f"{against_weight} tegen: {'gehaald' if met else 'niet gehaald'}."
        )
    base = decided.base_weight
    if rules.majority is Majority.ABSOLUTE:
        threshold, required = Fraction(1, 2), "meer dan 50%"
        needed = f"meer dan {number(threshold * base)}"
        met = 2 * for_weight > base
    else:
        threshold, required = Fraction(2, 3), "ten minste 2/3"
        needed = f"ten minste {number(threshold * base)}"
        met = 3 * for_weight >= 2 * base
    votes = "gewogen stemmen" if weighted else "stemmen"
    head = (
        f"Meerderheid: {name}, {required} van {base} {_BASE_NAME[rules.base].format(votes=votes)}"
    )
    if base == 0:
        return f"{head}: er zijn geen stemmen die meetellen: niet gehaald."
    share = percent_beside(Fraction(for_weight, base), threshold)
    return f"{head}, dus {needed}: {for_weight} voor = {share}: " + (
        "gehaald." if met else "niet gehaald."
    )


def proposal_outcome(summary: dict, rules: Rules) -> Outcome:
    """The outcome of a proposal, recomputed from a sealed summary (to spell out its numbers)."""
    totals = Totals.from_role_weights(
        [(c["role"], c["weight"]) for c in summary["choices"]],
        electorate_weight=summary["electorate"]["weight"],
        present_weight=summary["present"]["weight"] if "present" in summary else None,
    )
    return decide(totals, rules)


def choice_rows(summary: dict, decided: Outcome | None) -> list[dict]:
    """The result table's rows: a proposal's shares over its base (abstentions outside a
    "valid" base); another kind's over the table's total weight."""
    choices = summary["choices"]
    if decided is None:
        total = sum(c["weight"] for c in choices)
        return [
            {
                **c,
                "role_label": OPTION_LABEL,
                "role_is_label": True,
                "share": share(c["weight"], total),
            }
            for c in choices
        ]
    counts_in_base = {Role.FOR, Role.AGAINST}
    if decided.rules.base in (Base.CAST, Base.PRESENT):
        counts_in_base.add(Role.ABSTAIN)
    rows = []
    for choice in choices:
        role = Role(choice["role"])
        in_base = role in counts_in_base
        rows.append(
            {
                **choice,
                "role_label": ROLE_LABEL[role],
                "share": share(choice["weight"], decided.base_weight) if in_base else NOT_IN_BASE,
                # "Voor" needs no "(voor)" beside it; "Ja, met voorbehoud" does.
                "role_is_label": choice["label"].casefold() == ROLE_LABEL[role],
            }
        )
    return rows


def result_table(summary: dict, *, weighted: bool, decided: Outcome | None) -> list[dict]:
    """The cells of the result table as printed, the total row last."""
    rows = []
    for row in choice_rows(summary, decided):
        weight = [str(row["weight"])] if weighted else []
        rows.append(
            {"cells": [row["label"], row["role_label"], str(row["votes"]), *weight, row["share"]]}
        )
    votes = sum(c["votes"] for c in summary["choices"])
    weight = [str(sum(c["weight"] for c in summary["choices"]))] if weighted else []
    rows.append({"cells": ["Totaal uitgebracht", "", str(votes), *weight, ""], "total": True})
    return rows


def result_header(*, weighted: bool) -> list[str]:
    return ["Keuze", "Telt als", "Stemmen", *(["Stemgewicht"] if weighted else []), "Aandeel"]


def turnout_line(summary: dict, *, weighted: bool) -> str:
    electorate, turnout = summary["electorate"], summary["turnout"]
    line = f"{turnout['count']} van {electorate['count']} stemgerechtigden stemden"
    if weighted:
        line += f", met samen stemgewicht {turnout['weight']} van {electorate['weight']}"
    line += f": {share(turnout['weight'], electorate['weight'])}"
    return line + (" van het gewogen electoraat" if weighted else "")


def region_table(
    summary: dict, electorate_by_name: dict[str, tuple[int, int]], *, secret: bool, weighted: bool
) -> list[dict]:
    """One row per region (named ballots) or reporting group (secret ballots, only when the
    sealed result has a breakdown): electors, weight, weight per choice, cast, turnout; then
    the total. `electorate_by_name` gives (electors, weight) per region or group name."""
    regions = summary["regions"]
    labels = [c["label"] for c in summary["choices"]]
    if secret and not regions:
        return []
    names = list(regions) if secret else sorted(set(regions) | set(electorate_by_name))
    rows = []
    for name in names:
        count, weight = electorate_by_name.get(name, (0, 0))
        rows.append(_region_row(name, count, weight, regions.get(name, {}), labels))
    if rows:
        totals = _region_row(
            "Totaal",
            sum(r["electors"] for r in rows),
            sum(r["weight"] for r in rows),
            {label: sum(r["votes"][i] for r in rows) for i, label in enumerate(labels)},
            labels,
        )
        totals["total"] = True
        rows.append(totals)
    for row in rows:
        weight = [str(row["weight"])] if weighted else []
        row["cells"] = [
            row["name"],
            str(row["electors"]),
            *weight,
            *map(str, row["votes"]),
            str(row["cast"]),
            row["turnout"],
        ]
    return rows


def _region_row(name: str, count: int, weight: int, votes: dict, labels: list[str]) -> dict:
    per_choice = [votes.get(label, 0) for label in labels]
    cast = sum(per_choice)
    return {
        "name": name,
        "electors": count,
        "weight": weight,
        "votes": per_choice,
        "cast": cast,
        "turnout": share(cast, weight),
    }


def paper_line(summary: dict, *, weighted: bool) -> str:
    """The votes counted in the hall, apart (empty when there were none)."""
    paper = summary.get("paper_votes")
    if not paper:
        return ""
    parts = [
        f"{p['label']} {p['votes']}" + (f" (stemgewicht {p['weight']})" if weighted else "")
        for p in paper
    ]
    return (
        "Waarvan in de zaal geteld (op papier of bij handopsteken, door twee bestuursleden "
        "bevestigd; niet in de uitsplitsing): " + ", ".join(parts) + "."
    )
