"""Is this PDF an authentic Ledenstem result? The one check behind the verification page and
`manage.py verify_result`.

Authentic means: a PDF, whose last signature is intact, covers the whole file (nothing added
after signing), was made with the association's certificate (trusted), and whose SHA-256
equals a stored result document. Otherwise the answer says exactly why not.

Anyone can upload, so every answer comes in bounded time: a file that is not a stored
document is refused from its bytes when something was appended after the last signature or
when it has more revisions than a proces-verbaal, before pyHanko reads it; and pyHanko's
difference analysis (quadratic in the number of revisions) never runs, since only a signature
that covers the whole file can pass and such a signature has no later changes to analyse.
"""

import hashlib
import io
from dataclasses import dataclass

from ballots import document_registry
from ballots.document_registry import StoredDocument
from ballots.pdf_structure import count_revisions, last_byte_range_end
from ballots.signing import run_coroutine, validation_context

MAX_BYTES = 20 * 1024 * 1024
# signing.py makes two revisions: the rendered PDF and the association's signature. A
# chair's personal signature (signing.CHAIR_SIGNATURE_FIELD) would add one; one more spare.
MAX_REVISIONS = 4

APPENDED = (
    "Er is na de ondertekening iets aan het document toegevoegd "
    "(een latere wijziging buiten de handtekening)."
)


@dataclass(frozen=True)
class DocumentCheck:
    authentic: bool
    reason: str  # Dutch, for the page and the command
    stored: StoredDocument | None = None

    @property
    def document(self):
        """The stored row (a ballot's ResultDocument, a meeting's record, ...)."""
        return self.stored.record if self.stored else None


def _unreadable(exc: Exception) -> DocumentCheck:
    return DocumentCheck(False, f"De PDF is beschadigd of onleesbaar ({type(exc).__name__}).")


def _refused_from_bytes(data: bytes) -> DocumentCheck | None:
    """The cheap refusals for a file that is not a stored document (which was made here and is
    known to be small)."""
    covered_up_to = last_byte_range_end(data)
    if covered_up_to is not None and covered_up_to != len(data):
        return DocumentCheck(False, APPENDED)
    # Crafted files make pyHanko raise all kinds of exceptions: "unreadable", never a 500.
    try:
        revisions = count_revisions(data, stop_after=MAX_REVISIONS)
    except Exception as exc:
        return _unreadable(exc)
    if revisions > MAX_REVISIONS:
        return DocumentCheck(
            False,
            f"Het document bestaat uit meer revisies (latere wijzigingen) dan een "
            f"proces-verbaal van Ledenstem (hoogstens {MAX_REVISIONS}): het is niet het "
            f"oorspronkelijke document.",
        )
    return None


def check_document(data: bytes) -> DocumentCheck:
    if len(data) > MAX_BYTES:
        return DocumentCheck(False, "Het bestand is te groot voor een proces-verbaal.")
    if not data.startswith(b"%PDF-"):
        return DocumentCheck(False, "Dit is geen PDF-bestand.")
    # Only a stored document can be authentic; its signature is still checked below (restored
    # with another certificate, a stored document is reported as an untrusted signer's).
    document = document_registry.find(hashlib.sha256(data).hexdigest())
    if document is None and (refused := _refused_from_bytes(data)):
        return refused
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        return _unreadable(exc)
    if not signatures:
        return DocumentCheck(False, "De PDF bevat geen digitale handtekening.")
    try:
        status = run_coroutine(
            async_validate_pdf_signature(signatures[-1], validation_context(), skip_diff=True)
        )
    except SignatureValidationError as exc:
        return DocumentCheck(False, f"De handtekening kan niet worden gecontroleerd ({exc}).")
    except Exception as exc:
        return _unreadable(exc)
    if not status.intact or not status.valid:
        return DocumentCheck(
            False,
            "Het document is na ondertekening gewijzigd: de handtekening "
            "klopt niet meer met de inhoud.",
        )
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return DocumentCheck(False, APPENDED)
    if not status.trusted:
        return DocumentCheck(
            False,
            "De handtekening is niet gezet met het certificaat van de "
            "vereniging (onbekende of onvertrouwde ondertekenaar).",
        )
    if document is None:
        return DocumentCheck(
            False,
            "De handtekening is echt, maar dit document komt niet voor "
            "in Ledenstem (onbekend document).",
        )
    return DocumentCheck(True, "Dit is een echt proces-verbaal van Ledenstem.", document)
