"""Reading the member register CSV: decoding, separators, columns and per-row checks.

No database here: this turns bytes into clean rows or a list of errors, each naming the line
of the file it was found on. members.register_import checks the rows against the register.
"""

import csv
import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

COLUMNS = ("membership_number", "name", "email", "region", "role", "weight")
MAX_WEIGHT = 1_000_000
MAX_LENGTHS = {"membership_number": 32, "name": 200, "email": 254, "region": 100}

# Dutch words are accepted beside the English ones: the register is kept by Dutch staff.
ROLE_WORDS = {
    "member": "member",
    "lid": "member",
    "ambassador": "ambassador",
    "ambassadeur": "ambassador",
    "deputy": "deputy",
    "plaatsvervanger": "deputy",
    "board": "board",
    "bestuur": "board",
}
WEIGHTED_ROLES = {"ambassador", "deputy"}


@dataclass(frozen=True)
class RegisterRow:
    line: int
    membership_number: str
    name: str
    email: str
    region: str
    role: str
    weight: int | None


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("regel %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ParsedRegister:
    rows: list[RegisterRow]
    errors: list[RowError]
    # line -> region as written, for rows refused here: the register check names an unknown
    # region on those lines too, so every problem of a row is told at once.
    refused_regions: dict[int, str] = dataclasses.field(default_factory=dict)


def decode(data: bytes) -> tuple[str | None, list[RowError]]:
    """UTF-8 with or without a byte-order mark; anything else is refused with the line."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        # Lines end in \n, \r\n or (old Mac Excel) \r, as the reader counts them; counting
        # \n alone named line 1 for every line of a \r file (found by tests/abuse).
        line = len(re.findall(rb"\r\n|\r|\n", data[: exc.start])) + 1
        return None, [
            RowError(
                line,
                _(
                    "het bestand is geen UTF-8 (sla het in Excel op als 'CSV UTF-8 (door "
                    "komma's gescheiden)')"
                ),
            )
        ]


def detect_separator(header_line: str) -> str:
    """Dutch Excel writes semicolons, everyone else commas; the header line tells which."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def parse_register(data: bytes) -> ParsedRegister:
    text, errors = decode(data)
    if text is None:
        return ParsedRegister(rows=[], errors=errors)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        return ParsedRegister(rows=[], errors=[RowError(1, _("het bestand is leeg"))])
    # strict: an unclosed quote at the end of the file is an error, not a field that quietly
    # swallows the rest of the file (hypothesis found it: the row imported as if fine).
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=detect_separator(first_line), strict=True
    )
    rows: list[RegisterRow] = []
    refused_regions: dict[int, str] = {}
    columns: list[str] | None = None
    try:
        for record in reader:
            if not any(field.strip() for field in record):
                continue  # blank lines (and lines of only separators) carry nothing
            line = reader.line_num
            if columns is None:
                columns, header_error = _read_header(record, line)
                if header_error:
                    return ParsedRegister(rows=[], errors=[header_error])
                continue
            row, row_errors = _read_row(record, columns, line)
            errors.extend(row_errors)
            if row is not None:
                rows.append(row)
            elif len(record) == len(columns):
                refused_regions[line] = record[columns.index("region")].strip()
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, _("onleesbare CSV (%(error)s)") % {"error": exc}))
    if columns is None:
        errors.append(RowError(1, _("het bestand is leeg")))
    elif not rows and not errors:
        errors.append(RowError(reader.line_num, _("het bestand bevat geen leden")))
    errors.extend(_duplicates(rows))
    errors.sort(key=lambda error: error.line)
    return ParsedRegister(rows=rows, errors=errors, refused_regions=refused_regions)


def _read_header(record: list[str], line: int) -> tuple[list[str], RowError | None]:
    found = [field.strip().lower() for field in record]
    if sorted(found) == sorted(COLUMNS) and len(set(found)) == len(found):
        return found, None
    missing = [column for column in COLUMNS if column not in found]
    unknown = [column for column in found if column not in COLUMNS]
    parts = []
    if missing:
        parts.append(_("ontbrekend: %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        parts.append(
            _("onbekend: %(columns)s") % {"columns": ", ".join(repr(column) for column in unknown)}
        )
    if not parts:
        parts.append(_("een kolom staat er dubbel in"))
    return found, RowError(
        line,
        _("verkeerde kolommen (%(problems)s); verwacht: %(columns)s")
        % {"problems": "; ".join(parts), "columns": ",".join(COLUMNS)},
    )


def _read_row(
    record: list[str], columns: list[str], line: int
) -> tuple[RegisterRow | None, list[RowError]]:
    if len(record) != len(columns):
        return None, [
            RowError(
                line,
                _("%(found)s velden in plaats van %(expected)s (kolommen)")
                % {"found": len(record), "expected": len(columns)},
            )
        ]
    values = {column: field.strip() for column, field in zip(columns, record, strict=True)}
    problems: list[str] = []
    for column in ("membership_number", "name", "email", "region", "role"):
        if not values[column]:
            problems.append(_("%(column)s is leeg") % {"column": column})
    for column in COLUMNS:
        # Control characters (NUL, BEL, ...) have no place in a register; PostgreSQL refuses
        # NUL outright, which made the import fail with a DataError (found by tests/abuse).
        control = next((c for c in values[column] if unicodedata.category(c) == "Cc"), None)
        if control is not None:
            problems.append(
                _("%(column)s bevat een stuurteken (%(code)s)")
                % {"column": column, "code": f"U+{ord(control):04X}"}
            )
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            problems.append(
                _("%(column)s is langer dan %(limit)s tekens") % {"column": column, "limit": limit}
            )
    email = values["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("ongeldig e-mailadres %(email)s") % {"email": repr(values["email"])})
    role = ROLE_WORDS.get(values["role"].lower())
    if values["role"] and role is None:
        problems.append(
            _("onbekende rol %(role)s (gebruik member, ambassador, deputy of board)")
            % {"role": repr(values["role"])}
        )
    weight: int | None = None
    if values["weight"]:
        if role is not None and role not in WEIGHTED_ROLES:
            problems.append(_("een stemgewicht hoort alleen bij een ambassadeur"))
        elif not _plain_number(values["weight"]) or not 0 < int(values["weight"]) <= MAX_WEIGHT:
            problems.append(
                _("stemgewicht %(weight)s is geen geheel getal van 1 tot %(max)s")
                % {"weight": repr(values["weight"]), "max": MAX_WEIGHT}
            )
        else:
            weight = int(values["weight"])
    if problems:
        return None, [RowError(line, "; ".join(problems))]
    return (
        RegisterRow(
            line=line,
            membership_number=values["membership_number"],
            name=values["name"],
            email=email,
            region=values["region"],
            role=role,
            weight=weight,
        ),
        [],
    )


def _plain_number(text: str) -> bool:
    """ASCII digits, short enough for int(): "²" is a digit to isdigit() but not to int(),
    other scripts' digits are no register number, and int() refuses 4,300+ digits (each was
    a 500 on the board's upload)."""
    return text.isascii() and text.isdigit() and len(text) <= len(str(MAX_WEIGHT))


def _duplicates(rows: list[RegisterRow]) -> list[RowError]:
    errors: list[RowError] = []
    for field, label in (("membership_number", _("lidnummer")), ("email", _("e-mailadres"))):
        first_seen: dict[str, int] = {}
        for row in rows:
            key = getattr(row, field).lower()
            if key in first_seen:
                errors.append(
                    RowError(
                        row.line,
                        _("%(what)s %(value)s staat ook op regel %(line)s")
                        % {
                            "what": label,
                            "value": repr(getattr(row, field)),
                            "line": first_seen[key],
                        },
                    )
                )
            else:
                first_seen[key] = row.line
    return errors
