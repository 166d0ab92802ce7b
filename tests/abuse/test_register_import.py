"""The member register import under hostile files: one bad row (of many kinds, anywhere in a
file of good rows) rejects the whole file with an error naming that line, and imports
nothing; arbitrary bytes never raise anything but a clear rejection. Through the functions,
the import_members command and the board's upload, preview and confirm pages."""

import csv
import hashlib
import io
import re
import string
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from members.models import Membership
from members.register_csv import COLUMNS, MAX_WEIGHT, ROLE_WORDS
from members.register_import import RegisterImportRejected, apply_register_import
from tests.abuse.helpers import db_state, error_messages, fuzz_settings
from tests.factories import RegionFactory, add_totp, board_member, member

pytestmark = pytest.mark.django_db

REGIONS = {"utrecht": "Utrecht", "zwolle": "Zwolle"}
TAKEN_EMAIL = "bestaand@example.nl"
TAKEN_NUMBER = "BESTAAND-1"
FIELD_LIMIT = csv.field_size_limit()


@pytest.fixture
def register():
    for code, name in REGIONS.items():
        RegionFactory(code=code, name=name)
    member(email=TAKEN_EMAIL, membership_number=TAKEN_NUMBER, region=RegionFactory(code="utrecht"))


# Good rows ---------------------------------------------------------------------------------

# Names: any letters, digits, punctuation (separators and quotes included: the writer quotes
# them) but no control characters and no line breaks.
NAME = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip())
LOCAL_PART = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,5})?", fullmatch=True)
EMAIL = st.builds(
    "{}@{}".format, LOCAL_PART, st.sampled_from(["example.nl", "vereniging.org", "b.test"])
).filter(lambda e: e != TAKEN_EMAIL)
NUMBER = st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,12}", fullmatch=True).filter(
    lambda n: n != TAKEN_NUMBER
)
REGION = st.sampled_from([*REGIONS, *REGIONS.values()]).flatmap(
    lambda r: st.sampled_from([r, r.upper(), r.lower()])
)
PLAIN_ROLE = st.sampled_from(["member", "lid", "Lid", "MEMBER", "board", "bestuur"])


@st.composite
def good_rows(draw, min_size=0):
    numbers = draw(st.lists(NUMBER, min_size=min_size, max_size=8, unique_by=str.lower))
    emails = draw(st.lists(EMAIL, min_size=len(numbers), max_size=len(numbers), unique=True))
    return [
        {
            "membership_number": number,
            "name": draw(NAME),
            "email": draw(st.sampled_from([email, email.upper(), f" {email} "])),
            "region": draw(REGION),
            "role": draw(PLAIN_ROLE),
            "weight": "",
        }
        for number, email in zip(numbers, emails, strict=True)
    ]


# Bad rows: each kind is bad by construction --------------------------------------------------

NO_NEWLINE = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"))


def _poisoned(kind: str, row: dict, earlier: list[dict], draw) -> dict | list | bytes:
    row = dict(row)
    if kind == "bad_email":
        row["email"] = draw(NO_NEWLINE.filter(lambda s: "@" not in s))
    elif kind == "unknown_region":
        row["region"] = "onbekend-" + draw(NO_NEWLINE)
    elif kind == "unknown_role":
        row["role"] = draw(NO_NEWLINE.filter(lambda s: s.strip().lower() not in ROLE_WORDS))
    elif kind == "weight_for_member":
        row["role"], row["weight"] = "member", str(draw(st.integers(1, MAX_WEIGHT)))
    elif kind == "bad_weight":
        row["role"] = "ambassador"
        row["weight"] = draw(
            st.one_of(
                st.integers(max_value=0).map(str),
                st.integers(min_value=MAX_WEIGHT + 1).map(str),
                st.text(alphabet=string.ascii_letters + "-.,", min_size=1, max_size=8),
            )
        )
    elif kind == "empty_field":
        row[draw(st.sampled_from(COLUMNS[:5]))] = draw(st.sampled_from(["", " ", "\t"]))
    elif kind == "too_long":
        column, limit = draw(
            st.sampled_from([("membership_number", 32), ("name", 200), ("email", 254)])
        )
        row[column] = (
            ("x" * (limit + 1 - 11) + "@example.nl")
            if column == "email"
            else "x" * (limit + draw(st.integers(1, 50)))
        )
    elif kind == "over_csv_field_limit":
        row["name"] = "x" * (FIELD_LIMIT + 1)
    elif kind == "control_character":
        column = draw(st.sampled_from(["membership_number", "name", "region"]))
        control = draw(st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85"]))
        row[column] = row[column][:1] + control + row[column][1:]
    elif kind == "email_taken":
        row["email"] = TAKEN_EMAIL.upper()
    elif kind == "duplicate_email":
        row["email"] = draw(st.sampled_from(earlier))["email"].strip().upper()
    elif kind == "duplicate_number":
        row["membership_number"] = draw(st.sampled_from(earlier))["membership_number"].lower()
    elif kind == "missing_field":
        values = [row[c] for c in COLUMNS]
        del values[draw(st.integers(0, len(values) - 1))]
        return values
    elif kind == "extra_field":
        return [row[c] for c in COLUMNS] + [draw(NO_NEWLINE)]
    elif kind == "latin1":
        return "latin1"  # written below: the row in Latin-1, with an é
    elif kind == "open_quote":
        return "open_quote"
    return row


KINDS = [
    "bad_email",
    "unknown_region",
    "unknown_role",
    "weight_for_member",
    "bad_weight",
    "empty_field",
    "too_long",
    "over_csv_field_limit",
    "control_character",
    "email_taken",
    "duplicate_email",
    "duplicate_number",
    "missing_field",
    "extra_field",
    "latin1",
    "open_quote",
]


@dataclass
class RegisterFile:
    data: bytes
    bad_line: int | None  # the physical line of the bad row
    kind: str | None
    lines: int


POISON = object()


@st.composite
def register_files(draw, *, poisoned: bool = True):
    """A register file of good rows (any order of columns, either separator, with or without
    BOM, LF or CRLF, blank lines), with one bad row at a random place if `poisoned`."""
    separator = draw(st.sampled_from([",", ";"]))
    columns = list(draw(st.permutations(COLUMNS)) if draw(st.booleans()) else COLUMNS)
    rows = draw(good_rows(min_size=0 if poisoned else 1))
    entries: list = list(rows)
    if poisoned:
        entries.insert(draw(st.integers(0, len(rows))), POISON)

    def write(fields: list[str]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=separator, lineterminator="\n").writerow(fields)
        return buffer.getvalue().encode("utf-8")

    lines = [write([c.upper() if draw(st.booleans()) else c for c in columns])]
    bad_line = kind = None
    for position, entry in enumerate(entries):
        for _ in range(draw(st.integers(0, 1))):  # blank lines count, but carry nothing
            lines.append(draw(st.sampled_from([b"\n", (separator * 5 + "\n").encode()])))
        if entry is not POISON:
            lines.append(write([entry[c] for c in columns]))
            continue
        earlier = entries[:position]
        kind = draw(st.sampled_from([k for k in KINDS if earlier or "duplicate" not in k]))
        base = draw(good_rows(min_size=1))[0]
        base["membership_number"] = "BAD-" + base["membership_number"]
        base["email"] = "bad." + base["email"].strip().lower()
        bad = _poisoned(kind, base, earlier, draw)
        if bad in ("latin1", "open_quote"):
            fields = [base[c] for c in columns]
            fields[columns.index("name")] = "@@NAME@@"
            line = write(fields)
            if bad == "latin1":  # saved by an old Excel: Latin-1, not UTF-8
                line = line.replace(b"@@NAME@@", "René".encode("latin-1"))
            else:  # a quote that never closes: the rest of the file is one field
                line = line.replace(b"@@NAME@@", b'"open quote')
        elif isinstance(bad, list):
            line = write(bad)
        else:
            line = write([bad[c] for c in columns])
        lines.append(line)
        bad_line = len(lines)
    # Line ends as Windows, Unix and old Mac Excel write them.
    data = b"".join(lines).replace(b"\n", draw(st.sampled_from([b"\n", b"\r\n", b"\r"])))
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return RegisterFile(data, bad_line, kind, len(lines))


def check_rejection(plan, data: bytes) -> list[int]:
    """Every error names a line of the file and says what is wrong; returns the lines."""
    assert plan.errors
    last_line = len(re.split(rb"\r\n|\r|\n", data))
    for error in plan.errors:
        assert 1 <= error.line <= last_line, (error, last_line)
        assert str(error) == f"regel {error.line}: {error.message}" and error.message.strip()
    return sorted({error.line for error in plan.errors})


def test_one_bad_row_rejects_the_file_naming_exactly_that_line(register):
    @fuzz_settings(120)
    @given(file=register_files())
    def run(file):
        before = db_state()
        with pytest.raises(RegisterImportRejected) as rejected:
            apply_register_import(file.data)
        lines = check_rejection(rejected.value.plan, file.data)
        if file.kind == "open_quote":  # the quote swallows the rest of the file
            assert lines and lines[0] >= file.bad_line, (lines, file.bad_line)
        else:
            assert lines == [file.bad_line], (file.kind, lines, file.bad_line)
        assert db_state() == before

    run()


def test_the_same_files_without_the_bad_row_import(register):
    """The control: the generator's good rows really are good."""

    @fuzz_settings(30)
    @given(file=register_files(poisoned=False))
    def run(file):
        with transaction.atomic():
            before = Membership.objects.count()
            plan = apply_register_import(file.data)
            assert plan.ok and plan.creates
            assert Membership.objects.count() == before + len(plan.creates)
            transaction.set_rollback(True)

    run()


def mutated(data: bytes):
    """A good file with a few bytes changed, inserted or removed."""
    return st.lists(
        st.tuples(st.integers(0, max(len(data) - 1, 0)), st.binary(max_size=3)), max_size=4
    ).map(lambda edits: _apply_edits(data, edits))


def _apply_edits(data: bytes, edits) -> bytes:
    for position, replacement in edits:
        data = data[:position] + replacement + data[position + len(replacement) :]
    return data


ARBITRARY_FILES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    st.text(max_size=200).map(lambda t: ",".join(COLUMNS).encode() + b"\n" + t.encode("utf-8")),
    st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]).map(
        lambda enc: (",".join(COLUMNS) + "\n1,René Ærø,r@example.nl,utrecht,lid,\n").encode(enc)
    ),
    register_files(poisoned=False).flatmap(lambda f: mutated(f.data)),
)


def test_arbitrary_bytes_import_cleanly_or_are_rejected_with_lines(register, tmp_path):
    path = tmp_path / "leden.csv"

    @fuzz_settings(80)
    @given(data=ARBITRARY_FILES, dry_run=st.booleans())
    def run(data, dry_run):
        with transaction.atomic():
            before = db_state()
            try:
                plan = apply_register_import(data)
            except RegisterImportRejected as rejected:
                check_rejection(rejected.plan, data)
                assert db_state() == before
            else:
                assert plan.ok
            transaction.set_rollback(True)
        path.write_bytes(data)
        with transaction.atomic():
            options = {"dry_run": True} if dry_run else {}
            out, err = io.StringIO(), io.StringIO()
            try:
                call_command("import_members", str(path), stdout=out, stderr=err, **options)
            except CommandError as refused:
                assert "niets geïmporteerd" in str(refused) and "regel " in err.getvalue()
                assert db_state() == before
            transaction.set_rollback(True)

    run()


@pytest.fixture
def board_client(client, register):
    user = board_member()
    add_totp(user)
    client.force_login(user)
    return client


# File names as a browser sends them (the test client does not escape line separators in a
# multipart header, so those stay out).
UPLOAD_NAMES = st.one_of(
    st.just("leden.csv"),
    st.text(alphabet=st.characters(categories=("L", "N", "Pd", "Po", "Zs")), max_size=30).map(
        lambda name: name.replace("/", "").replace("\\", "") + ".csv"
    ),
)


def test_the_board_upload_previews_the_errors_and_confirming_imports_nothing(board_client):
    upload_url = reverse("members:register_import")
    confirm_url = reverse("members:register_import_confirm")

    @fuzz_settings(30)
    @given(
        file=st.one_of(
            register_files(),
            st.binary(max_size=500).map(lambda b: RegisterFile(b, None, None, b.count(b"\n") + 1)),
        ),
        name=UPLOAD_NAMES,
    )
    def run(file, name):
        before = db_state()
        upload = SimpleUploadedFile(name, file.data, content_type="text/csv")
        # Like a browser's form, the POST has a field beside the file (there: the CSRF token).
        response = board_client.post(upload_url, {"file": upload, "submit": "1"})
        if response.status_code == 200:  # refused by the form: empty, NUL bytes
            assert response.context["form"].errors["file"]
        else:
            assert response.status_code == 302, response.status_code
            preview = board_client.get(response["Location"])
            assert preview.status_code == 200
            plan = preview.context["plan"]
            html = preview.content.decode()
            if file.bad_line is not None:
                assert not plan.ok
            for error in plan.errors:
                assert f"Regel {error.line}:" in html
            sha256 = hashlib.sha256(file.data).hexdigest()
            confirmed = board_client.post(confirm_url, {"sha256": sha256})
            if plan.ok:  # arbitrary bytes that happen to be a good file: not expected
                transaction.set_rollback(True)
                pytest.fail(f"arbitrary upload imported: {file.data!r}")
            assert confirmed.status_code == 302
            assert any("niets geïmporteerd" in m for m in error_messages(confirmed))
        assert db_state() == before

    run()


def test_a_nul_byte_after_the_first_kilobytes_is_a_row_error_not_a_crash(register):
    """The upload form looks for NUL in the first 4 KB only; the row check finds the rest
    (PostgreSQL refused the row with a DataError)."""
    rows = "".join(f"{n},Lid {n},lid{n}@example.nl,utrecht,lid,\n" for n in range(1, 200))
    data = (
        ",".join(COLUMNS) + "\n" + rows + "999,An\x00na,anna@example.nl,utrecht,lid,\n"
    ).encode()
    before = db_state()
    with pytest.raises(RegisterImportRejected) as rejected:
        apply_register_import(data)
    [error] = rejected.value.plan.errors
    assert error.line == 201 and "U+0000" in error.message
    assert db_state() == before


def test_a_latin1_row_in_a_file_with_old_mac_line_ends_is_named_by_its_line(register):
    """Excel for Mac's "CSV (Macintosh)": CR line ends and not UTF-8. The error said line 1."""
    text = (
        ",".join(COLUMNS)
        + "\r1,Anna,anna@example.nl,utrecht,lid,\r2,René,r@example.nl,utrecht,lid,\r"
    )
    with pytest.raises(RegisterImportRejected) as rejected:
        apply_register_import(text.encode("mac_roman"))
    assert [error.line for error in rejected.value.plan.errors] == [3]
