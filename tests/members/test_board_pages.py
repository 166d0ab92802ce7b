"""The board's register import page: upload, preview, confirm; nobody else gets in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Membership
from members.register_csv import COLUMNS
from tests.factories import RegionFactory, add_totp, ambassador, board_member, member

pytestmark = pytest.mark.django_db

HEADER = ";".join(COLUMNS)


def upload(client, text: str, name: str = "leden.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("members:register_import"), {"file": file})


@pytest.fixture
def board_client(client):
    user = board_member()
    add_totp(user)
    client.force_login(user)
    return client


@pytest.fixture
def utrecht():
    return RegionFactory(code="utrecht", name="Utrecht")


def test_upload_preview_confirm_imports_the_file(board_client, utrecht):
    response = upload(board_client, f"{HEADER}\n5001;Anna;anna@example.nl;utrecht;member;\n")
    assert response.status_code == 302
    preview = board_client.get(response["Location"])
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [planned.row.membership_number for planned in plan.creates] == ["5001"]
    assert not Membership.objects.filter(membership_number="5001").exists()  # only previewed

    response = board_client.post(
        reverse("members:register_import_confirm"), {"sha256": preview.context["sha256"]}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(membership_number="5001").exists()
    # The confirmation cannot be replayed: the stashed file is gone.
    response = board_client.post(
        reverse("members:register_import_confirm"),
        {"sha256": preview.context["sha256"]},
        follow=True,
    )
    assert "verlopen of al uitgevoerd" in response.content.decode()


def test_preview_of_a_bad_file_lists_errors_and_offers_no_confirmation(board_client, utrecht):
    upload(
        board_client,
        f"{HEADER}\n5001;Anna;anna@example.nl;utrecht;member;\n5002;Bert;bert@example.nl;mars;member;\n",
    )
    preview = board_client.get(reverse("members:register_import_preview"))
    content = preview.content.decode()
    assert "Regel 3: onbekende regio &#x27;mars&#x27;" in content
    assert reverse("members:register_import_confirm") not in content
    response = board_client.post(
        reverse("members:register_import_confirm"), {"sha256": preview.context["sha256"]}
    )
    assert response.status_code == 302
    assert Membership.objects.count() == 1  # only the board member's own


def test_confirmation_of_another_file_is_refused(board_client, utrecht):
    upload(board_client, f"{HEADER}\n5001;Anna;anna@example.nl;utrecht;member;\n")
    response = board_client.post(
        reverse("members:register_import_confirm"), {"sha256": "0" * 64}, follow=True
    )
    assert "verlopen of al uitgevoerd" in response.content.decode()
    assert not Membership.objects.filter(membership_number="5001").exists()


def test_binary_file_is_refused_with_a_clear_message(board_client):
    response = upload(board_client, "\x00\x01\x02PK", name="leden.xlsx")
    assert response.status_code == 200
    assert "Dit is geen CSV-bestand" in response.content.decode()


def test_too_large_file_is_refused(board_client, settings):
    settings.REGISTER_UPLOAD_MAX_BYTES = 100
    response = upload(board_client, HEADER + "\n" + "x" * 200)
    assert "groter dan" in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["members:board", "members:register_import", "members:register_import_preview"]
)
def test_members_and_ambassadors_get_403(client, url_name):
    for user in (member(), ambassador()):
        add_totp(user)
        client.force_login(user)
        assert client.get(reverse(url_name)).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("members:register_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_confirm_requires_csrf_token(utrecht):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    user = board_member()
    add_totp(user)
    client.force_login(user)
    response = client.post(reverse("members:register_import_confirm"), {"sha256": "x"})
    assert response.status_code == 403
