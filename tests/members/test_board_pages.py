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


def test_preview_counts_one_error_in_the_singular_and_names_every_problem_of_a_row(
    board_client, utrecht
):
    """The summary said "1 fouten", and a row whose region was unknown and whose address
    belonged to another member named only the region."""
    member(email="taken@example.nl", membership_number="0001", region=utrecht)
    upload(board_client, f"{HEADER}\n5002;Bert;taken@example.nl;mars;member;\n")
    preview = board_client.get(reverse("members:register_import_preview"))
    content = preview.content.decode()
    assert "<strong>1</strong> fout</li>" in content
    assert (
        "Regel 2: onbekende regio &#x27;mars&#x27;; "
        "e-mailadres &#x27;taken@example.nl&#x27; hoort al bij lid 0001"
    ) in content
    response = board_client.post(
        reverse("members:register_import_confirm"),
        {"sha256": preview.context["sha256"]},
        follow=True,
    )
    assert "Er is niets geïmporteerd: 1 regel bevat fouten." in response.content.decode()


def _import(client, text: str):
    upload(client, text)
    preview = client.get(reverse("members:register_import_preview"))
    return client.post(
        reverse("members:register_import_confirm"), {"sha256": preview.context["sha256"]}
    )


def test_roles_given_and_taken_by_the_import_are_recorded(board_client, utrecht):
    """Issue #13: roles change only through the import, and each change says who made it."""
    from members.models import RoleChange

    anna = member(email="anna@example.nl", membership_number="5001", region=utrecht)
    bert = member(email="bert@example.nl", membership_number="5002", region=utrecht)
    response = _import(
        board_client,
        f"{HEADER}\n5001;Anna;anna@example.nl;utrecht;board;\n"
        f"5002;Bert;bert@example.nl;utrecht;ambassador;40\n"
        f"5003;Cees;cees@example.nl;utrecht;member;\n",
    )
    assert response.status_code == 302
    board = board_client.session["_auth_user_id"]
    recorded = {
        (change.user_id, change.role, change.change, str(change.changed_by_id))
        for change in RoleChange.objects.all()
    }
    assert recorded == {
        (anna.pk, "board", "rol: lid → bestuur", board),
        (bert.pk, "ambassador", "rol: lid → ambassadeur", board),
    }  # Cees is a new plain member: no role changed
    _import(board_client, f"{HEADER}\n5001;Anna;anna@example.nl;utrecht;member;\n")
    assert RoleChange.objects.filter(user=anna).first().change == "rol: bestuur → lid"


@pytest.mark.parametrize("weight", ["²", "٣", "1" * 5000, "+7", " 1 2"])
def test_a_weight_that_is_no_plain_number_is_a_row_error(board_client, utrecht, weight):
    """'²' is a digit to str.isdigit() but not to int(): the upload answered with a 500."""
    upload(board_client, f"{HEADER}\n5001;Anna;anna@example.nl;utrecht;ambassador;{weight}\n")
    preview = board_client.get(reverse("members:register_import_preview"))
    assert preview.status_code == 200
    [error] = preview.context["plan"].errors
    assert error.line == 2 and "stemgewicht" in error.message and "geheel getal" in error.message
