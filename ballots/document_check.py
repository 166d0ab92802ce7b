"""Is this PDF an authentic Ledenstem result? The one check behind the verification page and
`manage.py verify_result`.

Authentic means: a PDF, whose last signature is intact, covers the whole file (nothing added
after signing), was made with the association's certificate (trusted), and whose SHA-256
equals a stored result document. Otherwise the answer says exactly why not.
"""

import hashlib
import io
from dataclasses import dataclass

from ballots.models import ResultDocument
from ballots.signing import run_coroutine, validation_context

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class DocumentCheck:
    authentic: bool
    reason: str  # Dutch, for the page and the command
    document: ResultDocument | None = None


def check_document(data: bytes) -> DocumentCheck:
    if len(data) > MAX_BYTES:
        return DocumentCheck(False, "Het bestand is te groot voor een proces-verbaal.")
    if not data.startswith(b"%PDF-"):
        return DocumentCheck(False, "Dit is geen PDF-bestand.")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError

    # Anyone can upload here, and crafted files make pyHanko raise all kinds of exceptions
    # (AssertionError, AttributeError, ...): any failure to read is "unreadable", never a 500.
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        return DocumentCheck(False, f"De PDF is beschadigd of onleesbaar ({type(exc).__name__}).")
    if not signatures:
        return DocumentCheck(False, "De PDF bevat geen digitale handtekening.")
    try:
        status = run_coroutine(async_validate_pdf_signature(signatures[-1], validation_context()))
    except SignatureValidationError as exc:
        return DocumentCheck(False, f"De handtekening kan niet worden gecontroleerd ({exc}).")
    except Exception as exc:
        return DocumentCheck(False, f"De PDF is beschadigd of onleesbaar ({type(exc).__name__}).")
    if not status.intact or not status.valid:
        return DocumentCheck(
            False,
            "Het document is na ondertekening gewijzigd: de handtekening "
            "klopt niet meer met de inhoud.",
        )
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return DocumentCheck(
            False,
            "Er is na de ondertekening iets aan het document toegevoegd "
            "(een latere wijziging buiten de handtekening).",
        )
    if not status.trusted:
        return DocumentCheck(
            False,
            "De handtekening is niet gezet met het certificaat van de "
            "vereniging (onbekende of onvertrouwde ondertekenaar).",
        )
    document = (
        ResultDocument.objects.select_related("ballot")
        .filter(sha256=hashlib.sha256(data).hexdigest())
        .first()
    )
    if document is None:
        return DocumentCheck(
            False,
            "De handtekening is echt, maar dit document komt niet voor "
            "in Ledenstem (onbekend document).",
        )
    return DocumentCheck(True, "Dit is een echt proces-verbaal van Ledenstem.", document)
