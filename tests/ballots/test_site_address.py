"""One setting, SITE_URL, makes every absolute link: the signed document's verification link
and QR code, and the links in ballot emails. `make run PORT=8310` used to sign
http://127.0.0.1:8000 into documents forever; certification now refuses to sign at an address
other than SITE_URL's, and says so on the approve page."""

import time

import pytest
from django.core import mail
from django.urls import reverse

from ballots import certification, documents, notifications, services
from ballots.certification import signing_address_problem
from ballots.errors import NotEditable
from tests.ballots.test_certification import pdf_text
from tests.factories import RegionFactory, add_totp, board_member, choice, member, open_ballot

pytestmark = pytest.mark.django_db

ADDRESS = "http://stem.vereniging.test:8310"


@pytest.fixture
def site(settings):
    settings.SITE_URL = ADDRESS
    settings.ALLOWED_HOSTS = ["stem.vereniging.test", "testserver"]
    return ADDRESS


@pytest.fixture
def closed_ballot():
    region = RegionFactory(code="utrecht", name="Utrecht")
    voters = [member(region=region) for _ in range(3)]
    ballot = open_ballot(question="Tekent de vereniging het akkoord?")
    for voter in voters:
        services.cast_vote(ballot_id=ballot.pk, user=voter, choice=choice(ballot, "Voor").pk)
    return services.close_ballot(ballot)


@pytest.mark.parametrize(
    "site_url, origin",
    [
        ("http://127.0.0.1:8310", "http://127.0.0.1:8310"),
        ("https://stem.vereniging.nl", "https://stem.vereniging.nl:443"),
        ("https://Stem.Vereniging.nl", "https://stem.vereniging.nl"),
        ("http://127.0.0.1:8000", None),  # no request (commands, tests): nothing to compare
    ],
)
def test_same_address_may_sign(site_url, origin):
    assert signing_address_problem(site_url, origin) is None


@pytest.mark.parametrize(
    "site_url, origin",
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8310"),  # make run PORT=8310, as found
        ("http://stem.vereniging.nl", "https://stem.vereniging.nl"),
        ("https://stem.vereniging.nl", "https://localhost"),
        ("", "https://stem.vereniging.nl"),
        ("", None),
    ],
)
def test_another_or_no_address_may_not_sign(site_url, origin):
    problem = signing_address_problem(site_url, origin)
    assert problem and "SITE_URL" in problem
    assert "nooit meer" in problem  # says why it matters, in Dutch


def test_signed_document_links_and_qr_code_follow_the_setting(
    site, closed_ballot, monkeypatch, django_capture_on_commit_callbacks
):
    encoded = []
    real_qr = documents._qr_data_uri
    monkeypatch.setattr(documents, "_qr_data_uri", lambda url: encoded.append(url) or real_qr(url))
    first, second = board_member(), board_member()
    with django_capture_on_commit_callbacks(execute=True):
        certification.approve_result(ballot=closed_ballot, by=first, origin=site)
        certification.approve_result(ballot=closed_ballot, by=second, origin=site)
    closed_ballot.refresh_from_db()
    assert closed_ballot.status == "certified"
    assert encoded == [f"{ADDRESS}/stemmingen/controleren/"]
    text = pdf_text(bytes(closed_ballot.document.pdf)).replace(" ", "")  # lines wrap
    assert f"{ADDRESS}/stemmingen/controleren/" in text
    # The certification email to the electors links to the same address.
    assert mail.outbox
    for message in mail.outbox:
        assert f"{ADDRESS}/stemmingen/{closed_ballot.pk}/uitslag/" in message.body
        assert "127.0.0.1" not in message.body and "testserver" not in message.body


def test_approval_from_another_address_is_refused_and_changes_nothing(site, closed_ballot):
    with pytest.raises(NotEditable, match="SITE_URL"):
        certification.approve_result(
            ballot=closed_ballot, by=board_member(), origin="http://127.0.0.1:8310"
        )
    assert not closed_ballot.approvals.exists()


def _with_fresh_second_factor(client, user):
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "mfa", "type": "totp", "reauthenticated": True, "at": time.time()}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def test_approve_page_says_why_it_cannot_sign_here(site, client, closed_ballot):
    approver = board_member()
    add_totp(approver)
    _with_fresh_second_factor(client, approver)
    url = reverse("ballots:approve", args=[closed_ballot.pk])
    # The board member reached the site at testserver, not at SITE_URL.
    page = client.get(url).content.decode()
    assert f"zou naar {ADDRESS} wijzen, maar u gebruikt de site via http://testserver" in page
    assert "Ik keur deze uitslag goed" not in page
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "SITE_URL" in response.content.decode()
    assert not closed_ballot.approvals.exists()
    # At the right address the same board member may approve.
    page = client.get(url, HTTP_HOST="stem.vereniging.test:8310").content.decode()
    assert "Ik keur deze uitslag goed" in page and "SITE_URL" not in page
    client.post(url, {"action": "approve"}, HTTP_HOST="stem.vereniging.test:8310")
    assert closed_ballot.approvals.filter(approver=approver).exists()


def test_ballot_emails_link_to_the_setting(site, django_capture_on_commit_callbacks):
    region = RegionFactory(code="zeeland", name="Zeeland")
    electors = [member(region=region) for _ in range(2)]
    board_member()
    with django_capture_on_commit_callbacks(execute=True):
        ballot = open_ballot(question="Gaat de vereniging akkoord?")
    notifications.ballot_opened(ballot.pk)
    notifications.reminder(ballot.pk)
    notifications.ballot_closed(ballot.pk)
    assert len(mail.outbox) >= len(electors) * 2 + 1
    for message in mail.outbox:
        html = message.alternatives[0][0]
        for text in (message.body, html):
            assert f"{ADDRESS}/stemmingen/{ballot.pk}/" in text
            assert "127.0.0.1" not in text and "testserver" not in text
