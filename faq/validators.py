"""Checks on uploaded position-paper attachments: a real PDF, not too large."""

import io

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

PDF_MAX_BYTES = 10 * 1024 * 1024


def validate_pdf_attachment(upload) -> None:
    if upload.size > PDF_MAX_BYTES:
        raise ValidationError(
            f"De PDF is groter dan {filesizeformat(PDF_MAX_BYTES)} ({filesizeformat(upload.size)})."
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        raise ValidationError("Dit bestand is geen PDF (het begint niet met %PDF-).")
    # A header is easy to fake: the document structure must also parse.
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018 - reading the catalogue parses the cross-reference table
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise ValidationError(f"Deze PDF is beschadigd of onleesbaar ({exc}).") from exc
