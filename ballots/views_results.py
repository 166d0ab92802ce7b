"""Certifying results, the signed document, and the public verification page."""

import time

from allauth.core.ratelimit import consume_or_429
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ballots import approval_intent, certification
from ballots.document_check import MAX_BYTES, check_document
from ballots.errors import BallotError
from ballots.forms import DocumentUploadForm
from ballots.models import Ballot, BallotStatus, ResultDocument
from members.permissions import permission_required

MANAGE = "ballots.manage_ballot"
# A certification approval needs a second-factor check this recent (seconds).
FRESH_SECOND_FACTOR = 300


def fresh_second_factor(request) -> bool:
    """Did this session pass allauth's second-factor reauthentication in the last minutes?"""
    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(
        record.get("method") == "mfa"
        and record.get("reauthenticated")
        and time.time() - record.get("at", 0) < FRESH_SECOND_FACTOR
        for record in records
    )


def _origin_of(request) -> str:
    """The scheme://host[:port] this request reached the site at (behind the proxy: as the
    member's browser saw it, from X-Forwarded-Proto and Host)."""
    return f"{request.scheme}://{request.get_host()}"


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def approve(request, pk: int):
    """Approve (or withdraw an approval of) a closed ballot's result, right after confirming
    the second factor; GET shows what is being approved. A POST without a fresh second factor
    is parked (ballots.approval_intent) and completes by itself on the way back."""
    ballot = get_object_or_404(Ballot, pk=pk)
    if request.method == "POST":
        action = "withdraw" if request.POST.get("action") == "withdraw" else "approve"
        if not fresh_second_factor(request):
            token = approval_intent.stash(request.session, ballot.pk, action)
            back = request.path + "?" + urlencode({"intent": token})
            target = reverse("mfa_reauthenticate") + "?" + urlencode({"next": back})
            messages.info(request, _("Bevestig eerst met uw tweede factor dat u het bent."))
            return redirect(target)
        return _carry_out(request, ballot, action)
    if "intent" in request.GET:
        action = approval_intent.take(request.session, ballot.pk, request.GET["intent"])
        if action and fresh_second_factor(request):
            return _carry_out(request, ballot, action)
    approvals = ballot.approvals.filter(withdrawn_at__isnull=True).select_related("approver")
    return render(
        request,
        "ballots/approve.html",
        {
            "ballot": ballot,
            "approvals": approvals,
            "mine": approvals.filter(approver=request.user).exists(),
            "fresh": fresh_second_factor(request),
            "address_problem": certification.signing_address_problem(
                settings.SITE_URL, _origin_of(request)
            ),
        },
    )


def _carry_out(request, ballot: Ballot, action: str):
    try:
        if action == "withdraw":
            certification.withdraw_approval(ballot=ballot, by=request.user)
            messages.success(request, _("Uw goedkeuring is ingetrokken."))
        else:
            ballot = certification.approve_result(
                ballot=ballot, by=request.user, origin=_origin_of(request)
            )
            ballot.refresh_from_db()
            if ballot.status == BallotStatus.CERTIFIED:
                messages.success(
                    request,
                    _("De uitslag is vastgesteld en het proces-verbaal is ondertekend."),
                )
            else:
                messages.success(
                    request, _("Goedgekeurd. Een tweede bestuurslid moet ook goedkeuren.")
                )
    except BallotError as refused:
        messages.error(request, str(refused))
    return redirect("ballots:results", pk=ballot.pk)


@login_required
def document(request, pk: int):
    """The stored signed PDF, byte for byte."""
    stored = ResultDocument.objects.filter(ballot_id=pk).first()
    if stored is None:
        raise Http404
    response = HttpResponse(bytes(stored.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proces-verbaal-{pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def verify(request):
    """Public: upload a PDF, learn whether it is an authentic Ledenstem result, or why not."""
    if request.method == "POST" and (limited := consume_or_429(request, action="verify_document")):
        return limited
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = check_document(form.cleaned_data["file"])
    return render(
        request,
        "ballots/verify.html",
        {"form": form, "result": result, "max_mb": MAX_BYTES // (1024 * 1024)},
    )
