"""Board actions that belong to a ballot kind: opening the second round of a two-round vote."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ballots import services
from ballots.errors import BallotError
from ballots.models import Ballot
from members.permissions import permission_required


@permission_required("ballots.manage_ballot")
@require_POST
def second_round(request, pk: int):
    first = get_object_or_404(Ballot, pk=pk)
    try:
        second = services.start_second_round(first, by=request.user)
    except BallotError as refused:
        messages.error(request, str(refused))
        return redirect("ballots:results", pk=first.pk)
    messages.success(request, _("De tweede ronde is geopend."))
    return redirect(second)
