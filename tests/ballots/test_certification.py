"""Two board members certify; the signed proces-verbaal verifies, and any change to it is
caught with the right reason. After certification nothing about the ballot changes."""

import io
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ballots import certification, services
from ballots.document_check import check_document
from ballots.errors import BallotClosed, BallotError, NotEditable
from ballots.models import BallotStatus, Elector, ResultDocument
from ballots.verification import verify_ballot
from tests.conftest import skip_or_fail
from tests.factories import RegionFactory, add_totp, board_member, choice, member, open_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_ballot():
    region = RegionFactory(code="utrecht", name="Utrecht")
    voters = [member(region=region) for _ in range(6)]
    ballot = open_ballot(question="Tekent de vereniging het akkoord?")
    for n, voter in enumerate(voters):
        services.cast_vote(
            ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor" if n < 4 else "Tegen").pk
        )
    return services.close_ballot(ballot)


@pytest.fixture
def board():
    return board_member(user__full_name="Margriet Hoogeveen"), board_member(
        user__full_name="Tom Ekkel"
    )


def certify(ballot, board):
    certification.approve_result(ballot=ballot, by=board[0])
    certification.approve_result(ballot=ballot, by=board[1])
    ballot.refresh_from_db()
    return ballot


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    if not shutil.which("pdftotext"):
        skip_or_fail("pdftotext not installed (apt-get install poppler-utils)")
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    result = subprocess.run(command, input=data, capture_output=True, check=True)
    text = result.stdout.decode()
    return text if layout else " ".join(text.split())


def test_two_board_members_certify_and_the_document_verifies(closed_ballot, board):
    certification.approve_result(ballot=closed_ballot, by=board[0])
    closed_ballot.refresh_from_db()
    assert closed_ballot.status == BallotStatus.CLOSED  # one approval is not enough
    ballot = certify_second(closed_ballot, board)
    assert ballot.status == BallotStatus.CERTIFIED
    stored = ResultDocument.objects.get(ballot=ballot)
    result = check_document(bytes(stored.pdf))
    assert result.authentic, result.reason
    assert result.document == stored and stored.seal == ballot.final_seal
    kinds = list(ballot.ledger.values_list("kind", flat=True))
    assert kinds[-3:] == ["approved", "approved", "certified"]
    assert verify_ballot(ballot).ok
    text = pdf_text(bytes(stored.pdf))
    compact = text.replace(" ", "")  # pdftotext breaks lines and hyphenates where it likes
    result = ballot.final_result
    expected = [
        "Tekent de vereniging het akkoord?",
        ballot.final_seal,
        "Margriet Hoogeveen",
        "Tom Ekkel",
        result["outcome"]["explanation"],
        f"Opkomst {result['turnout']['count']} van {result['electorate']['count']}",
        "pagina 1 van",
    ]
    for phrase in expected:
        assert phrase.replace(" ", "") in compact, phrase
    # Each choice's row in the results table shows its count.
    rows = [line.split() for line in pdf_text(bytes(stored.pdf), layout=True).splitlines()]
    for counted in result["choices"]:
        assert any(
            row[:1] == [counted["label"]] and str(counted["votes"]) in row for row in rows
        ), counted


def certify_second(ballot, board):
    certification.approve_result(ballot=ballot, by=board[1])
    ballot.refresh_from_db()
    return ballot


def test_the_same_board_member_cannot_approve_twice(closed_ballot, board):
    certification.approve_result(ballot=closed_ballot, by=board[0])
    with pytest.raises(NotEditable, match="tweede bestuurslid"):
        certification.approve_result(ballot=closed_ballot, by=board[0])
    assert not ResultDocument.objects.exists()


def test_first_approval_can_be_withdrawn_until_the_second(closed_ballot, board):
    third = board_member()
    certification.approve_result(ballot=closed_ballot, by=board[0])
    certification.withdraw_approval(ballot=closed_ballot, by=board[0])
    certification.approve_result(ballot=closed_ballot, by=board[1])
    closed_ballot.refresh_from_db()
    assert closed_ballot.status == BallotStatus.CLOSED  # the withdrawn one does not count
    certification.approve_result(ballot=closed_ballot, by=third)
    closed_ballot.refresh_from_db()
    assert closed_ballot.status == BallotStatus.CERTIFIED
    with pytest.raises(NotEditable):
        certification.withdraw_approval(ballot=closed_ballot, by=board[1])


def test_non_board_members_and_open_ballots_cannot_be_certified(closed_ballot, board):
    with pytest.raises(BallotError, match="Alleen bestuursleden"):
        certification.approve_result(ballot=closed_ballot, by=member())
    running = open_ballot()
    with pytest.raises(NotEditable, match="gesloten"):
        certification.approve_result(ballot=running, by=board[0])


def test_a_certified_ballot_cannot_change(closed_ballot, board):
    ballot = certify(closed_ballot, board)
    voter = Elector.objects.filter(ballot=ballot).first()
    with pytest.raises(BallotClosed):
        services.cast_vote(ballot_id=ballot.pk, user=voter.user, choice=choice(ballot, "Voor").pk)
    with pytest.raises(NotEditable):
        services.close_ballot(ballot)
    with pytest.raises(NotEditable):
        services.open_ballot(ballot)
    with pytest.raises(BallotClosed):
        services.set_presence(ballot=ballot, elector=voter, present=True)
    with pytest.raises(NotEditable):
        certification.approve_result(ballot=ballot, by=board_member())
    assert ResultDocument.objects.count() == 1


def test_one_flipped_byte_is_found(closed_ballot, board):
    data = bytearray(certify(closed_ballot, board).document.pdf)
    middle = len(data) // 3
    data[middle] = (data[middle] + 1) % 256
    result = check_document(bytes(data))
    assert not result.authentic
    assert "gewijzigd" in result.reason or "beschadigd" in result.reason


def test_an_appended_incremental_update_is_found(closed_ballot, board):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    data = bytes(certify(closed_ballot, board).document.pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    info = writer.root
    info[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = check_document(out.getvalue())
    assert not result.authentic
    assert "toegevoegd" in result.reason


def test_pdf_signed_by_another_certificate_is_untrusted(closed_ballot, board, tmp_path, settings):

    from ballots.signing import _development_identity, sign_pdf

    genuine = bytes(certify(closed_ballot, board).document.pdf)
    stranger = _development_identity(tmp_path)  # a different self-signed key
    forged = sign_pdf(genuine, box_mm=(20, 24, 90, 52), identity=stranger, field_name="Vreemd")
    result = check_document(forged)
    assert not result.authentic and "certificaat van de vereniging" in result.reason


def test_unknown_but_genuinely_signed_document_is_reported_unknown():
    import weasyprint

    from ballots.documents import SIGNATURE_BOX_MM
    from ballots.signing import sign_pdf

    pdf = weasyprint.HTML(string="<p>Geen uitslag</p>").write_pdf()
    result = check_document(sign_pdf(pdf, box_mm=SIGNATURE_BOX_MM))
    assert not result.authentic and "onbekend document" in result.reason


@pytest.mark.parametrize(
    "data, reason", [(b"hallo", "geen PDF"), (b"%PDF-1.7\nrommel", "beschadigd")]
)
def test_junk_is_refused_with_a_reason(data, reason):
    result = check_document(data)
    assert not result.authentic and reason in result.reason


def test_verify_result_command(closed_ballot, board, tmp_path, capsys):
    ballot = certify(closed_ballot, board)
    good = tmp_path / "pv.pdf"
    call_command("export_results", str(ballot.pk), "--format", "pdf", "-o", str(good))
    assert good.read_bytes() == bytes(ballot.document.pdf)  # the stored bytes, not a new one
    call_command("verify_result", str(good))
    assert "echt proces-verbaal" in capsys.readouterr().out
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good.read_bytes()[:-10] + b"0000000000")
    with pytest.raises(CommandError, match="NIET echt"):
        call_command("verify_result", str(bad))


def test_pdfsig_reports_the_signature_valid(closed_ballot, board, tmp_path):
    if not shutil.which("pdfsig"):
        skip_or_fail("pdfsig not installed (apt-get install poppler-utils)")
    path = tmp_path / "pv.pdf"
    path.write_bytes(bytes(certify(closed_ballot, board).document.pdf))
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in output
    assert "Total document signed" in output


def test_approval_needs_a_fresh_second_factor(client, closed_ballot):
    approver = board_member()
    add_totp(approver)
    client.force_login(approver)
    response = client.post(
        reverse("ballots:approve", args=[closed_ballot.pk]), {"action": "approve"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not closed_ballot.approvals.exists()


def test_verification_page_is_public_and_limits_uploads(client, closed_ballot, board, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ballot = certify(closed_ballot, board)
    url = reverse("ballots:verify")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("pv.pdf", bytes(ballot.document.pdf), "application/pdf")
    html = client.post(url, {"file": upload}).content.decode()
    assert "Dit is een echt proces-verbaal van Ledenstem." in html
    junk = SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")
    assert "geen PDF" in client.post(url, {"file": junk}).content.decode()


CRAFTED = [
    # found in review: these made pyHanko raise AssertionError / AttributeError (a 500)
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 1 0 R>>endobj\ntrailer<</Root 1 0 R/Size 2>>\n"
    b"startxref\n9\n%%EOF",
]


@pytest.mark.parametrize("data", CRAFTED)
def test_crafted_pdf_is_reported_unreadable_not_a_crash(client, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    result = check_document(data)
    assert not result.authentic and "onleesbaar" in result.reason
    upload = SimpleUploadedFile("x.pdf", data, "application/pdf")
    response = client.post(reverse("ballots:verify"), {"file": upload})
    assert response.status_code == 200


def test_verification_uploads_are_rate_limited_per_address(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("ballots:verify")
    answers = [
        client.post(url, {"file": SimpleUploadedFile("x.pdf", b"junk", "application/pdf")})
        for _ in range(11)
    ]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429
    assert "te vaak" in answers[10].content.decode()
    assert client.get(url).status_code == 200  # reading the page is not limited
