"""The board's result exports (JSON, CSV, XLSX, the signed PDF): a thin view over
ballots.exports, which decides whether an export exists yet."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from ballots.exports import FORMATS, ExportRefused, export
from ballots.models import Ballot
from members.permissions import permission_required

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@permission_required("ballots.export_results")
def download(request, pk: int, fmt: str):
    ballot = get_object_or_404(Ballot, pk=pk)
    if fmt not in FORMATS:
        raise Http404
    try:
        data = export(ballot, fmt)
    except ExportRefused as refused:
        # 409: the ballot exists and the board may export it, just not in its current state.
        return render(
            request,
            "ballots/export_refused.html",
            {"ballot": ballot, "reason": str(refused)},
            status=409,
        )
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="stemming-{ballot.pk}.{fmt}"'
    return response
