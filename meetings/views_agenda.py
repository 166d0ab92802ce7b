"""The board's pages to prepare a meeting (permission meetings.run_meeting, never the
admin): create and edit a meeting, and its agenda (add, edit, move, delete items; link FAQ
questions and position papers; attach and detach ballots).

Views parse, call one service of meetings.agenda and render; a refusal (AgendaRefused)
becomes a message and changes nothing. Moving and deleting are plain forms with submit
buttons: no script needed, and they work by keyboard and on a phone."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ballots.errors import BallotError
from ballots.models import Ballot
from faq.markdown import render_markdown
from meetings import agenda
from meetings.forms_agenda import DETAIL_FIELDS, AgendaItemForm, AttachBallotForm, MeetingForm
from meetings.models import AgendaItem, Meeting, MeetingStatus
from members.permissions import permission_required

RUN = "meetings.run_meeting"


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting, pk=pk)


def _item(meeting: Meeting, item_pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem, meeting=meeting, pk=item_pk)


# --- the meeting ----------------------------------------------------------------------------


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = agenda.create_meeting(
                **{f: form.cleaned_data[f] for f in DETAIL_FIELDS}, by=request.user
            )
        except BallotError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("De vergadering is aangemaakt. Stel nu de agenda op."))
            return redirect("meetings:agenda_editor", pk=meeting.pk)
    return render(request, "meetings/editor/meeting_form.html", {"form": form, "meeting": None})


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = _meeting(pk)
    ended = meeting.status == MeetingStatus.ENDED
    form = MeetingForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            agenda.update_meeting(
                meeting=meeting,
                **{f: form.cleaned_data[f] for f in DETAIL_FIELDS},
                by=request.user,
            )
        except BallotError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("De gegevens van de vergadering zijn opgeslagen."))
            return redirect("meetings:agenda_editor", pk=meeting.pk)
    return render(
        request,
        "meetings/editor/meeting_form.html",
        {"form": form, "meeting": meeting, "ended": ended},
    )


# --- the agenda -----------------------------------------------------------------------------


@permission_required(RUN)
def agenda_editor(request, pk: int):
    meeting = _meeting(pk)
    items = meeting.items.prefetch_related("questions", "papers", "ballot_links__ballot").order_by(
        "order"
    )
    return render(
        request,
        "meetings/editor/agenda.html",
        {
            "meeting": meeting,
            "items": items,
            "ended": meeting.status == MeetingStatus.ENDED,
            "attachable": agenda.attachable_ballots(meeting).count(),
        },
    )


def _item_page(request, meeting, item, form, *, attach_form=None, status=200):
    context = {
        "meeting": meeting,
        "item": item,
        "form": form,
        "ended": meeting.status == MeetingStatus.ENDED,
        "text_preview": render_markdown(str(form["text"].value() or "")),
    }
    if item is not None:
        context["links"] = item.ballot_links.select_related("ballot").order_by("order", "pk")
        context["attach_form"] = attach_form or AttachBallotForm(
            queryset=agenda.attachable_ballots(meeting)
        )
    return render(request, "meetings/editor/item_form.html", context, status=status)


def _item_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "text": data["text"],
        "questions": data["questions"],
        "papers": data["papers"],
    }


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def item_new(request, pk: int):
    meeting = _meeting(pk)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            item = agenda.add_item(meeting=meeting, **_item_fields(form), by=request.user)
        except BallotError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Agendapunt %(order)s is toegevoegd.") % {"order": item.order},
            )
            return redirect("meetings:item_edit", pk=meeting.pk, item_pk=item.pk)
    return _item_page(request, meeting, None, form)


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int, item_pk: int):
    meeting = _meeting(pk)
    item = _item(meeting, item_pk)
    form = AgendaItemForm(request.POST or None, item=item)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            agenda.update_item(item=item, **_item_fields(form), by=request.user)
        except BallotError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Het agendapunt is opgeslagen."))
            return redirect("meetings:item_edit", pk=meeting.pk, item_pk=item.pk)
    return _item_page(request, meeting, item, form)


@permission_required(RUN)
@require_POST
def item_move(request, pk: int, item_pk: int):
    meeting = _meeting(pk)
    item = _item(meeting, item_pk)
    try:
        agenda.move_item(item=item, direction=request.POST.get("direction", ""), by=request.user)
    except BallotError as refused:
        messages.error(request, str(refused))
    return redirect(f"{_agenda_url(meeting)}#item-{item.pk}")


def _agenda_url(meeting: Meeting) -> str:
    return reverse("meetings:agenda_editor", args=[meeting.pk])


@permission_required(RUN)
@require_http_methods(["GET", "POST"])
def item_delete(request, pk: int, item_pk: int):
    """A confirmation page (GET); the POST deletes."""
    meeting = _meeting(pk)
    item = _item(meeting, item_pk)
    if request.method == "POST":
        try:
            agenda.delete_item(item=item, by=request.user)
        except BallotError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("Het agendapunt “%(title)s” is verwijderd.") % {"title": item.title}
            )
        return redirect("meetings:agenda_editor", pk=meeting.pk)
    return render(
        request,
        "meetings/editor/item_delete.html",
        {
            "meeting": meeting,
            "item": item,
            "ended": meeting.status == MeetingStatus.ENDED,
            "links": item.ballot_links.select_related("ballot").order_by("order", "pk"),
        },
    )


@permission_required(RUN)
@require_POST
def item_ballots(request, pk: int, item_pk: int):
    """Attach a ballot (field "ballot") or detach one (field "detach")."""
    meeting = _meeting(pk)
    item = _item(meeting, item_pk)
    detach = request.POST.get("detach", "")
    try:
        if detach:
            ballot = get_object_or_404(
                Ballot, pk=detach if detach.isascii() and detach.isdigit() else None
            )
            agenda.detach_ballot(item=item, ballot=ballot, by=request.user)
            messages.success(
                request,
                _("“%(question)s” staat niet meer op de agenda.") % {"question": ballot.question},
            )
        else:
            form = AttachBallotForm(request.POST, queryset=agenda.attachable_ballots(meeting))
            if not form.is_valid():
                form.fields["ballot"].queryset = agenda.attachable_ballots(meeting)
                item_form = AgendaItemForm(item=item)
                return _item_page(request, meeting, item, item_form, attach_form=form, status=400)
            ballot = form.cleaned_data["ballot"]
            agenda.attach_ballot(item=item, ballot=ballot, by=request.user)
            messages.success(
                request,
                _("“%(question)s” staat nu bij dit agendapunt.") % {"question": ballot.question},
            )
    except BallotError as refused:
        messages.error(request, str(refused))
    return redirect(f"{_item_url(meeting, item)}#item-ballots")


def _item_url(meeting: Meeting, item: AgendaItem) -> str:
    return reverse("meetings:item_edit", args=[meeting.pk, item.pk])


@permission_required(RUN)
@require_POST
def agenda_markdown(request, pk: int):
    """htmx: an item's text as members will see it (faq's sanitising renderer)."""
    _meeting(pk)
    return HttpResponse(render_markdown(request.POST.get("text", "")[:100_000]))
