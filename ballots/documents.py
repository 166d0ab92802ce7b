"""The proces-verbaal of a closed ballot: an unsigned A4 PDF, rendered with WeasyPrint.

`render_result_pdf` renders ``templates/ballots/proces_verbaal.html`` (styles in
``static/pdf/proces_verbaal.css``) from the sealed result (``ballot.final_result``), so the
document says exactly what closing recorded. The last thing in the document is an empty
reserved block: ballots.signing places the visible signature at :data:`SIGNATURE_BOX_MM` on the
last page, and the block keeps text out of that corner.

WeasyPrint only reads local files here (the stylesheet and the logo under ``static/``) and
``data:`` URIs (the QR code): a ballot's Markdown description cannot make it fetch anything.
"""

import io
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
from ballots.tally import result_summary, rules_of
from ledenstem_verify import box as box_format
from ledenstem_verify import printed
from ledenstem_verify.printed import majority_sentence, quorum_sentence, share
from ledenstem_verify.rules import Outcome, Role, format_percentage

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
    box: dict | None = None,
) -> bytes:
    """The proces-verbaal of `ballot` as an unsigned PDF (Dutch, Europe/Amsterdam times).

    With `box` (ballots.ballot_box.build) the ballot box is attached as an embedded file and
    its fingerprint printed, so the signature that follows covers both (issue #17)."""

    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        context = document_context(
            ballot,
            approvals=approvals,
            seal=seal,
            verify_url=verify_url,
            generated_at=generated_at,
            development_certificate=development_certificate,
            box_sha256=box_format.box_sha256(box) if box else "",
        )
    attachments = []
    if box:
        attachments.append(
            (
                box_format.EMBEDDED_NAME,
                box_format.dump(box),
                "Stembus: elke getelde stem, het electoraat en het stemregister",
            )
        )
    return render_pdf(TEMPLATE, context, attachments=attachments)


def render_pdf(template: str, context: dict, *, attachments=()) -> bytes:
    """A template as an unsigned PDF, with embedded files given as (name, bytes,
    description). Called inside the Dutch, Amsterdam-time overrides of the caller."""
    import weasyprint

    html = render_to_string(template, context)
    static = Path(settings.BASE_DIR) / "static"
    document = weasyprint.HTML(
        string=html, base_url=static.as_uri() + "/", url_fetcher=_fetcher(static)
    )
    files = [
        weasyprint.Attachment(file_obj=io.BytesIO(data), name=name, description=description)
        for name, data, description in attachments
    ]
    return document.write_pdf(attachments=files)


def pages(pdf: bytes) -> int:
    """The number of pages of a PDF."""
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
    box_sha256: str = "",
) -> dict:
    summary = ballot.final_result or result_summary(ballot)
    weighted = ballot.is_weighted
    labels = [c["label"] for c in summary["choices"]]
    decided = _decide(ballot, summary) if ballot.is_proposal else None
    context = {
        "ballot": ballot,
        "association": settings.ASSOCIATION_NAME,
        "reference": f"Stemming {ballot.pk}",
        "weighted": weighted,
        "voter_noun": "ambassadeur" if weighted else "lid",
        "provisional": ballot.status not in (BallotStatus.CLOSED, BallotStatus.CERTIFIED),
        "electorate": summary["electorate"],
        "turnout": summary["turnout"],
        "turnout_line": printed.turnout_line(summary, weighted=weighted),
        "choice_labels": labels,
        "choices": printed.choice_rows(summary, decided),
        "result_header": printed.result_header(weighted=weighted),
        "result_table": printed.result_table(summary, weighted=weighted, decided=decided),
        "paper_line": printed.paper_line(summary, weighted=weighted),
        "quorum_rule": (
            "geen quorum"
            if ballot.quorum_percent is None
            else f"{format_percentage(Fraction(ballot.quorum_percent) / 100, decimals=2)} "
            f"van het {'gewogen ' if weighted else ''}electoraat"
        ),
        "outcome_head": _RESULT_HEAD.get(summary["outcome"]["result"], ""),
        "outcome_result": summary["outcome"]["result"],
        "explanation": summary["outcome"]["explanation"],
        "regions": _region_table(ballot, summary),
        "breakdown_by": summary.get("breakdown", {}).get("by", "region"),
        "breakdown_note": summary.get("breakdown", {}).get("note", ""),
        "group_minimum": settings.REPORTING_GROUP_MINIMUM,
        "roll_call": roll_call(ballot),
        "not_voted": _not_voted(ballot),
        "approvals": approvals,
        "seal": seal,
        "box_sha256": box_sha256,
        "verify_url": verify_url,
        "qr_code": _qr_data_uri(verify_url),
        "generated_at": generated_at,
        "development_certificate": development_certificate,
        "development_notice": DEVELOPMENT_NOTICE,
        "signature_label": "Digitale handtekening van de vereniging:",
    }
    if decided is None:
        return {**context, **_kind_context(ballot, summary, labels)}
    return {
        **context,
        "majority_rule": ballot.get_majority_display(),
        "base_rule": ballot.get_base_display(),
        "quorum_sentence": quorum_sentence(decided, weighted=weighted),
        "majority_sentence": majority_sentence(decided, weighted=weighted),
        "consultations": [_consultation(c) for c in _closed_consultations(ballot)],
        "motion": _motion(ballot),
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


def _kind_context(ballot: Ballot, summary: dict, labels: list[str]) -> dict:
    """What the document of a kind other than a proposal adds: the method in one paragraph,
    the winners and, for ranked counts, every round (ballots.kinds)."""
    from ballots.kinds import method_paragraph

    decision = summary["decision"]
    rounds = [
        {**played, "cells": [played["tallies"].get(label, "") for label in labels]}
        for played in decision.get("rounds", [])
    ]
    return {
        "kind_label": ballot.get_kind_display(),
        "method_paragraph": method_paragraph(ballot),
        "decision": decision,
        "rounds": rounds,
        "consultations": [],
    }


def _decide(ballot: Ballot, summary: dict) -> Outcome:
    """The outcome, recomputed from the sealed totals (to spell out the numbers)."""
    return printed.proposal_outcome(summary, rules_of(ballot))


def _region_table(ballot: Ballot, summary: dict) -> list[dict]:
    by_name = _electorate_by_group(ballot) if ballot.is_secret else _electorate_by_region(ballot)
    return printed.region_table(
        summary, by_name, secret=ballot.is_secret, weighted=ballot.is_weighted
    )


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
                "for_share": share(for_weight, valid),
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
            "for_share": share(for_total, valid_total),
            "total": True,
        }
    )
    return {
        "ballot": consultation,
        "reference": f"Stemming {consultation.pk}",
        "labels": labels,
        "electorate": summary["electorate"],
        "turnout": summary["turnout"],
        "turnout_share": share(summary["turnout"]["weight"], summary["electorate"]["weight"]),
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
