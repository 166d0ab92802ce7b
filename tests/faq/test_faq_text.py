"""The FAQ text parser (faq/faq_text.py) on the quirks of text extracted from the association's
PDF. The fixtures are written in our own words but keep every quirk of the real file; small
inline texts cover the problems an operator must be told about."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.faq_text import FaqTextProblem, ParsedFaq, ParsedQuestion, parse_faq_text

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def faq(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def by_label(parsed: ParsedFaq) -> dict[str, ParsedQuestion]:
    return {question.label: question for question in parsed.questions}


def messages(parsed: ParsedFaq) -> list[str]:
    return [problem.message for problem in parsed.problems]


@pytest.fixture(scope="module")
def akkoord() -> ParsedFaq:
    return parse_faq_text(load("zorgakkoord_faq.txt"))


@pytest.fixture(scope="module")
def paginas() -> ParsedFaq:
    return parse_faq_text(load("pagina_opmaak.txt"))


TWO_QUESTIONS = faq(
    "Intro.",
    "",
    "A. Eerste vraag?",
    "B. Tweede vraag?",
    "",
    "A. Eerste vraag?",
    "Antwoord een.",
    "",
    "B. Tweede vraag?",
    "Antwoord twee.",
)


# The whole file -----------------------------------------------------------------------------


def test_every_indexed_question_is_parsed_without_problems(akkoord):
    assert [question.label for question in akkoord.questions] == ["A", "B", "C", "D", "E", "F"]
    assert akkoord.problems == []


def test_intro_is_the_text_before_the_index_without_its_leading_space(akkoord):
    assert akkoord.intro == (
        "Ruim 150 leden stuurden ons vragen over het Regionaal Zorgakkoord. "
        "Hieronder de antwoorden:"
    )


def test_smallest_faq_parses_into_questions_and_answers():
    parsed = parse_faq_text(TWO_QUESTIONS)

    assert parsed == ParsedFaq(
        intro="Intro.",
        questions=[
            ParsedQuestion("A", "Eerste vraag?", "Antwoord een.", []),
            ParsedQuestion("B", "Tweede vraag?", "Antwoord twee.", []),
        ],
        problems=[],
    )


# Questions --------------------------------------------------------------------------------


def test_question_wrapped_over_blank_lines_in_the_index_is_read_whole(akkoord):
    questions = by_label(akkoord)

    assert questions["C"].question == (
        "Welke extra taken komen er op de huisarts af als de vereniging wel tekent?"
    )
    assert questions["D"].question == (
        "Wat gebeurt er met de beloofde gelden als we niet tekenen? "
        "Blijft dat geld dan gewoon liggen?"
    )


def test_question_wrapped_differently_in_index_and_answers_is_not_a_problem(akkoord):
    # Index: "regio-" / blank / "organisaties en de kader-afspraken?";
    # answers: "regio-organisaties en de kader-" / "afspraken?".
    assert by_label(akkoord)["E"].question == (
        "Hoe zit het met de rol van de regio-organisaties en de kader-afspraken?"
    )


def test_question_differing_only_in_whitespace_from_the_index_is_fine():
    text = TWO_QUESTIONS.replace("A. Eerste vraag?\nB.", "A.   Eerste\n\n   vraag?  \nB.", 1)

    parsed = parse_faq_text(text)

    assert parsed.problems == []
    assert by_label(parsed)["A"].question == "Eerste vraag?"


def test_answer_may_start_on_the_line_where_the_question_ends():
    text = TWO_QUESTIONS.replace("A. Eerste vraag?\nAntwoord een.", "A. Eerste vraag? Ja, zeker.")

    parsed = parse_faq_text(text)

    assert parsed.problems == []
    assert by_label(parsed)["A"].question == "Eerste vraag?"
    assert by_label(parsed)["A"].answer == "Ja, zeker."


def test_indented_label_after_a_footnote_block_starts_the_next_question(akkoord):
    questions = by_label(akkoord)

    assert questions["D"].answer.startswith("Het geld is niet zeker.")
    assert "Wat gebeurt er" not in questions["C"].answer


def test_nothing_of_one_answer_bleeds_into_another(akkoord):
    questions = by_label(akkoord)
    first_and_last = {
        "A": ("Het Regionaal Zorgakkoord (RZA)", "aan alle leden voor."),
        "B": ("Nee. De vereniging", "liever zelf zouden tekenen."),
        "C": ("Het akkoord noemt", "de wachtlijsten in de ggz te verkorten."),
        "D": ("Het geld is niet zeker.", "elk jaar opnieuw aanvragen."),
        "E": ("Een regio-organisatie", "(zie ook vraag B)[^1]."),
        "F": ("Kom naar de ledenvergadering", "geeft een volmacht."),
    }
    for label, (first, last) in first_and_last.items():
        assert questions[label].answer.startswith(first), label
        assert questions[label].answer.endswith(last), label


# Footnotes --------------------------------------------------------------------------------


def test_footnote_definition_in_mid_answer_is_moved_out_of_the_body(akkoord):
    answer_c = by_label(akkoord)["C"].answer

    assert "Kaderakkoord liep" not in answer_c
    assert "RZA hoofdstuk" not in answer_c
    assert "H&W 5897" not in answer_c


def test_footnote_is_attached_to_the_question_whose_answer_has_the_marker(akkoord):
    # The definitions of A's footnotes sit at the bottom of a page, in the middle of C's answer.
    questions = by_label(akkoord)

    assert [note.split()[0:3] for note in questions["A"].footnotes] == [
        ["Het", "Kaderakkoord", "liep"],
        ["Onder", "meer", "registratie,"],
        ["Algemene", "ledenvergadering;", "besluit"],
    ]
    assert questions["C"].footnotes[0] == "RZA hoofdstuk 3, p. 12, r.4,5"
    assert questions["D"].footnotes == ["RZA bijlage B", "RZA hoofdstuk 6, p. 31 sub c"]
    assert questions["B"].footnotes == []
    assert questions["F"].footnotes == []


def test_glued_markers_become_references_numbered_per_question(akkoord):
    questions = by_label(akkoord)

    assert "(KA)[^1]. Huisartsen" in questions["A"].answer
    assert "verplichtingen[^2]. In het" in questions["A"].answer
    assert "(ALV)[^3] en legt" in questions["A"].answer
    # C's markers are 4 to 7 in the file and [^1] to [^4] in the answer.
    assert "hebben gehad[^1]." in questions["C"].answer
    assert "overgewicht[^3]. Uit" in questions["C"].answer
    assert "weinig opleveren[^4]." in questions["C"].answer
    assert "gehaald[^1]." in questions["D"].answer


def test_marker_glued_to_a_capital_loses_the_space_before_its_full_stop(akkoord):
    # "SEH5 . Daarvoor" in the file.
    assert "naar de SEH[^2]. Daarvoor" in by_label(akkoord)["C"].answer


def test_marker_after_a_space_is_found_when_nothing_glued_matches(akkoord):
    # "(zie ook vraag B) 10." in the file.
    question = by_label(akkoord)["E"]

    assert question.answer.endswith("(zie ook vraag B)[^1].")
    assert question.footnotes == ["Statuten artikel 4.2; zie www.example.nl/statuten-2024.pdf"]


def test_real_numbers_are_not_taken_for_footnote_markers(akkoord):
    questions = by_label(akkoord)

    assert "in de regio tot 2028." in questions["A"].answer
    assert "als startjaar 2105, een tikfout" in questions["A"].answer
    assert "Geld uit segment S3 is" in questions["A"].answer
    assert "12 praktijken hebben" in questions["B"].answer
    assert "Alle 75+\u2019ers moeten in 2026" in questions["C"].answer
    assert "1,5 miljoen besparen" in questions["C"].answer
    assert "uit S3 en verschuiven pas naar S1 als" in questions["D"].answer
    assert questions["C"].footnotes[2].startswith("H&W 5897 (maart 2021)")


def test_multi_line_footnote_definitions_are_joined_into_one_line(akkoord):
    questions = by_label(akkoord)

    # The continuation line is only a year: "2019".
    assert questions["A"].footnotes[0].endswith("zie het verslag van de ALV van maart 2019")
    # A blank line inside the definition.
    assert questions["C"].footnotes[3] == (
        "Cochrane-overzicht, besproken in het verenigingsblad van juni 2020 en in de nieuwsbrief"
    )
    assert all("\n" not in note for q in akkoord.questions for note in q.footnotes)


def test_footnote_number_may_be_skipped_when_its_marker_is_in_the_text():
    text = TWO_QUESTIONS.replace(
        "Antwoord een.", "Antwoord een1, twee2 en drie3.\n\n1 Eerste bron.\n3 Derde bron."
    )

    parsed = parse_faq_text(text)

    assert messages(parsed) == ["voetnootverwijzing 2 bij vraag A heeft geen voetnoottekst"]
    assert by_label(parsed)["A"].footnotes == ["Eerste bron.", "Derde bron."]


def test_indented_line_starting_with_a_number_is_text_not_a_footnote():
    text = TWO_QUESTIONS.replace("Antwoord een.", "Antwoord een1.\n\n 1 huisarts per wijk.")

    parsed = parse_faq_text(text)

    assert messages(parsed) == ["voetnootverwijzing 1 bij vraag A heeft geen voetnoottekst"]
    assert by_label(parsed)["A"].answer.endswith("1 huisarts per wijk.")


# Paragraphs and lists -----------------------------------------------------------------------


def test_hard_wrapped_lines_are_joined_into_paragraphs(akkoord):
    paragraphs = by_label(akkoord)["A"].answer.split("\n\n")

    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Het Regionaal Zorgakkoord (RZA) is een set afspraken tussen")
    assert "\n" not in paragraphs[0]


def test_paragraph_continues_across_a_footnote_block(akkoord):
    questions = by_label(akkoord)

    assert "overgewicht[^3]. Uit eerder onderzoek blijkt" in questions["C"].answer
    assert "einddatum[^2]. In de praktijk betekent" in questions["D"].answer


def test_numbered_list_items_stay_separate_markdown_list_lines(akkoord):
    answer_c = by_label(akkoord)["C"].answer
    lines = answer_c.split("\n")

    assert answer_c.startswith("Het akkoord noemt een flink aantal taken buiten de spreekkamer.")
    assert lines[1] == ""  # a blank line before the list
    assert [line[:3] for line in lines[2:]] == ["1. ", "2. ", "3. ", "4. "]
    assert lines[4].startswith("3. Praktijken moeten")  # "3.Praktijken" in the file


def test_line_ending_in_a_hyphen_is_joined_without_a_space(akkoord):
    assert "Ook de regio-organisaties krijgen" in by_label(akkoord)["D"].answer


def test_space_only_lines_doubled_blanks_and_trailing_spaces_leave_no_trace(akkoord):
    for question in akkoord.questions:
        assert "  " not in question.answer
        assert "\n\n\n" not in question.answer
        assert all(line == line.strip() for line in question.answer.split("\n"))
        assert question.question == question.question.strip()


def test_paragraph_starting_like_a_list_item_is_escaped():
    text = TWO_QUESTIONS.replace("Antwoord een.", "Dat was in\n\n2015. Daarna niet meer.")

    assert by_label(parse_faq_text(text))["A"].answer == "Dat was in\n\n2015\\. Daarna niet meer."


# Page artefacts ---------------------------------------------------------------------------


def test_form_feeds_page_numbers_and_running_headers_are_stripped(paginas):
    assert paginas.problems == []
    assert paginas.intro == "Voor leden van de vereniging; bijgewerkt in 2025."
    everything = "\n".join(q.answer + "\n".join(q.footnotes) for q in paginas.questions)
    for artefact in ("Veelgestelde vragen", "- 1 -", "- 2 -", "Pagina 3", "\f"):
        assert artefact not in everything


def test_sentence_broken_by_a_page_break_is_joined(paginas):
    assert "duurt tot uiterlijk 22.00 uur. Wie later komt" in by_label(paginas)["1"].answer


def test_paragraph_ending_at_a_page_break_stays_a_paragraph(paginas):
    assert by_label(paginas)["2"].answer.endswith(
        "tot het begin van de vergadering.\n\nNa afloop krijgt u een bevestiging per e-mail."
    )


def test_number_labels_leave_numbered_lists_in_answers_alone(paginas):
    questions = by_label(paginas)

    assert list(questions) == ["1", "2", "3"]
    assert "\n\n1. de agenda gaat vier weken vooraf naar alle leden;\n2. wie een voorstel" in (
        questions["1"].answer
    )
    assert "vooraf[^1];" in questions["1"].answer
    assert questions["1"].footnotes == [
        "Zie het huishoudelijk reglement, artikel 7, en de toelichting daarop."
    ]
    assert questions["3"].footnotes == ["Het verslag staat binnen twee weken online."]


def test_windows_line_ends_and_a_byte_order_mark_change_nothing(akkoord):
    text = "\ufeff" + load("zorgakkoord_faq.txt").replace("\n", "\r\n")

    assert parse_faq_text(text) == akkoord


# Problems ---------------------------------------------------------------------------------


def test_problems_in_a_broken_file_are_reported_with_their_lines():
    parsed = parse_faq_text(load("fouten.txt"))

    assert parsed.problems == [
        FaqTextProblem(4, "vraag B staat in de inhoudsopgave maar heeft geen antwoord"),
        FaqTextProblem(6, "label C staat in de inhoudsopgave na D: de volgorde klopt niet"),
        FaqTextProblem(7, "label C staat twee keer in de inhoudsopgave (eerder op regel 6)"),
        FaqTextProblem(13, "voetnoot 2 wordt in geen enkel antwoord genoemd"),
        FaqTextProblem(16, "voetnootverwijzing 3 bij vraag D heeft geen voetnoottekst"),
        FaqTextProblem(21, "vraag E heeft een antwoord maar staat niet in de inhoudsopgave"),
    ]


@pytest.mark.parametrize("text", ["", "\ufeff", "  \n\n \f\n\t\n"])
def test_empty_file_is_a_problem(text):
    parsed = parse_faq_text(text)

    assert parsed.questions == []
    assert parsed.problems == [FaqTextProblem(0, "het bestand is leeg")]


def test_text_without_an_index_is_a_problem():
    parsed = parse_faq_text("Een brief aan de leden.\n\nMet vriendelijke groet.\n")

    assert parsed.questions == []
    assert messages(parsed) == [
        "geen inhoudsopgave gevonden: geen regel begint met een label als 'A.' of '1.'"
    ]


def test_index_whose_labels_never_come_back_is_a_problem():
    parsed = parse_faq_text(faq("A. Eerste vraag?", "B. Tweede vraag?", "Verder niets."))

    assert messages(parsed) == [
        "geen antwoorden gevonden: na de inhoudsopgave komt label A niet opnieuw voor"
    ]


def test_index_label_without_an_answer_is_reported():
    text = faq(
        "J. Vraag j?", "K. Vraag k?", "L. Vraag l?", "", "J. Vraag j?", "Ja.", "L. Vraag l?", "Nee."
    )

    parsed = parse_faq_text(text)

    assert parsed.problems == [
        FaqTextProblem(2, "vraag K staat in de inhoudsopgave maar heeft geen antwoord")
    ]
    assert [question.label for question in parsed.questions] == ["J", "L"]


def test_first_index_label_without_an_answer_is_reported():
    text = faq("A. Vraag a?", "B. Vraag b?", "", "B. Vraag b?", "Ja.")

    parsed = parse_faq_text(text)

    assert messages(parsed) == ["vraag A staat in de inhoudsopgave maar heeft geen antwoord"]
    assert by_label(parsed)["B"].answer == "Ja."


def test_answer_label_not_in_the_index_is_reported():
    text = TWO_QUESTIONS + faq("", "C. Derde vraag?", "Antwoord drie.")

    parsed = parse_faq_text(text)

    assert parsed.problems == [
        FaqTextProblem(12, "vraag C heeft een antwoord maar staat niet in de inhoudsopgave")
    ]
    assert by_label(parsed)["C"].question == "Derde vraag?"


def test_duplicate_label_in_the_index_is_reported():
    text = faq("A. Vraag a?", "B. Vraag b?", "B. Nog een vraag b?", "", "A. Vraag a?", "Ja.")
    text += faq("B. Vraag b?", "Nee.")

    assert parse_faq_text(text).problems == [
        FaqTextProblem(3, "label B staat twee keer in de inhoudsopgave (eerder op regel 2)")
    ]


def test_duplicate_answer_is_reported_and_left_out():
    text = TWO_QUESTIONS.replace("\nB. Tweede vraag?\nAntwoord twee.", "\nA. Eerste vraag?\nOok.")
    text += faq("B. Tweede vraag?", "Antwoord twee.")

    parsed = parse_faq_text(text)

    assert messages(parsed) == ["vraag A heeft twee antwoorden (eerder op regel 6)"]
    assert [question.label for question in parsed.questions] == ["A", "B"]
    assert by_label(parsed)["A"].answer == "Antwoord een."


def test_labels_out_of_order_in_the_index_are_reported():
    text = faq("A. Vraag a?", "C. Vraag c?", "B. Vraag b?", "", "A. Vraag a?", "Ja.")
    text += faq("C. Vraag c?", "Ja.", "B. Vraag b?", "Ja.")

    assert parse_faq_text(text).problems == [
        FaqTextProblem(3, "label B staat in de inhoudsopgave na C: de volgorde klopt niet")
    ]


def test_answers_out_of_index_order_are_reported():
    text = faq("A. Vraag a?", "B. Vraag b?", "C. Vraag c?", "", "A. Vraag a?", "Ja.")
    text += faq("C. Vraag c?", "Ja.", "B. Vraag b?", "Ja.")

    assert parse_faq_text(text).problems == [
        FaqTextProblem(9, "het antwoord op vraag B staat niet in de volgorde van de inhoudsopgave")
    ]


def test_footnote_marker_without_a_definition_is_reported():
    text = TWO_QUESTIONS.replace("Antwoord twee.", "Antwoord twee1.")

    parsed = parse_faq_text(text)

    assert parsed.problems == [
        FaqTextProblem(10, "voetnootverwijzing 1 bij vraag B heeft geen voetnoottekst")
    ]


def test_footnote_definition_never_referenced_is_reported():
    text = TWO_QUESTIONS.replace("Antwoord een.", "Antwoord een.\n\n1 Een bron zonder verwijzing.")

    parsed = parse_faq_text(text)

    assert parsed.problems == [FaqTextProblem(9, "voetnoot 1 wordt in geen enkel antwoord genoemd")]
    assert by_label(parsed)["A"].answer == "Antwoord een."


def test_question_that_differs_from_the_index_is_reported():
    text = TWO_QUESTIONS.replace(
        "A. Eerste vraag?\nAntwoord", "A. Een heel andere vraag?\nAntwoord"
    )

    parsed = parse_faq_text(text)

    assert messages(parsed) == [
        "vraag A: de vraag boven het antwoord wijkt af van de vraag in de inhoudsopgave "
        "(meer dan alleen spaties)"
    ]
    assert by_label(parsed)["A"].question == "Een heel andere vraag?"
    assert by_label(parsed)["A"].answer == "Antwoord een."


def test_question_without_answer_text_is_reported():
    text = TWO_QUESTIONS.replace("Antwoord een.\n", "")

    assert messages(parse_faq_text(text)) == ["vraag A heeft geen antwoordtekst"]


# Idempotence and robustness ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["zorgakkoord_faq.txt", "pagina_opmaak.txt", "fouten.txt"])
def test_parsing_the_same_text_twice_gives_equal_results(name):
    text = load(name)

    assert parse_faq_text(text) == parse_faq_text(text)


FRAGMENTS = [
    "A. Vraag?",
    "B. Nog een vraag?",
    " C. Vraag",
    "1. punt",
    "3.Punt",
    "1 Bron",
    "2 Bron 2019",
    "tekst1.",
    "SEH5 .",
    "(Comed ed) 21.",
    "regio-",
    "- 2 -",
    "\f",
    " ",
    "",
    "2025 en verder",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30).map(
        "\n".join
    )
)
def test_any_text_parses_without_error_and_the_same_way_twice(text):
    assert parse_faq_text(text) == parse_faq_text(text)
