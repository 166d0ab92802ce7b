"""Pages of the members app: the board dashboard and the register import."""

import base64
import hashlib

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from members.forms import RegisterUploadForm
from members.permissions import board_required, permission_required
from members.register_import import (
    RegisterImportRejected,
    apply_register_import,
    plan_register_import,
)
from members.selectors import active_member_counts

SESSION_KEY = "register_import_upload"


@board_required
def board_dashboard(request):
    counts = active_member_counts()
    return render(
        request,
        "members/board_dashboard.html",
        {"active_members": sum(counts.values()), "regions_with_members": len(counts)},
    )


@permission_required("members.import_register")
@require_http_methods(["GET", "POST"])
def register_import_upload(request):
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        # The file waits in the session between preview and confirmation; its hash ties the
        # confirmation to exactly the file that was previewed.
        request.session[SESSION_KEY] = {
            "data": base64.b64encode(data).decode("ascii"),
            "sha256": hashlib.sha256(data).hexdigest(),
            "name": request.FILES["file"].name,
        }
        return redirect("members:register_import_preview")
    return render(request, "members/register_import_upload.html", {"form": form})


def _stashed_upload(request) -> tuple[bytes, dict] | None:
    stash = request.session.get(SESSION_KEY)
    if not stash:
        return None
    return base64.b64decode(stash["data"]), stash


@permission_required("members.import_register")
def register_import_preview(request):
    stashed = _stashed_upload(request)
    if stashed is None:
        return redirect("members:register_import")
    data, stash = stashed
    plan = plan_register_import(data)
    return render(
        request,
        "members/register_import_preview.html",
        {"plan": plan, "file_name": stash["name"], "sha256": stash["sha256"]},
    )


@permission_required("members.import_register")
@require_POST
def register_import_confirm(request):
    stashed = _stashed_upload(request)
    if stashed is None or request.POST.get("sha256") != stashed[1]["sha256"]:
        messages.error(request, _("Deze import is verlopen of al uitgevoerd. Upload opnieuw."))
        return redirect("members:register_import")
    data, _stash = stashed
    try:
        plan = apply_register_import(data, by=request.user)
    except RegisterImportRejected as rejected:
        messages.error(
            request,
            ngettext(
                "Er is niets geïmporteerd: %(count)s regel bevat fouten.",
                "Er is niets geïmporteerd: %(count)s regels bevatten fouten.",
                len(rejected.plan.errors),
            )
            % {"count": len(rejected.plan.errors)},
        )
        return redirect("members:register_import_preview")
    del request.session[SESSION_KEY]
    messages.success(
        request, _("Ledenregister geïmporteerd: %(summary)s.") % {"summary": plan.summary()}
    )
    return redirect("members:board")
