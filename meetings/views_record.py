"""The meeting's record: two board members approve it (each right after confirming their
second factor), anyone logged in downloads the signed document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ballots.views_results import fresh_second_factor
from meetings import certification
from meetings.errors import MeetingError
from meetings.models import Meeting, MeetingStatus
from members.permissions import permission_required

RUN = "meetings.run_meeting"


@permission_required(RUN)
@require_POST
def record_approve(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    console = reverse("meetings:console", args=[meeting.pk])
    if not fresh_second_factor(request):
        messages.info(
            request,
            _("Bevestig eerst met uw tweede factor dat u het bent; keur daarna opnieuw goed."),
        )
        return redirect(reverse("mfa_reauthenticate") + "?" + urlencode({"next": console}))
    try:
        if request.POST.get("action") == "withdraw":
            certification.withdraw_record_approval(meeting=meeting, by=request.user)
            messages.success(request, _("Uw goedkeuring van het verslag is ingetrokken."))
        else:
            meeting = certification.approve_record(
                meeting=meeting, by=request.user, origin=f"{request.scheme}://{request.get_host()}"
            )
            if meeting.status == MeetingStatus.CERTIFIED:
                messages.success(request, _("Het verslag is vastgesteld en ondertekend."))
            else:
                messages.success(
                    request,
                    _("Uw goedkeuring is vastgelegd; een tweede bestuurslid moet ook goedkeuren."),
                )
    except MeetingError as refused:
        messages.error(request, str(refused))
    return redirect(console)


@login_required
def record_document(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    document = getattr(meeting, "document", None)
    if document is None:
        raise Http404
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="proces-verbaal-vergadering-{meeting.pk}.pdf"'
    )
    return response
