"""Two board members certify a closed ballot (each confirming with their authenticator app);
a member downloads the signed proces-verbaal and checks it on the verification page."""

import re

import pytest

from ballots import services
from tests.e2e.helpers import fresh_totp_code, log_in
from tests.factories import PASSWORD, RegionFactory, add_totp, board_member, choice, member
from tests.factories import open_ballot as make_open_ballot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def approve(browser, live_server, ballot, email, secret):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    log_in(page, email, PASSWORD, secret)
    page.goto(f"/stemmingen/{ballot.pk}/vaststellen/")
    page.get_by_role("button", name="Ik keur deze uitslag goed").click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/|/2fa/reauthenticate/"))
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(fresh_totp_code(secret))
    page.get_by_role("button", name=re.compile("bevestig", re.IGNORECASE)).click()
    # Issue #16, item 9: back from the second factor, the approval completes by itself.
    page.wait_for_url(re.compile(rf"/stemmingen/{ballot.pk}/uitslag/"))
    message = page.get_by_role("status").first.inner_text()
    context.close()
    return message


def test_two_board_members_certify_and_a_member_verifies_the_pdf(
    page, browser, live_server, tmp_path, settings
):
    # Certification signs only at the site's own address (ballots.certification).
    settings.SITE_URL = live_server.url
    region = RegionFactory(code="utrecht", name="Utrecht")
    member(email="anna@example.nl", region=region)
    voters = [member(region=region) for _ in range(3)]
    ballot = make_open_ballot(question="Tekent de vereniging het akkoord?")
    for voter in voters:
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    services.close_ballot(ballot)
    chair, secretary = (
        board_member(email="voorzitter@example.nl"),
        board_member(email="secretaris@example.nl"),
    )
    chair_secret, secretary_secret = add_totp(chair), add_totp(secretary)

    assert "tweede bestuurslid" in approve(browser, live_server, ballot, chair.email, chair_secret)
    assert "ondertekend" in approve(browser, live_server, ballot, secretary.email, secretary_secret)

    log_in(page, "anna@example.nl", PASSWORD)
    page.goto(f"/stemmingen/{ballot.pk}/uitslag/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download het proces-verbaal (PDF)").click()
    pdf_path = tmp_path / "pv.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="Controleer een proces-verbaal").click()
    page.get_by_label("Proces-verbaal (PDF)").set_input_files(str(pdf_path))
    page.get_by_role("button", name="Controleren").click()
    verdict = page.get_by_role("status").inner_text()
    assert "Dit is een echt proces-verbaal van Ledenstem." in verdict
    assert "Tekent de vereniging het akkoord?" in verdict
