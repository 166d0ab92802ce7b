"""The record (proces-verbaal) of a meeting: one document for the whole assembly.

Attendance by region, stand-ins and written proxies with who approved or recorded them,
every agenda item with its ballots, their results and outcomes (each ballot's own final seal
and, once certified, its document's SHA-256, so the meeting record and the ballot documents
point at each other), and paper votes apart where a ballot has them. The data is one plain
dict (`record_data`), printed by templates/meetings/proces_verbaal.html, attached to the PDF as
vergadering.json, and fingerprinted (SHA-256 of its canonical JSON) on the document.
Approved by two board members and signed exactly like a ballot's document (meetings.certify).
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation

from ballots.documents import DEVELOPMENT_NOTICE, SIGNATURE_BOX_MM, render_pdf
from ballots.models import BallotStatus
from ledenstem_verify.box import canonical_bytes
from meetings import selectors
from meetings.models import Meeting, PaperProxy, StandIn

TEMPLATE = "meetings/proces_verbaal.html"
ATTACHMENT = "vergadering.json"
__all__ = ["SIGNATURE_BOX_MM", "record_data", "record_sha256", "render_record_pdf"]


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _name(user) -> str:
    return user.get_full_name() if user else ""


def record_data(meeting: Meeting) -> dict:
    """Everything the record states, as plain data (names, numbers, results)."""
    counts = selectors.counts_by_region(meeting)
    total = selectors.totals(counts)
    return {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "kind": meeting.kind,
            "kind_label": str(meeting.get_kind_display()),
            "mode": meeting.mode,
            "mode_label": str(meeting.get_mode_display()),
            "starts_at": _when(meeting.starts_at),
            "place": meeting.place,
        },
        "attendance": {
            "regions": [
                {
                    "region": c.name,
                    "roll": c.total,
                    "hall": c.hall,
                    "online": c.online,
                    "absent": c.absent,
                }
                for c in counts
            ],
            "total": {
                "roll": total.total,
                "hall": total.hall,
                "online": total.online,
                "absent": total.absent,
            },
        },
        "stand_ins": [_stand_in(s) for s in _stand_ins(meeting)],
        "paper_proxies": [_paper_proxy(p) for p in _paper_proxies(meeting)],
        "agenda": [_item(item) for item in selectors.agenda(meeting)],
    }


def _stand_ins(meeting: Meeting):
    return (
        StandIn.objects.filter(meeting=meeting)
        .select_related("region", "ambassador", "deputy", "approved_by", "withdrawn_by")
        .order_by("region__name", "approved_at")
    )


def _stand_in(stand_in: StandIn) -> dict:
    return {
        "region": stand_in.region.name,
        "ambassador": _name(stand_in.ambassador),
        "deputy": _name(stand_in.deputy),
        "approved_by": _name(stand_in.approved_by),
        "approved_at": _when(stand_in.approved_at),
        "withdrawn_by": _name(stand_in.withdrawn_by),
        "withdrawn_at": _when(stand_in.withdrawn_at),
    }


def _paper_proxies(meeting: Meeting):
    return (
        PaperProxy.objects.filter(meeting=meeting)
        .select_related("grantor", "holder", "recorded_by", "revoked_by")
        .order_by("recorded_at", "pk")
    )


def _paper_proxy(paper: PaperProxy) -> dict:
    return {
        "grantor": _name(paper.grantor),
        "holder": _name(paper.holder),
        "recorded_by": _name(paper.recorded_by),
        "recorded_at": _when(paper.recorded_at),
        "revoked_by": _name(paper.revoked_by),
        "revoked_at": _when(paper.revoked_at),
    }


def _item(item) -> dict:
    return {
        "order": item.order,
        "title": item.title,
        "text": item.text,
        "ballots": [_ballot(link.ballot) for link in item.ballot_links.all()],
    }


def _ballot(ballot) -> dict:
    counted = ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED) and ballot.is_counted
    data = {
        "id": ballot.pk,
        "question": ballot.question,
        "kind": ballot.kind,
        "electorate": ballot.electorate,
        "secrecy": ballot.secrecy,
        "status": ballot.status,
        "counted": counted,
    }
    if not counted:
        return data
    result = ballot.final_result
    document = getattr(ballot, "document", None)
    return {
        **data,
        "electorate_total": result["electorate"],
        "turnout": result["turnout"],
        "choices": result["choices"],
        "outcome": result["outcome"],
        "paper_votes": result.get("paper_votes", []),
        "final_seal": ballot.final_seal,
        "document_sha256": document.sha256 if document else None,
    }


def record_sha256(data: dict) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()


def open_items(data: dict) -> list[str]:
    """Ballots on the agenda that are not counted yet: the record waits for them."""
    return [
        f"{ballot['id']}: {ballot['question']}"
        for item in data["agenda"]
        for ballot in item["ballots"]
        if not ballot["counted"]
    ]


def render_record_pdf(
    meeting: Meeting,
    data: dict,
    *,
    approvals: list,
    verify_url: str,
    generated_at: datetime,
    development_certificate: bool,
) -> bytes:
    from ballots.documents import _qr_data_uri

    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        context = {
            "association": settings.ASSOCIATION_NAME,
            "meeting": meeting,
            "data": data,
            "reference": f"Vergadering {meeting.pk}",
            "record_sha256": record_sha256(data),
            "approvals": approvals,
            "verify_url": verify_url,
            "qr_code": _qr_data_uri(verify_url),
            "generated_at": generated_at,
            "development_certificate": development_certificate,
            "development_notice": DEVELOPMENT_NOTICE,
            "signature_label": "Digitale handtekening van de vereniging:",
        }
        return render_pdf(
            TEMPLATE,
            context,
            attachments=[(ATTACHMENT, canonical_bytes(data), "Het verslag als gegevens")],
        )
