"""The verifier against the signed proces-verbaal: the certified document holds, carries the
very ballot box the server publishes, finds a member's receipt; a document re-rendered with
one printed figure changed and signed again, and any byte changed or added after signing,
is caught and named."""

import copy
import hashlib
import io
import json

import pytest
from django.utils import timezone

from ballots import ballot_box, certification
from ballots.documents import SIGNATURE_BOX_MM, ApprovalLine, render_result_pdf
from ballots.signing import _development_identity, sign_pdf, signing_identity
from ledenstem_verify import box as box_format
from ledenstem_verify import document
from ledenstem_verify.recount import check_box, recount
from tests.factories import board_member
from tests.verifier.conftest import (
    ranked_irv,
    run_cli,
    secret_with_groups,
    verdict,
    weighted_split_proposal,
)

pytestmark = pytest.mark.django_db


def certify(ballot):
    for name in ("Margriet Hoogeveen", "Tom Ekkel"):
        certification.approve_result(
            ballot=ballot, by=board_member(user__full_name=name), notify=False
        )
    ballot.refresh_from_db()
    assert ballot.status == "certified"
    return ballot


@pytest.fixture
def certified(settings):
    """A certified weighted ambassador proposal with a split vote, and its receipts."""
    ballot, receipts = weighted_split_proposal()
    return certify(ballot), receipts


def pdf_file(tmp_path, data: bytes, name: str = "proces-verbaal.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def certificate_file(tmp_path):
    path = tmp_path / "vereniging.pem"
    path.write_bytes(signing_identity().cert_pem)
    return path


def rerender(ballot, *, result=None, box=None, identity=None) -> bytes:
    """The proces-verbaal made again and signed again, as an insider with the signing key
    could: with `result` the document prints that summary instead of the sealed one (in
    memory only, nothing saved), while the box attached is the true one unless `box`."""
    sealed = ballot.final_result
    box = ballot_box.build(ballot) if box is None else box
    if result is not None:
        ballot.final_result = result
    try:
        pdf = render_result_pdf(
            ballot,
            approvals=[
                ApprovalLine(a.approver.get_full_name(), a.approved_at)
                for a in ballot.approvals.all()
            ],
            seal=ballot.final_seal,
            verify_url=certification.verify_url(ballot),
            generated_at=timezone.now(),
            development_certificate=True,
            box=box,
        )
    finally:
        ballot.final_result = sealed
    return sign_pdf(pdf, box_mm=SIGNATURE_BOX_MM, identity=identity)


# --- the true document --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda settings: weighted_split_proposal(),
        secret_with_groups,
        lambda settings: ranked_irv(),
    ],
    ids=["weighted-split-proposal", "secret-with-groups", "ranked-irv"],
)
def test_the_certified_document_holds_and_carries_the_box(make, settings, capsys, tmp_path):
    ballot, receipts = make(settings)
    ballot = certify(ballot)
    pdf = bytes(ballot.document.pdf)
    path = pdf_file(tmp_path, pdf)
    code, output = run_cli(capsys, path)
    assert code == 0, output
    assert "OK    handtekening intact en over het hele bestand" in output
    assert "OK    elk cijfer in het document is gelijk aan de hertelling" in output
    assert "IN ORDE: alles klopt." in output
    # The box inside is, byte for byte, the box the server builds for this ballot.
    reader = document.read_reader(pdf)
    attached = document.embedded_files(reader)[box_format.EMBEDDED_NAME]
    built = ballot_box.build(ballot)
    assert attached == box_format.dump(built)
    assert json.loads(attached) == built
    assert check_box(built) == [] and recount(built) == ballot.final_result
    # Every receipt is found in the document's box.
    for receipt in receipts:
        code, output = run_cli(capsys, path, "--receipt", receipt.code)
        assert code == 0, output
        assert f"uw stem (bewijs {receipt.code}) staat in de stembus: stem " in output
    # The box members download names this very document and has the fingerprint it prints.
    downloaded = json.loads(ballot_box.published(ballot))
    assert downloaded[box_format.AFTER_SIGNING]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert box_format.box_sha256(downloaded) == box_format.box_sha256(built)
    assert box_format.box_sha256(built) in output
    box_path = tmp_path / "stembus.json"
    box_path.write_bytes(ballot_box.published(ballot))
    code, output = run_cli(capsys, box_path, "--receipt", receipts[0].code)
    assert code == 0, output
    assert f"proces-verbaal (SHA-256): {hashlib.sha256(pdf).hexdigest()}" in output


def test_the_associations_certificate_is_trusted(certified, capsys, tmp_path):
    ballot, _receipts = certified
    path = pdf_file(tmp_path, bytes(ballot.document.pdf))
    code, output = run_cli(capsys, path, "--certificate", str(certificate_file(tmp_path)))
    assert code == 0, output
    der = signing_identity().certificate.public_bytes(encoding=_der())
    assert f"certificaat (SHA-256): {hashlib.sha256(der).hexdigest()}" in output
    assert "geef het certificaat mee met --certificate" not in output


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_an_unknown_receipt_is_not_in_the_document(certified, capsys, tmp_path):
    ballot, _receipts = certified
    path = pdf_file(tmp_path, bytes(ballot.document.pdf))
    code, output = run_cli(capsys, path, "--receipt", "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert code == 1
    assert "receipt: ZZZZ-ZZZZ-ZZZZ-ZZZZ is not among the counted votes" in verdict(output)


# --- a document made again with another figure, and signed again ------------------------------


def test_made_again_unchanged_it_holds(certified, capsys, tmp_path):
    """The control for the tests below: the re-rendered, re-signed document itself holds."""
    ballot, _receipts = certified
    code, output = run_cli(capsys, pdf_file(tmp_path, rerender(ballot)))
    assert code == 0, output


def _votes_of_first(result):
    result["choices"][0]["votes"] += 1


def _weight_of_second(result):
    result["choices"][1]["weight"] -= 1


def _turnout(result):
    result["turnout"]["count"] -= 1


def _decision(result):
    result["outcome"]["explanation"] = "Het voorstel is aangenomen met algemene stemmen."


def _breakdown(result):
    region = sorted(result["regions"])[0]
    result["regions"][region]["Voor"] += 5


@pytest.mark.parametrize(
    "change, expected",
    [
        (_votes_of_first, "document: the result row 'Voor' does not print what the recount"),
        (_weight_of_second, "document: the result row 'Voor' does not print"),
        (_turnout, "document: the turnout does not print what the recount gives"),
        (_decision, "document: the decision does not print what the recount gives"),
        (_breakdown, "document: the breakdown row 'Regio"),
    ],
    ids=["votes", "weight", "turnout", "decision", "breakdown"],
)
def test_one_printed_figure_changed_and_signed_again(certified, capsys, tmp_path, change, expected):
    ballot, _receipts = certified
    result = copy.deepcopy(ballot.final_result)
    change(result)
    assert result != ballot.final_result
    forged = rerender(ballot, result=result)
    code, output = run_cli(capsys, pdf_file(tmp_path, forged))
    assert code == 1, output
    assert "OK    handtekening intact" in output  # the signature itself is fine
    assert expected in verdict(output), output
    ballot.refresh_from_db()
    assert ballot.final_result != result  # nothing was saved


def test_a_changed_box_attached_and_signed_again(certified, capsys, tmp_path):
    ballot, _receipts = certified
    box = ballot_box.build(ballot)
    box["votes"][0]["weight"] += 1
    code, output = run_cli(capsys, pdf_file(tmp_path, rerender(ballot, box=box)))
    assert code == 1, output
    assert "votes[1] (line 5): no ledger entry records this vote" in verdict(output)


def test_a_document_without_its_box(certified, capsys, tmp_path, monkeypatch):
    ballot, _receipts = certified
    monkeypatch.setattr(box_format, "dump", lambda box: b"{}")
    monkeypatch.setattr(box_format, "EMBEDDED_NAME", "iets-anders.json")
    forged = rerender(ballot)
    monkeypatch.undo()
    code, output = run_cli(capsys, pdf_file(tmp_path, forged))
    assert code == 1, output
    assert "document: no ballot box (stembus.json) is attached" in verdict(output)


def test_signed_by_someone_else(certified, capsys, tmp_path):
    """Anyone can sign a PDF; only the association's certificate makes it theirs."""
    ballot, _receipts = certified
    stranger = _development_identity(tmp_path)
    forged = pdf_file(tmp_path, rerender(ballot, identity=stranger), "vreemd.pdf")
    code, output = run_cli(capsys, forged)
    assert code == 0, output  # without a certificate to trust it can only show the fingerprint
    stranger_der = stranger.certificate.public_bytes(encoding=_der())
    assert hashlib.sha256(stranger_der).hexdigest() in output
    assert "geef het certificaat mee met --certificate" in output
    code, output = run_cli(capsys, forged, "--certificate", str(certificate_file(tmp_path)))
    assert code == 1, output
    assert "signature: not made with the certificate given" in verdict(output)


# --- bytes changed or added after signing ------------------------------------------------------


def test_a_flipped_byte(certified, capsys, tmp_path):
    ballot, _receipts = certified
    data = bytearray(ballot.document.pdf)
    at = bytes(data).index(b"/Creator (Ledenstem)") + len(b"/Creator (")
    data[at] = ord("M")  # "Medenstem": the file still parses, the signed bytes differ
    code, output = run_cli(capsys, pdf_file(tmp_path, bytes(data)))
    assert code == 1, output
    assert "signature: the document was changed after signing" in verdict(output)


def test_a_flipped_byte_in_the_signature_value(certified, capsys, tmp_path):
    ballot, _receipts = certified
    data = bytearray(ballot.document.pdf)
    start = bytes(data).index(b"/Contents <") + len(b"/Contents <")
    contents = bytes(data[start : bytes(data).index(b">", start)])
    # The signature value ends the CMS (hex); the rest of the field is zero padding.
    at = start + len(contents.rstrip(b"0")) - 100
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    code, output = run_cli(capsys, pdf_file(tmp_path, bytes(data)))
    assert code == 1, output
    assert "signature: the document was changed after signing" in verdict(output)


def test_bytes_appended_after_the_signature(certified, capsys, tmp_path):
    ballot, _receipts = certified
    data = bytes(ballot.document.pdf) + b"\n% nagekomen\n"
    code, output = run_cli(capsys, pdf_file(tmp_path, data))
    assert code == 1, output
    assert "signature: it does not cover the whole file" in verdict(output)


def test_an_incremental_update_after_the_signature(certified, capsys, tmp_path):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    ballot, _receipts = certified
    writer = IncrementalPdfFileWriter(io.BytesIO(bytes(ballot.document.pdf)))
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    code, output = run_cli(capsys, pdf_file(tmp_path, out.getvalue()))
    assert code == 1, output
    assert "signature: it does not cover the whole file" in verdict(output)


def test_an_unsigned_pdf(certified, capsys, tmp_path):
    ballot, _receipts = certified
    unsigned = render_result_pdf(
        ballot,
        approvals=[],
        seal=ballot.final_seal,
        verify_url=certification.verify_url(ballot),
        generated_at=timezone.now(),
        development_certificate=True,
        box=ballot_box.build(ballot),
    )
    code, output = run_cli(capsys, pdf_file(tmp_path, unsigned))
    assert code == 1, output
    assert "signature: the PDF is not signed" in verdict(output)
