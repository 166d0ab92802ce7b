"""Certifying a closed ballot: two different board members approve, then the platform
renders and signs the proces-verbaal and the ballot becomes `certified`, after which nothing
about it changes (every service refuses a certified ballot).

Each approval requires a fresh second-factor check (the view enforces it); approvals and the
certification are recorded in the ledger.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots import ledger, notifications
from ballots.errors import BallotError, NotEditable
from ballots.live import marks as live
from ballots.models import Approval, Ballot, BallotStatus, ResultDocument
from members.roles import is_board

APPROVALS_NEEDED = 2


def _active_approvals(ballot: Ballot):
    return Approval.objects.filter(ballot=ballot, withdrawn_at__isnull=True).select_related(
        "approver"
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").lower(),
        parts.port or {"http": 80, "https": 443}.get(scheme),
    )


def signing_address_problem(site_url: str, request_origin: str | None) -> str | None:
    """Why no result may be approved and signed from here (in Dutch), or None.

    The document's verification link and QR code are made from SITE_URL and can never change
    once signed. A board member who reached the site at another scheme, host or port shows
    that SITE_URL does not name the address people use (make run on another port used to
    sign http://127.0.0.1:8000 into every document). Without a request (commands, tests)
    only an empty SITE_URL is refused."""
    if not site_url:
        return (
            "Het webadres van de site (SITE_URL) is niet ingesteld. De verificatielink in het "
            "proces-verbaal wordt daarvan gemaakt en verandert na ondertekening nooit meer: "
            "laat de beheerder het eerst instellen."
        )
    if request_origin is None or _origin(site_url) == _origin(request_origin):
        return None
    return (
        f"De verificatielink in het proces-verbaal zou naar {site_url} wijzen, maar u gebruikt "
        f"de site via {request_origin}. Na ondertekening verandert die link nooit meer: laat de "
        "beheerder eerst het webadres van de site (SITE_URL) goed instellen, of open de site "
        f"via {site_url}."
    )


def approve_result(*, ballot: Ballot, by, notify: bool = True, origin: str | None = None) -> Ballot:
    """Record `by`'s approval; the second approval by a different board member certifies.

    `origin` is the scheme://host[:port] the approving request came in on (the web passes it;
    see signing_address_problem). Locks the ballot row, so two approvals arriving together
    are counted one after the other and the document is made exactly once."""
    if not is_board(by):
        raise BallotError(_("Alleen bestuursleden kunnen een uitslag vaststellen."))
    if problem := signing_address_problem(settings.SITE_URL, origin):
        raise NotEditable(problem)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status != BallotStatus.CLOSED:
            raise NotEditable(
                _("Alleen een gesloten stemming kan worden vastgesteld (status: %(status)s).")
                % {"status": ballot.get_status_display()}
            )
        if not ballot.is_counted:
            raise NotEditable(_("De stemmen worden nog geteld; keur de uitslag daarna goed."))
        if _active_approvals(ballot).filter(approver=by).exists():
            raise NotEditable(
                _(
                    "U heeft deze uitslag al goedgekeurd; een tweede bestuurslid moet ook "
                    "goedkeuren."
                )
            )
        now = timezone.now()
        Approval.objects.create(ballot=ballot, approver=by, approved_at=now)
        ledger.record(ballot, "approved", {"by": by.pk, "at": now.isoformat()})
        if _active_approvals(ballot).count() >= APPROVALS_NEEDED:
            _certify(ballot, now, notify=notify)
    return ballot


def withdraw_approval(*, ballot: Ballot, by) -> None:
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status != BallotStatus.CLOSED:
            raise NotEditable(
                _("Na de vaststelling kan een goedkeuring niet meer worden ingetrokken.")
            )
        approval = _active_approvals(ballot).filter(approver=by).first()
        if approval is None:
            raise NotEditable(_("U heeft deze uitslag niet goedgekeurd."))
        approval.withdrawn_at = timezone.now()
        approval.save(update_fields=["withdrawn_at"])
        ledger.record(
            ballot, "approval_withdrawn", {"by": by.pk, "at": approval.withdrawn_at.isoformat()}
        )


def verify_url(ballot: Ballot) -> str:
    return settings.SITE_URL + reverse("ballots:verify")


def _certify(ballot: Ballot, now, *, notify: bool) -> None:
    from ballots import ballot_box
    from ballots.documents import SIGNATURE_BOX_MM, ApprovalLine, render_result_pdf
    from ballots.signing import sign_pdf, signing_identity

    identity = signing_identity()
    approvals = [
        ApprovalLine(a.approver.get_full_name(), a.approved_at) for a in _active_approvals(ballot)
    ]
    pdf = render_result_pdf(
        ballot,
        approvals=approvals,
        seal=ballot.final_seal,
        verify_url=verify_url(ballot),
        generated_at=now,
        development_certificate=identity.development,
        box=ballot_box.build(ballot),
    )
    signed = sign_pdf(pdf, box_mm=SIGNATURE_BOX_MM, identity=identity)
    digest = hashlib.sha256(signed).hexdigest()
    ResultDocument.objects.create(
        ballot=ballot,
        pdf=signed,
        sha256=digest,
        seal=ballot.final_seal,
        signed_at=now,
        development_certificate=identity.development,
    )
    ballot.status = BallotStatus.CERTIFIED
    ballot.save(update_fields=["status"])
    live.announce(ballot.pk)
    ledger.record(
        ballot,
        "certified",
        {
            "at": now.isoformat(),
            "document_sha256": digest,
            "approvers": [a.name for a in approvals],
        },
    )
    if notify:
        transaction.on_commit(lambda: notifications.result_certified(ballot.pk))
