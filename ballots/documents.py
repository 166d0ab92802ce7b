"""The proces-verbaal of a closed ballot: an unsigned A4 PDF, rendered with WeasyPrint.

`render_result_pdf` renders ``templates/ballots/proces_verbaal.html`` (styles in
``static/pdf/proces_verbaal.css``) from the sealed result (``ballot.final_result``), so the
document says exactly what closing recorded. The last thing in the document is an empty
reserved block: ballots.signing places the visible signature at :data:`SIGNATURE_BOX_MM` on the
last page, and the block keeps text out of that corner.

WeasyPrint only reads local files here (the stylesheet and the logo under ``static/``) and
``data:`` URIs (the QR code): a ballot's Markdown description cannot make it fetch anything.
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ballots.exports import roll_call
from ballots.models import Ballot, BallotStatus, Elector, Participation
from ballots.rules import Base, Majority, Outcome, Role, Totals, decide, format_percentage
from ballots.tally import result_summary, rules_of

TEMPLATE = "ballots/proces_verbaal.html"

# The page geometry, shared with the stylesheet (static/pdf/proces_verbaal.css): A4 with
# margins of 20 mm (top), 18 mm (left and right) and 22 mm (bottom).
PAGE_MM = (210.0, 297.0)
MARGIN_MM = {"top": 20.0, "right": 18.0, "bottom": 22.0, "left": 18.0}

# Where the signer draws the visible signature on the last page: (x1, y1, x2, y2) in mm from
# the bottom-left corner. An 80 x 25 mm box at the bottom right of the content area, 2 mm
# above its lower edge. The reserved block that ends the document (.signature-reserve, 36 mm,
# unbreakable) always covers it, and its label sits 1 mm above the box.
SIGNATURE_BOX_MM = (112.0, 24.0, 192.0, 49.0)

DEVELOPMENT_NOTICE = "Ondertekend met een ontwikkelcertificaat — niet geldig als officieel document"

_ROLE_LABEL = {Role.FOR: "voor", Role.AGAINST: "tegen", Role.ABSTAIN: "onthouding"}
_RESULT_HEAD = {
    "adopted": "Aangenomen",
    "rejected": "Verworpen",
    "tie": "Staken der stemmen",
    "no_quorum": "Geen quorum",
    "decided": "Uitslag",
    "runoff": "Tweede ronde nodig",
    "no_votes": "Geen besluit",
}


@dataclass(frozen=True)
class ApprovalLine:
    name: str
    approved_at: datetime


def render_result_pdf(
    ballot: Ballot,
    *,
    approvals: list[ApprovalLine],
    seal: str,
    verify_url: str,
    generated_at: datetime,
    development_certificate: bool,
) -> bytes:
    """The proces-verbaal of `ballot` as an unsigned PDF (Dutch, Europe/Amsterdam times)."""
    import weasyprint

    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        context = document_context(
            ballot,
            approvals=approvals,
            seal=seal,
            verify_url=verify_url,
            generated_at=generated_at,
            development_certificate=development_certificate,
        )
        html = render_to_string(TEMPLATE, context)
    static = Path(settings.BASE_DIR) / "static"
    document = weasyprint.HTML(
        string=html, base_url=static.as_uri() + "/", url_fetcher=_fetcher(static)
    )
    return document.write_pdf()


def pages(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"])


# --- what the document says ------------------------------------------------------------------


def document_context(
    ballot: Ballot,
    *,
    approvals: list[ApprovalLine],
    seal: str,
    verify_url: str,
    generated_at: datetime,
    development_certificate: bool,
) -> dict:
    summary = ballot.final_result or result_summary(ballot)
    if not ballot.is_proposal:
        return _kind_context(ballot, summary, locals())
    decided = _decide(ballot, summary)
    weighted = ballot.is_weighted
    electorate, turnout = summary["electorate"], summary["turnout"]
    labels = [c["label"] for c in summary["choices"]]
    return {
        "ballot": ballot,
        "association": settings.ASSOCIATION_NAME,
        "reference": f"Stemming {ballot.pk}",
        "weighted": weighted,
        "voter_noun": "ambassadeur" if weighted else "lid",
        "provisional": ballot.status not in (BallotStatus.CLOSED, BallotStatus.CERTIFIED),
        "electorate": electorate,
        "turnout": turnout,
        "turnout_share": _share(turnout["weight"], electorate["weight"]),
        "choice_labels": labels,
        "choices": _choice_rows(summary["choices"], decided),
        "votes_total": sum(c["votes"] for c in summary["choices"]),
        "weight_total": sum(c["weight"] for c in summary["choices"]),
        "majority_rule": ballot.get_majority_display(),
        "base_rule": ballot.get_base_display(),
        "quorum_rule": (
            "geen quorum"
            if ballot.quorum_percent is None
            else f"{format_percentage(Fraction(ballot.quorum_percent) / 100, decimals=2)} "
            f"van het {'gewogen ' if weighted else ''}electoraat"
        ),
        "quorum_sentence": quorum_sentence(decided, weighted=weighted),
        "majority_sentence": majority_sentence(decided, weighted=weighted),
        "outcome_head": _RESULT_HEAD.get(summary["outcome"]["result"], ""),
        "outcome_result": summary["outcome"]["result"],
        "explanation": summary["outcome"]["explanation"],
        "regions": _region_rows(ballot, summary["regions"], labels),
        "breakdown_by": summary.get("breakdown", {}).get("by", "region"),
        "breakdown_note": summary.get("breakdown", {}).get("note", ""),
        "group_minimum": settings.REPORTING_GROUP_MINIMUM,
        "roll_call": roll_call(ballot),
        "not_voted": _not_voted(ballot),
        "consultations": [_consultation(c) for c in _closed_consultations(ballot)],
        "motion": _motion(ballot),
        "approvals": approvals,
        "seal": seal,
        "verify_url": verify_url,
        "qr_code": _qr_data_uri(verify_url),
        "generated_at": generated_at,
        "development_certificate": development_certificate,
        "development_notice": DEVELOPMENT_NOTICE,
        "signature_label": "Digitale handtekening van de vereniging:",
    }


def _motion(ballot: Ballot) -> dict | None:
    """A motion: the amendments voted on first, each with its result, and the final text;
    an amendment: the passage it replaces and the new wording."""
    if ballot.amends_id:
        return {
            "amendment_of": ballot.amends,
            "find": ballot.amendment_find,
            "replace": ballot.amendment_replace,
        }
    if not ballot.motion_text:
        return None
    amendments = [
        {
            "ballot": a,
            "reference": f"Stemming {a.pk}",
            "explanation": (a.final_result or {}).get("outcome", {}).get("explanation", ""),
            "adopted": (a.final_result or {}).get("outcome", {}).get("result") == "adopted",
        }
        for a in ballot.amendments.order_by("closes_at", "pk")
    ]
    return {
        "original": ballot.motion_text,
        "final_text": ballot.final_text or ballot.motion_text,
        "amendments": amendments,
    }


def _kind_context(ballot: Ballot, summary: dict, given: dict) -> dict:
    """The document of a kind other than a proposal: the method in one paragraph, votes per
    option, the winners and, for ranked counts, every round (ballots.kinds)."""
    from ballots.kinds import method_paragraph

    decision = summary["decision"]
    total = sum(c["weight"] for c in summary["choices"])
    labels = [c["label"] for c in summary["choices"]]
    electorate, turnout = summary["electorate"], summary["turnout"]
    rounds = [
        {**played, "cells": [played["tallies"].get(label, "") for label in labels]}
        for played in decision.get("rounds", [])
    ]
    weighted = ballot.is_weighted
    return {
        "ballot": ballot,
        "association": settings.ASSOCIATION_NAME,
        "reference": f"Stemming {ballot.pk}",
        "weighted": weighted,
        "voter_noun": "ambassadeur" if weighted else "lid",
        "provisional": ballot.status not in (BallotStatus.CLOSED, BallotStatus.CERTIFIED),
        "electorate": electorate,
        "turnout": turnout,
        "turnout_share": _share(turnout["weight"], electorate["weight"]),
        "choice_labels": labels,
        "choices": [
            {**c, "role_label": "optie", "role_is_label": True, "share": _share(c["weight"], total)}
            for c in summary["choices"]
        ],
        "votes_total": sum(c["votes"] for c in summary["choices"]),
        "weight_total": total,
        "kind_label": ballot.get_kind_display(),
        "method_paragraph": method_paragraph(ballot),
        "decision": decision,
        "rounds": rounds,
        "quorum_rule": (
            "geen quorum"
            if ballot.quorum_percent is None
            else f"{format_percentage(Fraction(ballot.quorum_percent) / 100, decimals=2)} "
            f"van het {'gewogen ' if weighted else ''}electoraat"
        ),
        "outcome_head": _RESULT_HEAD.get(summary["outcome"]["result"], ""),
        "outcome_result": summary["outcome"]["result"],
        "explanation": summary["outcome"]["explanation"],
        "regions": _region_rows(ballot, summary["regions"], labels),
        "breakdown_by": summary.get("breakdown", {}).get("by", "region"),
        "breakdown_note": summary.get("breakdown", {}).get("note", ""),
        "group_minimum": settings.REPORTING_GROUP_MINIMUM,
        "roll_call": roll_call(ballot),
        "not_voted": _not_voted(ballot),
        "consultations": [],
        "approvals": given["approvals"],
        "seal": given["seal"],
        "verify_url": given["verify_url"],
        "qr_code": _qr_data_uri(given["verify_url"]),
        "generated_at": given["generated_at"],
        "development_certificate": given["development_certificate"],
        "development_notice": DEVELOPMENT_NOTICE,
        "signature_label": "Digitale handtekening van de vereniging:",
    }


def _decide(ballot: Ballot, summary: dict) -> Outcome:
    """The outcome, recomputed from the sealed totals (to spell out the numbers)."""
    totals = Totals.from_role_weights(
        [(c["role"], c["weight"]) for c in summary["choices"]],
        electorate_weight=summary["electorate"]["weight"],
    )
    return decide(totals, rules_of(ballot))


def _share(part: int, whole: int) -> str:
    return format_percentage(Fraction(part, whole)) if whole else "—"


def _number(value: Fraction) -> str:
    """An exact number the Dutch way: 153, or 152,5 (at most 2 decimals, rounded half up)."""
    if value.denominator == 1:
        return str(value.numerator)
    hundredths = int(value * 100 + Fraction(1, 2))
    whole, rest = divmod(hundredths, 100)
    return f"{whole},{rest:02d}".rstrip("0").rstrip(",")


def _percent_beside(share: Fraction, threshold: Fraction | None) -> str:
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
    """E.g. "Quorum: 50% van het gewogen electoraat (306) = 153; opkomst 258 ≥ 153: gehaald." """
    totals, quorum = decided.totals, decided.rules.quorum
    electorate = "het gewogen electoraat" if weighted else "het electoraat"
    if quorum is None:
        if decided.turnout is None:
            return "Quorum: geen quorum vereist; er waren geen stemgerechtigden."
        return f"Quorum: geen quorum vereist (opkomst {format_percentage(decided.turnout)})."
    needed = quorum * totals.electorate_weight
    cast = totals.cast_weight
    head = (
        f"Quorum: {format_percentage(quorum, decimals=2)} van {electorate} "
        f"({totals.electorate_weight}) = {_number(needed)}"
    )
    if totals.electorate_weight == 0:
        return f"{head}; er waren geen stemgerechtigden: niet gehaald."
    met = cast >= needed
    return f"{head}; opkomst {cast} {'≥' if met else '<'} {_number(needed)}: " + (
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
        needed = f"meer dan {_number(threshold * base)}"
        met = 2 * for_weight > base
    else:
        threshold, required = Fraction(2, 3), "ten minste 2/3"
        needed = f"ten minste {_number(threshold * base)}"
        met = 3 * for_weight >= 2 * base
    votes = "gewogen stemmen" if weighted else "stemmen"
    head = (
        f"Meerderheid: {name}, {required} van {base} {_BASE_NAME[rules.base].format(votes=votes)}"
    )
    if base == 0:
        return f"{head}: er zijn geen stemmen die meetellen: niet gehaald."
    share = _percent_beside(Fraction(for_weight, base), threshold)
    return f"{head}, dus {needed}: {for_weight} voor = {share}: " + (
        "gehaald." if met else "niet gehaald."
    )


def _choice_rows(choices: list[dict], decided: Outcome) -> list[dict]:
    counts_in_base = {Role.FOR, Role.AGAINST}
    if decided.rules.base is Base.CAST:
        counts_in_base.add(Role.ABSTAIN)
    rows = []
    for choice in choices:
        role = Role(choice["role"])
        share = (
            _share(choice["weight"], decided.base_weight)
            if role in counts_in_base
            else "telt niet mee"
        )
        rows.append(
            {
                **choice,
                "role_label": _ROLE_LABEL[role],
                "share": share,
                # "Voor" needs no "(voor)" beside it; "Ja, met voorbehoud" does.
                "role_is_label": choice["label"].casefold() == _ROLE_LABEL[role],
            }
        )
    return rows


def _electorate_by_region(ballot: Ballot) -> dict[str, tuple[int, int]]:
    rows = (
        Elector.objects.filter(ballot=ballot)
        .values("region__name")
        .annotate(n=Count("pk"), w=Sum("weight"))
        .order_by("region__name")
    )
    return {row["region__name"]: (row["n"], row["w"] or 0) for row in rows}


def _electorate_by_group(ballot: Ballot) -> dict[str, tuple[int, int]]:
    rows = (
        Elector.objects.filter(ballot=ballot, group__isnull=False)
        .values("group__name")
        .annotate(n=Count("pk"), w=Sum("weight"))
    )
    return {row["group__name"]: (row["n"], row["w"] or 0) for row in rows}


def _region_rows(ballot: Ballot, regions: dict, labels: list[str]) -> list[dict]:
    """One row per region (named ballots) or reporting group (secret ballots, only when the
    sealed result has a breakdown): electorate (count, weight), weight per choice, turnout."""
    if ballot.is_secret:
        if not regions:
            return []
        electorate = _electorate_by_group(ballot)
        names = list(regions)
    else:
        electorate = _electorate_by_region(ballot)
        names = sorted(set(regions) | set(electorate))
    rows = []
    for name in names:
        count, weight = electorate.get(name, (0, 0))
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
        "turnout": _share(cast, weight),
    }


def _not_voted(ballot: Ballot) -> list[dict]:
    """Named ballots: the electors who did not vote (secret ballots: nothing, ever)."""
    if ballot.is_secret:
        return []
    voted = Participation.objects.filter(ballot=ballot).values("elector_id")
    electors = (
        Elector.objects.filter(ballot=ballot)
        .exclude(pk__in=voted)
        .select_related("user", "region")
        .order_by("region__name", "user__full_name")
    )
    return [{"region": e.region.name, "voter": e.user.get_full_name()} for e in electors]


def _closed_consultations(ballot: Ballot):
    return ballot.consultations.filter(
        status__in=[BallotStatus.CLOSED, BallotStatus.CERTIFIED], final_result__isnull=False
    ).order_by("pk")


def _consultation(consultation: Ballot) -> dict:
    summary = consultation.final_result
    labels = [c["label"] for c in summary["choices"]]
    roles = {c["label"]: c["role"] for c in summary["choices"]}
    rows = []
    for name, votes in summary["regions"].items():
        per_choice = [votes.get(label, 0) for label in labels]
        for_weight = sum(w for label, w in votes.items() if roles.get(label) == Role.FOR)
        valid = sum(w for label, w in votes.items() if roles.get(label) in (Role.FOR, Role.AGAINST))
        rows.append(
            {
                "name": name,
                "votes": per_choice,
                "cast": sum(per_choice),
                "for_share": _share(for_weight, valid),
            }
        )
    totals = [c["votes"] for c in summary["choices"]]
    valid_total = sum(c["weight"] for c in summary["choices"] if c["role"] != Role.ABSTAIN)
    for_total = sum(c["weight"] for c in summary["choices"] if c["role"] == Role.FOR)
    rows.append(
        {
            "name": "Totaal",
            "votes": totals,
            "cast": sum(totals),
            "for_share": _share(for_total, valid_total),
            "total": True,
        }
    )
    return {
        "ballot": consultation,
        "reference": f"Stemming {consultation.pk}",
        "labels": labels,
        "electorate": summary["electorate"],
        "turnout": summary["turnout"],
        "turnout_share": _share(summary["turnout"]["weight"], summary["electorate"]["weight"]),
        "rows": rows,
        "explanation": summary["outcome"]["explanation"],
    }


def _qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000000")


# --- fetching --------------------------------------------------------------------------------


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Reads data: URIs and files under one directory; refuses everything else."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            if url.lower().startswith("file:"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(self.root):
                    raise ValueError(f"not a static file: {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher


def _fetcher(root: Path):
    return _fetcher_class()(root)
