"""Position-paper attachments must be real PDFs of reasonable size."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from faq.validators import PDF_MAX_BYTES, validate_pdf_attachment


def real_pdf() -> bytes:
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_real_pdf_is_accepted():
    validate_pdf_attachment(SimpleUploadedFile("stuk.pdf", real_pdf()))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"MZ\x90\x00 not a pdf", "geen PDF"),
        (b"%PDF-1.7\n garbage without structure", "beschadigd"),
    ],
)
def test_fake_pdf_is_refused(content, message):
    with pytest.raises(ValidationError, match=message):
        validate_pdf_attachment(SimpleUploadedFile("stuk.pdf", content))


def test_oversized_pdf_is_refused():
    big = SimpleUploadedFile("groot.pdf", b"%PDF-1.4\n" + b"0" * (PDF_MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="groter dan"):
        validate_pdf_attachment(big)
