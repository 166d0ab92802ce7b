"""Issue #17 in a browser: a member votes in a secret ballot and keeps the receipt code;
after the count the receipt check names the vote's line in the published ballot box, the
member downloads the box from the results page, and the independent verifier finds the
receipt at that line and recounts the box."""

import io
import re
from contextlib import redirect_stdout

import pytest

from ballots import services
from ledenstem_verify.cli import main as verify
from tests.e2e.helpers import log_in
from tests.factories import PASSWORD, RegionFactory, member, open_ballot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_receipt_shown_in_the_browser_is_found_by_the_verifier(page, tmp_path):
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region, user__full_name="Anna de Vries")
    others = [member(region=region) for _ in range(11)]
    ballot = open_ballot(question="Tekent de vereniging het akkoord?", secrecy="secret")
    for n, other in enumerate(others):
        label = "Voor" if n % 3 else "Tegen"
        services.cast_vote(
            ballot_id=ballot.pk, user=other, choice=ballot.choices.get(label=label).pk
        )

    log_in(page, "anna@example.nl", PASSWORD)
    page.goto(f"/stemmingen/{ballot.pk}/")
    page.get_by_label("Tegen").check()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    page.get_by_role("button", name="Bevestig mijn stem").click()
    code = page.locator("#receipt-code").inner_text().strip()

    services.close_ballot(ballot)
    page.goto(f"/stemmingen/{ballot.pk}/ontvangstcode/")
    page.get_by_label("Uw ontvangstcode").fill(code)
    page.get_by_role("button", name="Controleren").click()
    status = page.get_by_role("status").inner_text()
    where = re.search(r"stem (\d+), op regel (\d+)", status)
    assert where, status

    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Stembus downloaden (JSON)").click()
    box_file = tmp_path / "stembus.json"
    download.value.save_as(box_file)
    lines = box_file.read_text().splitlines()
    assert '"receipt"' in lines[int(where.group(2)) - 1]

    out = io.StringIO()
    with redirect_stdout(out):
        exit_code = verify([str(box_file), "--receipt", code.lower()])
    report = out.getvalue()
    assert exit_code == 0, report
    assert f"stem {where.group(1)}, regel {where.group(2)} van stembus.json" in report
    assert "IN ORDE" in report
