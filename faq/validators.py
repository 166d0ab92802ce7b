"""Checks on uploaded position-paper attachments: a real PDF, not too large."""

import io

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_MAX_BYTES = 10 * 1024 * 1024


def validate_pdf_attachment(upload) -> None:
    if upload.size > PDF_MAX_BYTES:
        raise ValidationError(
            _("De PDF is groter dan %(limit)s (%(size)s).")
            % {"limit": filesizeformat(PDF_MAX_BYTES), "size": filesizeformat(upload.size)}
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Dit bestand is geen PDF (het begint niet met %PDF-)."))
    # A header is easy to fake: the document structure must also parse.
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018 - reading the catalogue parses the cross-reference table
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise ValidationError(
            _("Deze PDF is beschadigd of onleesbaar (%(reason)s).") % {"reason": exc}
        ) from exc
