"""Counts in the hall (paper ballots, a show of hands): one board member enters, another
confirms (ballots.paper). Thin: the form parses, the service decides."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ballots import paper
from ballots.models import Ballot, PaperTally
from ballots.paper_forms import PaperTallyForm
from members.permissions import permission_required

MANAGE = "ballots.manage_ballot"


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def paper_votes(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    form = PaperTallyForm(request.POST or None, ballot=ballot)
    if request.method == "POST" and form.is_valid():
        try:
            paper.enter(
                ballot=ballot,
                kind=form.cleaned_data["kind"],
                electors=form.cleaned_data["numbers"],
                lines=form.lines(),
                by=request.user,
            )
        except paper.PaperRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, _("De telling is ingevoerd; een tweede bestuurslid moet haar bevestigen.")
            )
            return redirect("ballots:paper_votes", pk=ballot.pk)
    tallies = (
        PaperTally.objects.filter(ballot=ballot)
        .select_related("entered_by", "confirmed_by", "discarded_by")
        .prefetch_related("electors__user")
    )
    labels = {c.pk: c.label for c in ballot.choices.all()}
    return render(
        request,
        "ballots/paper_votes.html",
        {
            "ballot": ballot,
            "form": form,
            "minimum": settings.REPORTING_GROUP_MINIMUM,
            "tallies": [
                {
                    "tally": t,
                    "lines": [
                        {**line, "label": labels.get(line["choice"], "?")} for line in t.lines
                    ],
                }
                for t in tallies
            ],
        },
    )


@permission_required(MANAGE)
@require_POST
def paper_decide(request, pk: int, tally_pk: int):
    tally = get_object_or_404(PaperTally, pk=tally_pk, ballot_id=pk)
    try:
        if request.POST.get("action") == "discard":
            paper.discard(tally=tally, by=request.user)
            messages.success(request, _("De telling is verworpen; zij telt niet mee."))
        else:
            paper.confirm(tally=tally, by=request.user)
            messages.success(request, _("De telling is bevestigd en telt mee."))
    except paper.PaperRefused as refused:
        messages.error(request, str(refused))
    return redirect("ballots:paper_votes", pk=pk)
