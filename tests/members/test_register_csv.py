"""Reading the register CSV: formats Dutch offices really produce, and every kind of bad row."""

from members.register_csv import COLUMNS, parse_register

HEADER = ",".join(COLUMNS)


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False, sep: str = ",") -> bytes:
    text = "\n".join([header.replace(",", sep), *lines]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def test_plain_comma_file_gives_clean_rows():
    parsed = parse_register(csv_bytes("1001,Anna de Vries,Anna@Example.nl,utrecht,member,"))
    assert parsed.errors == []
    [row] = parsed.rows
    assert (row.line, row.membership_number, row.email, row.role, row.weight) == (
        2,
        "1001",
        "anna@example.nl",
        "member",
        None,
    )


def test_byte_order_mark_is_ignored():
    parsed = parse_register(csv_bytes("1001,Anna,anna@example.nl,utrecht,member,", bom=True))
    assert parsed.errors == []
    assert parsed.rows[0].membership_number == "1001"


def test_semicolon_separated_file_as_dutch_excel_writes_it():
    data = csv_bytes("1001;Jansen, Piet;piet@example.nl;utrecht;ambassadeur;120", sep=";")
    parsed = parse_register(data)
    assert parsed.errors == []
    assert parsed.rows[0].name == "Jansen, Piet"
    assert parsed.rows[0].role == "ambassador"
    assert parsed.rows[0].weight == 120


def test_quoted_commas_and_crlf_line_endings():
    data = (HEADER + '\r\n1001,"Vries, Anna de",anna@example.nl,utrecht,member,\r\n').encode()
    parsed = parse_register(data)
    assert parsed.errors == []
    assert parsed.rows[0].name == "Vries, Anna de"


def test_empty_lines_are_skipped_and_line_numbers_stay_physical():
    data = csv_bytes(
        "",
        "1001,Anna,anna@example.nl,utrecht,member,",
        ",,,,,",
        "",
        "1002,Bert,bert@example.nl,utrecht,member,",
    )
    parsed = parse_register(data)
    assert parsed.errors == []
    assert [row.line for row in parsed.rows] == [3, 6]


def test_columns_in_another_order_are_accepted():
    header = "email,name,membership_number,role,region,weight"
    parsed = parse_register(csv_bytes("anna@example.nl,Anna,1001,member,utrecht,", header=header))
    assert parsed.errors == []
    assert parsed.rows[0].membership_number == "1001"


def test_wrong_columns_name_the_header_line_and_what_is_missing():
    parsed = parse_register(
        csv_bytes(
            "1001,Anna,anna@example.nl,utrecht,member",
            header="membership_number,name,email,region,rol",
        )
    )
    assert parsed.rows == []
    [error] = parsed.errors
    assert error.line == 1
    assert "ontbrekend: role, weight" in error.message
    assert "'rol'" in error.message


def test_duplicate_membership_number_names_both_lines():
    parsed = parse_register(
        csv_bytes(
            "1001,Anna,anna@example.nl,utrecht,member,", "1001,Bert,bert@example.nl,utrecht,member,"
        )
    )
    [error] = parsed.errors
    assert error.line == 3
    assert "lidnummer '1001' staat ook op regel 2" in error.message


def test_duplicate_email_in_file_is_refused_regardless_of_case():
    parsed = parse_register(
        csv_bytes(
            "1001,Anna,anna@example.nl,utrecht,member,",
            "1002,Anna 2,ANNA@example.nl,utrecht,member,",
        )
    )
    assert [e.line for e in parsed.errors] == [3]


def test_every_bad_row_is_named_with_its_reason():
    parsed = parse_register(
        csv_bytes(
            "1001,Anna,not-an-email,utrecht,member,",
            "1002,Bert,bert@example.nl,utrecht,chair,",
            "1003,Cees,cees@example.nl,utrecht,member,12",
            "1004,Dirk,dirk@example.nl,utrecht,ambassador,-3",
            "1005,,eva@example.nl,utrecht,member,",
            "1006,Fien,fien@example.nl,utrecht,member",
            "1007,Gert,gert@example.nl,utrecht,member,",
        )
    )
    messages = {error.line: error.message for error in parsed.errors}
    assert set(messages) == {2, 3, 4, 5, 6, 7}
    assert "ongeldig e-mailadres" in messages[2]
    assert "onbekende rol 'chair'" in messages[3]
    assert "alleen bij een ambassadeur" in messages[4]
    assert "geen geheel getal" in messages[5]
    assert "name is leeg" in messages[6]
    assert "5 velden in plaats van 6" in messages[7]
    assert [row.membership_number for row in parsed.rows] == ["1007"]


def test_file_that_is_not_utf8_is_refused_with_its_line():
    data = csv_bytes("1001,Anna,anna@example.nl,utrecht,member,").replace(b"Anna", b"Ren\xe9e")
    parsed = parse_register(data)
    [error] = parsed.errors
    assert error.line == 2
    assert "geen UTF-8" in error.message


def test_empty_file_and_header_only_file_are_errors():
    assert parse_register(b"").errors[0].message == "het bestand is leeg"
    assert "geen leden" in parse_register(csv_bytes()).errors[0].message


def test_a_quote_left_open_on_the_last_line_is_an_error():
    """Found by hypothesis: the lenient CSV reader ended the file inside the open quote and
    imported the row as if it were fine."""
    data = (
        b"membership_number,email,region,role,weight,name\n"
        b'BAD-0,bad.a@example.nl,utrecht,member,,"open quote\n'
    )
    parsed = parse_register(data)
    assert [error.line for error in parsed.errors] == [2]
    assert "onleesbare CSV" in parsed.errors[0].message
