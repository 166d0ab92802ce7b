"""The `pdf` scenario: render and sign the proces-verbaal of a ballot with 19 regions and a
roll call, in a warm process, N times; report p50/p95 of render, sign and both."""

import statistics
import time


def run(*, repeats: int) -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from ballots.documents import SIGNATURE_BOX_MM, ApprovalLine, pages, render_result_pdf
    from ballots.models import Ballot
    from ballots.signing import sign_pdf, signing_identity

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - silence the demo
    ballot = Ballot.objects.filter(
        electorate="ambassadors", status__in=["closed", "certified"]
    ).first()
    identity = signing_identity()
    arguments = {
        "approvals": [
            ApprovalLine("Bench Voorzitter", timezone.now()),
            ApprovalLine("Bench Secretaris", timezone.now()),
        ],
        "seal": ballot.final_seal,
        "verify_url": "https://stem.vereniging.example/stemmingen/controleren/",
        "generated_at": timezone.now(),
        "development_certificate": identity.development,
    }
    render_pdf = lambda: render_result_pdf(ballot, **arguments)  # noqa: E731
    sign = lambda pdf: sign_pdf(pdf, box_mm=SIGNATURE_BOX_MM, identity=identity)  # noqa: E731
    sign(render_pdf())  # warm up: fonts, templates, key loading
    renders, signs, totals = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        pdf = render_pdf()
        rendered = time.perf_counter()
        signed = sign(pdf)
        done = time.perf_counter()
        renders.append(rendered - start)
        signs.append(done - rendered)
        totals.append(done - start)
    return {
        "ballot_regions": len(ballot.final_result["regions"]),
        "pdf_bytes": len(signed),
        "repeats": repeats,
        "render_s": _summary(renders),
        "sign_s": _summary(signs),
        "render_and_sign_s": _summary(totals),
        "pages": pages(signed),
    }


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3),
        "max": round(ordered[-1], 3),
    }
