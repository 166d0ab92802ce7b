"""Certifying a meeting's record: after the meeting ended and every ballot on its agenda is
counted, two different board members approve, then the record is rendered, signed exactly
like a ballot's proces-verbaal (ballots.signing) and stored; the meeting becomes certified and
nothing about it changes any more."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots.certification import APPROVALS_NEEDED, signing_address_problem
from ballots.documents import ApprovalLine
from meetings import record
from meetings.errors import MeetingError
from meetings.models import Meeting, MeetingApproval, MeetingDocument, MeetingStatus
from members.roles import is_board


class RecordRefused(MeetingError):
    pass


def _active(meeting: Meeting):
    return MeetingApproval.objects.filter(
        meeting=meeting, withdrawn_at__isnull=True
    ).select_related("approver")


def approve_record(*, meeting: Meeting, by, origin: str | None = None) -> Meeting:
    """Record `by`'s approval; the second, by another board member, certifies. Locks the
    meeting row: two approvals arriving together make the document exactly once."""
    if not is_board(by):
        raise RecordRefused(_("Alleen bestuursleden kunnen het verslag vaststellen."))
    if problem := signing_address_problem(settings.SITE_URL, origin):
        raise RecordRefused(problem)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.ENDED:
            raise RecordRefused(
                _(
                    "Alleen het verslag van een afgelopen, nog niet vastgestelde vergadering kan "
                    "worden goedgekeurd (status: %(status)s)."
                )
                % {"status": meeting.get_status_display()}
            )
        waiting = record.open_items(record.record_data(meeting))
        if waiting:
            raise RecordRefused(
                "Eerst moeten alle stemmingen op de agenda gesloten en geteld zijn: "
                + "; ".join(waiting)
                + "."
            )
        if _active(meeting).filter(approver=by).exists():
            raise RecordRefused(
                _("U heeft dit verslag al goedgekeurd; een tweede bestuurslid moet ook goedkeuren.")
            )
        now = timezone.now()
        MeetingApproval.objects.create(meeting=meeting, approver=by, approved_at=now)
        if _active(meeting).count() >= APPROVALS_NEEDED:
            _certify(meeting, now)
    return meeting


def withdraw_record_approval(*, meeting: Meeting, by) -> None:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.ENDED:
            raise RecordRefused(
                _("Na de vaststelling kan een goedkeuring niet meer worden ingetrokken.")
            )
        approval = _active(meeting).filter(approver=by).first()
        if approval is None:
            raise RecordRefused(_("U heeft dit verslag niet goedgekeurd."))
        approval.withdrawn_at = timezone.now()
        approval.save(update_fields=["withdrawn_at"])


def _certify(meeting: Meeting, now) -> None:
    from ballots.signing import sign_pdf, signing_identity

    identity = signing_identity()
    approvals = [ApprovalLine(a.approver.get_full_name(), a.approved_at) for a in _active(meeting)]
    data = record.record_data(meeting)
    pdf = record.render_record_pdf(
        meeting,
        data,
        approvals=approvals,
        verify_url=settings.SITE_URL + reverse("ballots:verify"),
        generated_at=now,
        development_certificate=identity.development,
    )
    signed = sign_pdf(pdf, box_mm=record.SIGNATURE_BOX_MM, identity=identity)
    MeetingDocument.objects.create(
        meeting=meeting,
        pdf=signed,
        sha256=hashlib.sha256(signed).hexdigest(),
        record_sha256=record.record_sha256(data),
        signed_at=now,
        development_certificate=identity.development,
    )
    meeting.status = MeetingStatus.CERTIFIED
    meeting.save(update_fields=["status"])


def meeting_document(sha256: str):
    """The document registry's lookup (ballots.document_registry) for meeting records."""
    from ballots.document_registry import StoredDocument

    document = MeetingDocument.objects.select_related("meeting").filter(sha256=sha256).first()
    if document is None:
        return None
    return StoredDocument(
        record=document,
        kind="Vergadering",
        number=document.meeting_id,
        title=document.meeting.title,
        url=reverse("meetings:detail", args=[document.meeting_id]),
        signed_at=document.signed_at,
        seal=document.record_sha256,
        development_certificate=document.development_certificate,
    )
