"""Importing the register: exactly the file's rows, idempotent, all or nothing."""

import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from members.models import Mandate, Membership, MembershipStatus, User
from members.register_csv import COLUMNS
from members.register_import import (
    RegisterImportRejected,
    apply_register_import,
    plan_register_import,
)
from members.roles import is_board
from members.selectors import effective_weight
from tests.factories import MandateFactory, RegionFactory, member

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]


def register(*lines: str) -> bytes:
    return ("\n".join([",".join(COLUMNS), *lines]) + "\n").encode("utf-8")


@pytest.fixture
def regions():
    return RegionFactory(code="utrecht", name="Utrecht"), RegionFactory(
        code="zeeland", name="Zeeland"
    )


GOOD = register(
    "1001,Anna de Vries,anna@example.nl,utrecht,member,",
    "1002,Bert Jansen,bert@example.nl,Utrecht,ambassador,",
    "1003,Cees Bakker,cees@example.nl,zeeland,ambassador,250",
    "1004,Dora Smit,dora@example.nl,zeeland,board,",
)


def register_snapshot():
    """Everything the import may touch, to prove a refused import changed nothing."""
    return (
        sorted(User.objects.values_list("email", "full_name", "is_staff")),
        sorted(Membership.objects.values_list("membership_number", "region__code", "status")),
        sorted(Mandate.objects.values_list("user__email", "region__code", "weight", "valid_to")),
        sorted(User.objects.filter(groups__name="Bestuur").values_list("email", flat=True)),
    )


def test_good_file_creates_exactly_its_rows(regions):
    plan = apply_register_import(GOOD)
    assert plan.summary() == "4 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 fouten"
    assert Membership.objects.count() == 4
    assert User.objects.count() == 4
    anna = User.objects.get(email="anna@example.nl")
    assert anna.full_name == "Anna de Vries"
    assert not anna.has_usable_password()  # activated later, by emailed code
    assert EmailAddress.objects.get(user=anna).verified is False
    assert anna.membership.region.code == "utrecht"
    bert_mandate = Mandate.objects.get(user__email="bert@example.nl")
    assert bert_mandate.weight is None  # automatic: the region's active member count
    assert effective_weight(bert_mandate) == 2  # Anna and Bert are active in Utrecht
    assert Mandate.objects.get(user__email="cees@example.nl").weight == 250
    dora = User.objects.get(email="dora@example.nl")
    assert is_board(dora) and dora.is_staff
    assert not Mandate.objects.filter(user=dora).exists()


def test_importing_the_same_file_again_changes_nothing(regions):
    apply_register_import(GOOD)
    before = register_snapshot()
    plan = apply_register_import(GOOD)
    assert plan.summary() == "0 nieuw, 0 gewijzigd, 4 ongewijzigd, 0 fouten"
    assert register_snapshot() == before


@pytest.mark.parametrize("position", [0, 2, 4])
@pytest.mark.parametrize(
    "bad_line, reason",
    [
        ("1009,Xander,xander@example.nl,atlantis,member,", "onbekende regio 'atlantis'"),
        ("1009,Xander,xander@@example.nl,utrecht,member,", "ongeldig e-mailadres"),
        ("1001,Xander,xander@example.nl,utrecht,member,", "lidnummer '1001' staat ook op regel"),
        ("1009,Xander,xander@example.nl,utrecht", "4 velden in plaats van 6"),
    ],
)
def test_one_bad_row_anywhere_imports_nothing_and_names_its_line(
    regions, position, bad_line, reason
):
    good_lines = GOOD.decode().splitlines()[1:]
    lines = [*good_lines[:position], bad_line, *good_lines[position:]]
    member(email="existing@example.nl", membership_number="0001", region=regions[0])
    before = register_snapshot()
    with pytest.raises(RegisterImportRejected) as rejected:
        apply_register_import(register(*lines))
    assert register_snapshot() == before
    errors = rejected.value.plan.errors
    assert any(reason in error.message for error in errors), errors
    bad_line_number = position + 2
    # A duplicate is reported on whichever of the two lines comes second, naming the first.
    assert any(
        error.line == bad_line_number or f"op regel {bad_line_number}" in error.message
        for error in errors
    ), errors


def test_email_of_another_member_is_refused(regions):
    member(email="taken@example.nl", membership_number="0001", region=regions[0])
    with pytest.raises(RegisterImportRejected) as rejected:
        apply_register_import(register("1001,Anna,taken@example.nl,utrecht,member,"))
    [error] = rejected.value.plan.errors
    assert (error.line, error.message) == (
        2,
        "e-mailadres 'taken@example.nl' hoort al bij lid 0001",
    )


def test_changes_are_previewed_then_applied(regions):
    apply_register_import(GOOD)
    changed = register(
        "1001,Anna de Vries-Smit,anna.smit@example.nl,zeeland,member,",
        "1002,Bert Jansen,bert@example.nl,utrecht,ambassador,90",
        "1003,Cees Bakker,cees@example.nl,zeeland,member,",
        "1004,Dora Smit,dora@example.nl,zeeland,board,",
        "1005,Eva Mulder,eva@example.nl,zeeland,ambassador,",
    )
    plan = plan_register_import(changed)
    assert plan.summary() == "1 nieuw, 3 gewijzigd, 1 ongewijzigd, 0 fouten"
    changes = {planned.row.membership_number: planned.changes for planned in plan.updates}
    assert changes["1001"] == [
        "naam: 'Anna de Vries' → 'Anna de Vries-Smit'",
        "e-mail: anna@example.nl → anna.smit@example.nl",
        "regio: Utrecht → Zeeland",
    ]
    assert changes["1002"] == ["stemgewicht: automatisch → 90"]
    assert changes["1003"] == ["rol: ambassadeur → lid"]
    assert Membership.objects.count() == 4  # planning changed nothing

    apply_register_import(changed)
    anna = User.objects.get(membership__membership_number="1001")
    assert anna.email == "anna.smit@example.nl"
    assert list(EmailAddress.objects.filter(user=anna).values_list("email", "verified")) == [
        ("anna.smit@example.nl", False)
    ]
    assert Mandate.objects.current().get(user__email="bert@example.nl").weight == 90
    # Zeeland's seat passed from Cees to Eva in one file.
    assert Mandate.objects.current().get(region__code="zeeland").user.email == "eva@example.nl"
    assert not Mandate.objects.current().filter(user__email="cees@example.nl").exists()
    assert (
        plan_register_import(changed).summary() == "0 nieuw, 0 gewijzigd, 5 ongewijzigd, 0 fouten"
    )


def test_two_ambassadors_for_one_region_are_refused(regions):
    with pytest.raises(RegisterImportRejected) as rejected:
        apply_register_import(
            register(
                "1001,Anna,anna@example.nl,utrecht,ambassador,",
                "1002,Bert,bert@example.nl,utrecht,ambassador,",
            )
        )
    [error] = rejected.value.plan.errors
    assert (
        error.line == 3 and "regio Utrecht krijgt ook een ambassadeur op regel 2" in error.message
    )


def test_seat_held_by_someone_outside_the_file_is_handed_over(regions):
    old = MandateFactory(region=regions[0]).user
    apply_register_import(register("1001,Anna,anna@example.nl,utrecht,ambassador,"))
    assert Mandate.objects.current().get(region=regions[0]).user.email == "anna@example.nl"
    assert Mandate.objects.get(user=old).valid_to is not None  # ended, kept for the record


def test_suspended_member_in_file_becomes_active_again(regions):
    suspended = member(membership_number="1001", email="anna@example.nl", region=regions[0])
    Membership.objects.filter(user=suspended).update(status=MembershipStatus.SUSPENDED)
    plan = apply_register_import(register("1001,Anna,anna@example.nl,utrecht,member,"))
    assert "status: geschorst → actief" in plan.updates[0].changes
    assert Membership.objects.get(user=suspended).status == MembershipStatus.ACTIVE


def test_command_imports_and_reports(regions, tmp_path, capsys):
    path = tmp_path / "leden.csv"
    path.write_bytes(GOOD)
    call_command("import_members", str(path), "--dry-run")
    assert Membership.objects.count() == 0
    call_command("import_members", str(path))
    assert Membership.objects.count() == 4
    assert "4 nieuw" in capsys.readouterr().out


def test_command_with_bad_row_fails_and_names_the_line(regions, tmp_path, capsys):
    path = tmp_path / "leden.csv"
    path.write_bytes(
        register(
            "1001,Anna,anna@example.nl,utrecht,member,", "1002,Bert,bert@example.nl,mars,member,"
        )
    )
    with pytest.raises(CommandError, match="niets geïmporteerd, 1 foute regel"):
        call_command("import_members", str(path))
    assert "regel 3: onbekende regio 'mars'" in capsys.readouterr().err
    assert Membership.objects.count() == 0


def test_command_exit_code_is_non_zero_for_a_missing_file():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_members", "/nonexistent/leden.csv"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "kan het bestand niet lezen" in result.stderr


def test_existing_address_with_capitals_is_found(regions):
    """Found in review: a stored 'Anna@Example.nl' was missed, and the import then failed on
    the unique constraint with an unhelpful message."""
    user = User.objects.create_user(email="x@example.nl", full_name="Anna")
    User.objects.filter(pk=user.pk).update(email="Anna@Example.nl")
    plan = apply_register_import(register("1001,Anna,anna@example.nl,utrecht,member,"))
    assert plan.summary() == "1 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 fouten"
    assert Membership.objects.get(membership_number="1001").user_id == user.pk


def test_secretariat_staff_keep_admin_access_when_imported_as_members(regions):
    staff = User.objects.create_user(email="secretariaat@example.nl", is_staff=True)
    apply_register_import(register("1001,Secretariaat,secretariaat@example.nl,utrecht,member,"))
    staff.refresh_from_db()
    assert staff.is_staff  # only board membership given by the register is taken away
