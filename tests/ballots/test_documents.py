"""The proces-verbaal: an unsigned PDF that says what the sealed result says, spells out the
quorum and majority, names the voters of a named ballot (and nobody of a secret one), and
keeps the corner where the signature goes free of text."""

import re
import shutil
import subprocess
from fractions import Fraction

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from ballots import services
from ballots.documents import (
    DEVELOPMENT_NOTICE,
    PAGE_MM,
    SIGNATURE_BOX_MM,
    ApprovalLine,
    majority_sentence,
    pages,
    quorum_sentence,
    render_result_pdf,
)
from ballots.models import Elector
from ledenstem_verify.rules import Rules, Totals, decide
from tests.conftest import skip_or_fail
from tests.factories import MandateFactory, RegionFactory, choice, member, open_ballot

pytestmark = pytest.mark.django_db

ASSEMBLY = "Tekent de vereniging het akkoord over de huisartsenzorg?"
CONSULTATION = "Raadpleging: vindt u dat de vereniging het akkoord moet tekenen?"
# region -> (ambassador, members including the ambassador, the ambassador's vote or None)
REGIONS = {
    "Amsterdam": ("Anouk van den Berg", 7, "Voor"),
    "Friesland": ("Koen Visser", 6, "Tegen"),
    "Limburg": ("Noor de Boer", 5, "Voor"),
    "Zeeland": ("Maaike de Vries", 3, "Onthouding"),
    "Utrecht": ("Bram Wijnands", 6, None),
}
APPROVERS = ("Margriet Hoogeveen", "Tom Ekkel")
MM = 72 / 25.4


def pdf_text(data: bytes, *, layout: bool = False, page: int | None = None) -> str:
    """The PDF's text with whitespace runs collapsed to one space (line wraps vanish)."""
    if not shutil.which("pdftotext"):
        skip_or_fail("pdftotext missing (apt-get install poppler-utils)")
    args = ["pdftotext", *(["-layout"] if layout else [])]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    result = subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def render(ballot, *, development_certificate: bool = False) -> bytes:
    now = timezone.now()
    return render_result_pdf(
        ballot,
        approvals=[ApprovalLine(name, now) for name in APPROVERS],
        seal=ballot.final_seal,
        verify_url="https://stem.example.nl/stemmingen/controleren/",
        generated_at=now,
        development_certificate=development_certificate,
    )


def _vote(ballot, user, label: str) -> None:
    services.cast_vote(ballot_id=ballot.pk, user=user, choice=choice(ballot, label).pk)


@pytest.fixture
def ballots():
    """A named ambassador ballot over five regions, weighted by member count, and its
    secret member consultation (reported per group of regions with at least 10 electors:
    "Amsterdam + Friesland" and "Limburg + Utrecht + Zeeland"; never a region on its own)."""
    ambassadors, members = {}, {}
    for name, (ambassador, size, _vote_for) in REGIONS.items():
        region = RegionFactory(code=name.lower(), name=name)
        user = member(region=region, user__full_name=ambassador)
        MandateFactory(user=user, region=region)
        ambassadors[name] = user
        members[name] = [user] + [member(region=region) for _ in range(size - 1)]
    assembly = open_ballot(
        question=ASSEMBLY,
        electorate="ambassadors",
        secrecy="named",
        majority="absolute",
        quorum_percent=50,
    )
    consultation = open_ballot(question=CONSULTATION, advises=assembly)
    for users in members.values():
        for n, user in enumerate(users):
            _vote(consultation, user, ("Voor", "Tegen", "Voor", "Onthouding")[n % 4])
    consultation = services.close_ballot(consultation)
    for name, (_ambassador, _size, vote_for) in REGIONS.items():
        if vote_for:
            _vote(assembly, ambassadors[name], vote_for)
    assembly = services.close_ballot(assembly)
    return assembly, consultation


def test_the_proces_verbaal_states_the_sealed_result(ballots):
    assembly, consultation = ballots
    pdf = render(assembly)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    table = pdf_text(pdf, layout=True)

    assert ASSEMBLY in text
    assert "Proces-verbaal van de stemming" in text and f"Stemming {assembly.pk}" in text
    assert "Ambassadeurs (gewogen per regio)" in text and "Hoofdelijk" in text
    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        closed = date_format(timezone.localtime(assembly.closes_at), "l j F Y, H:i")
    assert closed in text and closed.split()[0] in {
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    }

    # Electorate 27 (7+6+5+3+6) over 5 ambassadors; 4 voted with weight 21: 77,8%.
    assert assembly.final_result["turnout"] == {"count": 4, "weight": 21}
    assert "5 ambassadeurs, samen stemgewicht 27" in text
    assert "4 van 5 stemgerechtigden stemden, met samen stemgewicht 21 van 27: 77,8%" in text
    for row in assembly.final_result["choices"]:
        assert re.search(rf"{row['label']} \w+ {row['votes']} {row['weight']} ", table), row
    assert "Voor voor 2 12 66,7%" in table and "Tegen tegen 1 6 33,3%" in table
    assert "Onthouding onthouding 1 3 telt niet mee" in table

    assert "Quorum: 50% van het gewogen electoraat (27) = 13,5; opkomst 21 ≥ 13,5: gehaald." in text
    assert (
        "Meerderheid: volstrekte meerderheid, meer dan 50% van 18 geldige gewogen stemmen "
        "(voor en tegen), dus meer dan 9: 12 voor = 66,7%: gehaald." in text
    )
    explanation = assembly.final_result["outcome"]["explanation"]
    assert explanation.startswith("Aangenomen") and explanation in text

    # Per region: electorate, votes per choice, turnout; Utrecht did not vote.
    assert "Amsterdam 1 7 7 0 0 7 100%" in table
    assert "Utrecht 1 6 0 0 0 0 0%" in table
    assert "Totaal 5 27 12 6 3 21 77,8%" in table

    # The roll call names every voting ambassador with vote and weight.
    for name, (ambassador, size, vote_for) in REGIONS.items():
        if vote_for:
            assert f"{name} {ambassador} {vote_for} {size}" in table
    assert "Niet gestemd (1): Bram Wijnands (Utrecht)." in text

    # The members' consultation: totals, and per reporting group, never per region.
    advice = consultation.final_result
    assert "Advies van de leden" in text and CONSULTATION in text
    assert advice["outcome"]["explanation"] in text
    assert f"{advice['turnout']['count']} van {advice['electorate']['count']} leden" in text
    advice_table = table.split("Advies van de leden")[1]
    assert "Amsterdam + Friesland" in advice_table
    assert "Limburg + Utrecht + Zeeland" in advice_table
    assert not re.search(r"^\s*Zeeland\s+\d", advice_table, re.MULTILINE)

    for approver in APPROVERS:
        assert approver in text
    assert assembly.final_seal and assembly.final_seal in text
    assert "https://stem.example.nl/stemmingen/controleren/" in text.replace(" ", "")
    assert "pagina 1 van" in text
    count = pages(pdf)
    assert f"pagina {count} van {count}" in text
    assert "Digitale handtekening van de vereniging:" in text
    assert DEVELOPMENT_NOTICE not in text and "ontwikkelcertificaat" not in text.lower()


def test_nothing_is_printed_where_the_signature_goes(ballots):
    assembly, _consultation = ballots
    pdf = render(assembly, development_certificate=True)
    last = pages(pdf)
    if not shutil.which("pdftotext"):
        skip_or_fail("pdftotext missing (apt-get install poppler-utils)")
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(last), "-l", str(last), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    width, height = PAGE_MM
    x1, y1, x2, y2 = SIGNATURE_BOX_MM
    assert 0 < x1 < x2 <= width and 0 < y1 < y2 <= height
    # pdftotext measures in points from the top-left corner.
    left, right, top, bottom = x1 * MM, x2 * MM, (height - y2) * MM, (height - y1) * MM
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        bbox,
    )
    assert any(word == "handtekening" for *_box, word in words)
    for x_min, y_min, x_max, y_max, word in words:
        overlaps = (
            float(x_min) < right
            and float(x_max) > left
            and float(y_min) < bottom
            and float(y_max) > top
        )
        assert not overlaps, f"{word!r} lies in the signature box"
    label = next(w for w in words if w[4] == "Digitale")
    assert float(label[3]) <= top and float(label[0]) >= left - 1  # just above the box


def test_a_secret_ballot_names_no_voter(ballots):
    _assembly, consultation = ballots
    pdf = render(consultation, development_certificate=True)
    text = pdf_text(pdf)
    assert CONSULTATION in text and "Geheim" in text
    assert consultation.final_result["outcome"]["explanation"] in text
    assert "Hoofdelijke stemming" not in text
    names = Elector.objects.filter(ballot=consultation).values_list("user__full_name", flat=True)
    assert len(names) == 27
    for name in names:
        assert name not in text, name
    # Per group of regions, never Zeeland's three votes on their own.
    assert "Uitslag per groep van regio's" in text and "Limburg + Utrecht + Zeeland" in text
    assert f"{DEVELOPMENT_NOTICE}." in text
    for approver in APPROVERS:
        assert approver in text


def test_quorum_and_majority_are_spelled_out():
    def outcome(for_w, against_w, abstain_w, electorate, majority, quorum, base="valid"):
        totals = Totals(for_w, against_w, abstain_w, electorate)
        return decide(totals, Rules(majority=majority, base=base, quorum=quorum))

    adopted = outcome(144, 114, 0, 306, "absolute", Fraction(1, 2))
    assert quorum_sentence(adopted, weighted=True) == (
        "Quorum: 50% van het gewogen electoraat (306) = 153; opkomst 258 ≥ 153: gehaald."
    )
    assert majority_sentence(adopted, weighted=True) == (
        "Meerderheid: volstrekte meerderheid, meer dan 50% van 258 geldige gewogen stemmen "
        "(voor en tegen), dus meer dan 129: 144 voor = 55,8%: gehaald."
    )
    short = outcome(10, 5, 0, 31, "qualified", Fraction(1, 2))
    assert quorum_sentence(short, weighted=False) == (
        "Quorum: 50% van het electoraat (31) = 15,5; opkomst 15 < 15,5: niet gehaald."
    )
    assert majority_sentence(short) == (
        "Meerderheid: gekwalificeerde meerderheid, ten minste 2/3 van 15 geldige stemmen "
        "(voor en tegen), dus ten minste 10: 10 voor = 66,7%: gehaald."
    )
    # Just above one half must not print as "50%": enough decimals to show the difference.
    close = outcome(5001, 4999, 0, 10000, "absolute", None, base="cast")
    assert "5001 voor = 50,01%: gehaald" in majority_sentence(close)
    assert "uitgebrachte stemmen (ook onthoudingen)" in majority_sentence(close)
    assert quorum_sentence(close, weighted=False) == "Quorum: geen quorum vereist (opkomst 100%)."
    tie = outcome(3, 3, 1, 10, "simple", None)
    assert majority_sentence(tie) == (
        "Meerderheid: gewone meerderheid, meer stemmen voor dan tegen: 3 voor = 3 tegen: "
        "niet gehaald."
    )
    nobody = outcome(0, 0, 2, 10, "absolute", None)
    assert majority_sentence(nobody).endswith("niet gehaald.")


def test_development_certificate_is_generated_once_and_private(tmp_path):
    """Several workers starting together used to be able to write a key and a certificate
    that do not belong together; the key was readable by others until its chmod."""
    import stat
    from concurrent.futures import ThreadPoolExecutor

    from cryptography.hazmat.primitives import serialization

    from ballots.signing import _development_identity

    with ThreadPoolExecutor(4) as pool:
        identities = list(pool.map(lambda _: _development_identity(tmp_path), range(4)))
    assert len({(i.key_pem, i.cert_pem) for i in identities}) == 1
    identity = identities[0]
    key = serialization.load_pem_private_key(identity.key_pem, password=None)
    assert key.public_key().public_numbers() == identity.certificate.public_key().public_numbers()
    mode = stat.S_IMODE((tmp_path / "signing-dev-key.pem").stat().st_mode)
    assert mode == 0o600
