"""QR self check-in: the hall's screen (board only) and the page a member's phone opens.

The page a member opens asks for one tap (a POST) before recording anything, as the
ballots' QR check-in does: a link preview or a prefetch must not check anyone in, and a GET
changes nothing. The rules are in meetings.self_checkin."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ballots.checkin import qr_svg
from ballots.errors import BallotError
from meetings import selectors, self_checkin
from meetings.models import Meeting, MeetingStatus
from members.permissions import permission_required

RUN = "meetings.run_meeting"


@permission_required(RUN)
def self_checkin_display(request, pk: int):
    """The hall's screen: a QR code that rotates every minute; the page reloads itself
    when the code changes (static/js/refresh.js)."""
    meeting = get_object_or_404(Meeting, pk=pk)
    context = {"meeting": meeting, "qr": None, "refresh": self_checkin.seconds_left() + 1}
    if meeting.status != MeetingStatus.ENDED and meeting.hall_possible:
        token = self_checkin.current_token(meeting.pk)
        # The public address, not the request's host (as the ballots' check-in display).
        url = settings.SITE_URL + reverse("meetings:self_checkin", args=[meeting.pk, token])
        context["qr"] = mark_safe(qr_svg(url))  # segno's SVG, made here from our own URL
    return render(request, "meetings/checkin/display.html", context)


@permission_required(RUN)
def self_checkin_qr(request, pk: int):
    """The current check-in code as an SVG image, for the projector, which fetches it again
    before the code rotates (static/js/projector_qr.js). Never cached."""
    meeting = get_object_or_404(Meeting, pk=pk)
    if (
        meeting.status in (MeetingStatus.ENDED, MeetingStatus.CERTIFIED)
        or not meeting.hall_possible
    ):
        raise Http404
    token = self_checkin.current_token(meeting.pk)
    url = settings.SITE_URL + reverse("meetings:self_checkin", args=[meeting.pk, token])
    response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def self_checkin_page(request, pk: int, token: str):
    meeting = get_object_or_404(Meeting, pk=pk)
    valid = self_checkin.token_is_valid(meeting.pk, token)
    on_roll = selectors.on_roll(meeting, request.user.pk)
    context = {
        "meeting": meeting,
        "token": token,
        "valid": valid,
        "on_roll": on_roll,
        "present": selectors.is_present(meeting, request.user.pk),
        "refusal": None,
        "checked_in": False,
    }
    if request.method == "POST":
        try:
            self_checkin.check_in_self(meeting=meeting, user=request.user, token=token)
        except BallotError as refused:
            context["refusal"] = str(refused)
            return render(request, "meetings/checkin/member.html", context, status=403)
        context["checked_in"] = True
    return render(request, "meetings/checkin/member.html", context)


@login_required
@require_POST
def join_online(request, pk: int):
    """A member following from home marks themselves present online (hybrid meetings)."""
    meeting = get_object_or_404(Meeting, pk=pk)
    try:
        self_checkin.join_online(meeting=meeting, user=request.user)
    except BallotError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("U bent aangemeld als online aanwezig."))
    return redirect("meetings:detail", pk=meeting.pk)
