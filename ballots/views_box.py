"""The published ballot box (issue #17): the download, and the board's choice to make it
public. Thin views over ballots.ballot_box; the box itself decides what it may contain."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ballots import ballot_box, ledger
from ballots.exports import ExportRefused
from ballots.models import Ballot, BallotStatus
from members.permissions import permission_required


def box_download(request, pk: int):
    """Members may download every counted ballot's box; anyone may when the board made it
    public (an auditor, the press, an opposing group without an account)."""
    ballot = get_object_or_404(Ballot.objects.exclude(status=BallotStatus.DRAFT), pk=pk)
    if not ballot.box_public and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        data = ballot_box.published(ballot)
    except ExportRefused as refused:
        return render(
            request,
            "ballots/export_refused.html",
            {"ballot": ballot, "reason": str(refused), "for_members": True},
            status=409,
        )
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stembus-{ballot.pk}.json"'
    return response


@permission_required("ballots.manage_ballot")
@require_POST
def box_publicity(request, pk: int):
    """Public or members only, recorded in the ledger with who decided."""
    public = request.POST.get("public") == "1"
    with transaction.atomic():
        ballot = get_object_or_404(Ballot.objects.select_for_update(), pk=pk)
        if ballot.box_public != public:
            ballot.box_public = public
            ballot.save(update_fields=["box_public"])
            ledger.record(ballot, "box_public", {"by": request.user.pk, "public": public})
    if public:
        messages.success(request, _("De stembus is nu openbaar: iedereen kan hem downloaden."))
    else:
        messages.success(request, _("De stembus is nu alleen voor leden te downloaden."))
    return redirect("ballots:results", pk=ballot.pk)


def how_to_verify(request):
    """In Dutch, for any member: install the verifier, download the box or the document,
    run it (three commands). Public: an auditor needs no account to read it."""
    from ballots import verifier_package
    from ballots.signing import signing_identity

    identity = signing_identity()
    return render(
        request,
        "ballots/how_to_verify.html",
        {
            # The public address (as in every document), not the host this request came in on.
            "package_url": settings.SITE_URL + reverse("ballots:verifier_package"),
            "package_sha256": verifier_package.archive_sha256(),
            "certificate_sha256": _fingerprint(identity.cert_pem),
            "development_certificate": identity.development,
        },
    )


def _fingerprint(cert_pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256()).hex()


def verifier_download(request):
    from ballots import verifier_package

    response = HttpResponse(verifier_package.archive(), content_type="application/gzip")
    response["Content-Disposition"] = f'attachment; filename="{verifier_package.archive_name()}"'
    return response


def certificate_download(request):
    """The certificate the association signs its documents with, for --certificate."""
    from ballots.signing import signing_identity

    response = HttpResponse(signing_identity().cert_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="certificaat-vereniging.pem"'
    return response
