"""Meeting pages: the agenda for members; the chair's console, the desk, stand-ins, paper
proxies and the projector for the board (permission meetings.run_meeting, never the admin).

Views parse, call one service or selector, and render; refusals (meetings.errors, ballots'
BallotError) become a message and change nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ballots.errors import BallotError
from ballots.models import BallotStatus
from ballots.views_live import live_context
from meetings import attendance, chair, live, proxies, selectors, standins
from meetings.forms import PaperProxyForm, StandInForm
from meetings.models import Meeting, MeetingStatus, PaperProxy, Presence, StandIn
from members.permissions import permission_required

RUN = "meetings.run_meeting"
PUBLIC = "public"  # the member view of a ballot's live block, also for the board (projector)


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting, pk=pk)


def _current_ballots(meeting: Meeting, user, *, audience: str | None = None) -> list[dict]:
    """The current item's ballots that have started, each with its live block's context."""
    item = meeting.current_item
    if item is None:
        return []
    shown = []
    for link in item.ballot_links.select_related("ballot").order_by("order", "pk"):
        ballot = link.ballot
        context = None
        if ballot.status != BallotStatus.DRAFT:
            context = live_context(ballot, user, audience=audience)
        shown.append({"ballot": ballot, "live": context})
    return shown


def _live_attrs(meeting: Meeting) -> dict:
    state = live.read_state(meeting.pk)
    return {"signature": state["signature"], "ws_url": f"/ws/meetings/{meeting.pk}/live/"}


@login_required
def meeting_index(request):
    meetings = selectors.visible_meetings(request.user)
    return render(
        request,
        "meetings/index.html",
        {
            "current": meetings.exclude(status=MeetingStatus.ENDED).order_by("starts_at"),
            "ended": meetings.filter(status=MeetingStatus.ENDED),
            "may_run": request.user.has_perm(RUN),
        },
    )


@login_required
def meeting_detail(request, pk: int):
    """The agenda; during the meeting the current item follows the chair live."""
    meeting = _meeting(pk)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "items": selectors.agenda(meeting),
            "current_ballots": _current_ballots(meeting, request.user),
            "live_meeting": _live_attrs(meeting),
            "may_run": request.user.has_perm(RUN),
            "may_join_online": meeting.online_possible
            and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)
            and selectors.on_roll(meeting, request.user.pk),
            "my_presence": selectors.presence_of(meeting, request.user.pk),
        },
    )


@login_required
def live_state(request, pk: int):
    """The live state as JSON, for a page that cannot keep its socket (polling)."""
    state = live.read_state(pk)
    if state is None:
        raise Http404
    return JsonResponse(state)


@permission_required(RUN)
def console(request, pk: int):
    meeting = _meeting(pk)
    counts = selectors.counts_by_region(meeting)
    return render(
        request,
        "meetings/console.html",
        {
            "meeting": meeting,
            "items": selectors.agenda(meeting),
            "next_item": selectors.next_item(meeting),
            "current_ballots": _current_ballots(meeting, request.user),
            "totals": selectors.totals(counts),
            "stand_ins": selectors.active_stand_ins(meeting).count(),
            "paper_proxies": selectors.active_paper_proxies(meeting).count(),
            "live_meeting": _live_attrs(meeting),
            "record_approvals": meeting.approvals.filter(withdrawn_at__isnull=True)
            .select_related("approver")
            .order_by("approved_at"),
        },
    )


CHAIR_ACTIONS = {"start", "next", "goto", "end", "open", "close"}


@permission_required(RUN)
@require_POST
def chair_action(request, pk: int, action: str):
    meeting = _meeting(pk)
    if action not in CHAIR_ACTIONS:
        raise Http404
    number = request.POST.get("target", "")
    target = int(number) if number.isascii() and number.isdigit() and len(number) < 10 else 0
    try:
        if action == "start":
            chair.start_meeting(meeting=meeting, by=request.user)
        elif action == "next":
            chair.next_item(meeting=meeting, by=request.user)
        elif action == "goto":
            item = get_object_or_404(meeting.items, pk=target)
            chair.go_to_item(meeting=meeting, item=item, by=request.user)
        elif action == "end":
            chair.end_meeting(meeting=meeting, by=request.user)
        elif action == "open":
            chair.open_item_ballot(meeting=meeting, ballot_id=target, by=request.user)
        else:
            chair.close_item_ballot(meeting=meeting, ballot_id=target, by=request.user)
    except BallotError as refused:
        messages.error(request, str(refused))
    return redirect("meetings:console", pk=meeting.pk)


# --- the desk ----------------------------------------------------------------------------


def _desk_context(request, meeting: Meeting, query: str) -> dict:
    counts = selectors.counts_by_region(meeting)
    return {
        "meeting": meeting,
        "query": query,
        "people": selectors.search_roll(meeting, query),
        "counts": counts,
        "totals": selectors.totals(counts),
        "presences": _presence_buttons(meeting),
    }


def _presence_buttons(meeting: Meeting) -> list[tuple[str, str]]:
    buttons = []
    if meeting.hall_possible:
        buttons.append((Presence.HALL, Presence.HALL.label))
    if meeting.online_possible:
        buttons.append((Presence.ONLINE, Presence.ONLINE.label))
    buttons.append((Presence.ABSENT, Presence.ABSENT.label))
    return buttons


@permission_required(RUN)
def desk(request, pk: int):
    """Search by name or membership number; check in or out without leaving the page (htmx
    swaps the results and the counts; without JavaScript the page reloads)."""
    meeting = _meeting(pk)
    query = request.GET.get("q", "").strip()[:100]
    context = _desk_context(request, meeting, query)
    if request.htmx:
        return render(request, "meetings/_desk_results.html", context)
    return render(request, "meetings/desk.html", context)


@permission_required(RUN)
def desk_counts(request, pk: int):
    meeting = _meeting(pk)
    counts = selectors.counts_by_region(meeting)
    return render(
        request,
        "meetings/_desk_counts.html",
        {"meeting": meeting, "counts": counts, "totals": selectors.totals(counts)},
    )


@permission_required(RUN)
@require_POST
def desk_set(request, pk: int):
    """Check a person in (hall or online) or out. With "first": the only person the query
    finds (Enter in the search field: one keystroke for a membership number)."""
    meeting = _meeting(pk)
    query = request.POST.get("q", "").strip()[:100]
    presence = request.POST.get("presence", Presence.HALL)
    raw = request.POST.get("person", "")
    person_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if person_id is None and request.POST.get("first"):
        found = selectors.search_roll(meeting, query, limit=2)
        if len(found) == 1:
            person_id = found[0].user_id
        elif not found:
            messages.error(request, _("Niemand gevonden voor “%(q)s”.") % {"q": query})
        else:
            messages.info(request, _("Meer dan één persoon gevonden: kies in de lijst."))
    if person_id is not None:
        entry = selectors.roll_entry(meeting, person_id)
        try:
            attendance.set_attendance(
                meeting=meeting, user_id=person_id, presence=presence, by=request.user
            )
        except BallotError as refused:
            messages.error(request, str(refused))
        else:
            name = entry.name if entry else ""
            messages.success(
                request,
                _("%(name)s: %(presence)s.") % {"name": name, "presence": Presence(presence).label},
            )
            if request.POST.get("first"):
                query = ""  # ready for the next person
    context = _desk_context(request, meeting, query)
    if request.htmx:
        return render(request, "meetings/_desk_checked_in.html", context)
    return render(request, "meetings/desk.html", context)


# --- stand-ins and paper proxies -----------------------------------------------------------


def _refusals_message(request, refused: list) -> None:
    for ballot, reason in refused:
        messages.warning(
            request,
            _("Niet toegepast in “%(ballot)s”: %(reason)s.")
            % {"ballot": ballot.question, "reason": reason},
        )


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def stand_ins(request, pk: int):
    meeting = _meeting(pk)
    form = StandInForm(meeting, request.POST or None)
    if request.method == "POST":
        withdraw = request.POST.get("withdraw", "")
        try:
            if withdraw:
                stand_in = get_object_or_404(
                    StandIn, meeting=meeting, pk=withdraw if withdraw.isdigit() else None
                )
                _stand_in, refused = standins.withdraw_stand_in(stand_in=stand_in, by=request.user)
                messages.success(request, _("De vervanging is ingetrokken."))
                _refusals_message(request, refused)
                return redirect("meetings:stand_ins", pk=meeting.pk)
            if form.is_valid():
                _stand_in, refused = standins.approve_stand_in(
                    meeting=meeting,
                    ambassador=form.cleaned_data["ambassador"],
                    deputy=form.cleaned_data["deputy"],
                    by=request.user,
                )
                messages.success(request, _("De vervanging is goedgekeurd."))
                _refusals_message(request, refused)
                return redirect("meetings:stand_ins", pk=meeting.pk)
        except BallotError as refused:
            messages.error(request, str(refused))
    return render(
        request,
        "meetings/stand_ins.html",
        {
            "meeting": meeting,
            "form": form,
            "stand_ins": meeting.stand_ins.select_related(
                "region", "ambassador", "deputy", "approved_by", "withdrawn_by"
            ),
        },
    )


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def paper_proxies(request, pk: int):
    meeting = _meeting(pk)
    form = PaperProxyForm(meeting, request.POST or None)
    if request.method == "POST":
        revoke = request.POST.get("revoke", "")
        try:
            if revoke:
                paper = get_object_or_404(
                    PaperProxy, meeting=meeting, pk=revoke if revoke.isdigit() else None
                )
                _paper, refused = proxies.revoke_paper_proxy(paper=paper, by=request.user)
                messages.success(request, _("De volmacht is ingetrokken."))
                _refusals_message(request, refused)
                return redirect("meetings:paper_proxies", pk=meeting.pk)
            if form.is_valid():
                _paper, refused = proxies.record_paper_proxy(
                    meeting=meeting,
                    grantor=form.cleaned_data["grantor"],
                    holder=form.cleaned_data["holder"],
                    by=request.user,
                )
                messages.success(request, _("De schriftelijke volmacht is vastgelegd."))
                _refusals_message(request, refused)
                return redirect("meetings:paper_proxies", pk=meeting.pk)
        except BallotError as refused:
            messages.error(request, str(refused))
    return render(
        request,
        "meetings/paper_proxies.html",
        {
            "meeting": meeting,
            "form": form,
            "proxies": meeting.paper_proxies.select_related(
                "grantor", "holder", "recorded_by", "revoked_by"
            ),
        },
    )


@permission_required(RUN)
def projector(request, pk: int):
    """The hall's beamer: agenda, current item, its ballot's turnout and result, following
    the chair over the meeting's socket. Shows only what members may see."""
    meeting = _meeting(pk)
    return render(
        request,
        "meetings/projector.html",
        {
            "meeting": meeting,
            "items": selectors.agenda(meeting),
            "current_ballots": _current_ballots(meeting, request.user, audience=PUBLIC),
            "live_meeting": _live_attrs(meeting),
            "show_checkin_code": meeting.hall_possible
            and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS),
        },
    )
