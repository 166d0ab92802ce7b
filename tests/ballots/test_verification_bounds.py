"""The public verification page answers every upload in bounded time (issue #13, item 2).

A genuine signed PDF with thousands of tiny incremental updates appended made pyHanko's
difference analysis run for tens of seconds (quadratic in the number of revisions), for anyone,
without logging in. These tests build such files as the attacker did and time the answer on
the embedded default (SQLite, one process)."""

import io
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ballots import certification, services
from ballots.document_check import MAX_REVISIONS, check_document
from ballots.models import ResultDocument
from tests.factories import RegionFactory, board_member, choice, member, open_ballot

pytestmark = pytest.mark.django_db

UPDATES = 3_000
BUDGET_SECONDS = 1.0


@pytest.fixture
def genuine() -> bytes:
    """A certified ballot's stored, signed proces-verbaal."""
    region = RegionFactory(code="utrecht", name="Utrecht")
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot(question="Tekent de vereniging het akkoord?")
    for voter in voters:
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    ballot = services.close_ballot(ballot)
    certification.approve_result(ballot=ballot, by=board_member(), notify=False)
    certification.approve_result(ballot=ballot, by=board_member(), notify=False)
    data = bytes(ResultDocument.objects.get(ballot=ballot).pdf)
    assert check_document(data).authentic  # also warms the process, as a running server is
    return data


def append_updates(pdf: bytes, count: int, *, markers: bool = True) -> bytes:
    """`count` tiny incremental updates, each a new object and its own cross-reference stream
    chained by /Prev, as a PDF library writes them. Without `markers` the intermediate
    updates carry no startxref / %%EOF (a reader follows /Prev alone), so counting those
    markers in the bytes finds only one."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    trailer = PdfFileReader(io.BytesIO(pdf), strict=False).trailer
    root, size = trailer.raw_get("/Root").idnum, int(trailer["/Size"])
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    out = bytearray(pdf)
    for n in range(count):
        obj_at = len(out)
        out += b"%d 0 obj\n(%d)\nendobj\n" % (size, n)
        xref_at = len(out)
        rows = b"".join(b"\x01" + at.to_bytes(4, "big") + b"\x00\x00" for at in (obj_at, xref_at))
        out += (
            b"%d 0 obj\n<< /Type /XRef /W [1 4 2] /Index [%d 2] /Size %d /Root %d 0 R "
            b"/Prev %d /Length %d >>\nstream\n%s\nendstream\nendobj\n"
            % (size + 1, size, size + 2, root, previous, len(rows), rows)
        )
        if markers or n == count - 1:
            out += b"startxref\n%d\n%%%%EOF\n" % xref_at
        previous, size = xref_at, size + 2
    return bytes(out)


def timed_check(data: bytes):
    started = time.perf_counter()
    result = check_document(data)
    return result, time.perf_counter() - started


def test_thousands_of_appended_updates_are_refused_quickly(genuine):
    attack = append_updates(genuine, UPDATES)
    assert len(attack) > 400_000
    result, seconds = timed_check(attack)
    assert not result.authentic
    assert "toegevoegd" in result.reason
    assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s for {UPDATES} appended updates"


def test_appended_updates_without_eof_markers_are_refused_quickly(genuine):
    attack = append_updates(genuine, UPDATES, markers=False)
    assert attack.count(b"%%EOF") == 3  # two genuine revisions and the last update's
    result, seconds = timed_check(attack)
    assert not result.authentic and "toegevoegd" in result.reason
    assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s"


def test_many_revisions_signed_over_by_a_stranger_are_refused_quickly(genuine, tmp_path):
    """The last signature covers the whole file (a stranger signed after the updates), so the
    byte range alone does not give it away; the number of revisions does, before any
    expensive analysis."""
    from ballots.signing import _development_identity, sign_pdf

    stranger = _development_identity(tmp_path)
    for markers in (True, False):
        padded = append_updates(genuine, UPDATES, markers=markers)
        forged = sign_pdf(padded, box_mm=(20, 24, 90, 52), identity=stranger, field_name="X")
        result, seconds = timed_check(forged)
        assert not result.authentic, markers
        assert "revisies" in result.reason, result.reason
        assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s (markers={markers})"


def test_a_faked_byte_range_hint_does_not_let_many_revisions_through(genuine):
    """The byte-range hint is read from the bytes, so an attacker can fake one that seems to
    cover the whole file; the revisions are still counted before any expensive analysis."""
    attack = append_updates(genuine, UPDATES, markers=False)
    tail = attack.rindex(b"startxref")
    for end in range(len(attack), len(attack) + 64):
        fake = b"%%/ByteRange [0 1 1 %d]\n" % (end - 1)
        if len(attack) + len(fake) == end:
            break
    attack = attack[:tail] + fake + attack[tail:]
    assert attack.rfind(b"/ByteRange") > len(genuine)
    result, seconds = timed_check(attack)
    assert not result.authentic and "revisies" in result.reason, result.reason
    assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s"


def test_the_verification_page_answers_the_attack_quickly(client, genuine):
    attack = append_updates(genuine, UPDATES)
    upload = SimpleUploadedFile("pv.pdf", attack, "application/pdf")
    started = time.perf_counter()
    response = client.post(reverse("ballots:verify"), {"file": upload})
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    html = response.content.decode()
    assert "toegevoegd" in html and "echt proces-verbaal van Ledenstem." not in html
    assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s over HTTP"


def test_a_genuine_document_has_fewer_revisions_than_the_limit(genuine):
    """The limit leaves room above what signing.py makes (the rendered PDF and the
    association's signature; a chair's personal signature would add one)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    revisions = PdfFileReader(io.BytesIO(genuine), strict=False).xrefs.total_revisions
    assert revisions == 2
    assert revisions + 1 <= MAX_REVISIONS


def test_a_stored_genuine_document_is_authentic_over_http(client, genuine):
    upload = SimpleUploadedFile("pv.pdf", genuine, "application/pdf")
    html = client.post(reverse("ballots:verify"), {"file": upload}).content.decode()
    assert "Dit is een echt proces-verbaal van Ledenstem." in html


def test_a_stored_document_is_still_checked_against_the_certificate(genuine, settings, tmp_path):
    """Knowing the hash is not enough: restored with another certificate, a stored document
    is reported as signed by an untrusted signer (README, backups)."""
    settings.VAR_DIR = str(tmp_path)  # a new development certificate
    result = check_document(genuine)
    assert not result.authentic
    assert "certificaat van de vereniging" in result.reason


def test_a_document_signed_by_another_certificate_is_refused(genuine, tmp_path):
    from ballots.signing import _development_identity, sign_pdf

    stranger = _development_identity(tmp_path)
    forged = sign_pdf(genuine, box_mm=(20, 24, 90, 52), identity=stranger, field_name="Vreemd")
    result = check_document(forged)
    assert not result.authentic and "certificaat van de vereniging" in result.reason
