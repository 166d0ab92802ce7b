"""The FAQ import under arbitrary text: the parser never raises, and the import either stores
exactly what was parsed or refuses with problems naming lines and stores nothing. Through
faq.faq_text, faq.faq_import and the import_faq command (arbitrary bytes too)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from faq.faq_import import FaqImportRejected, import_faq, parse_faq_file
from faq.faq_text import parse_faq_text
from faq.models import Question
from tests.abuse.helpers import db_state, fuzz_settings
from tests.abuse.strategies import NASTY
from tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

QUESTION_MAX = Question._meta.get_field("question").max_length

WORD = st.one_of(
    st.sampled_from(
        [
            "de",
            "het",
            "een",
            "huisarts",
            "regio",
            "akkoord",
            "zorg",
            "praktijk",
            "leden",
            "vereniging",
            "wat",
            "hoe",
            "waarom",
            "Kaderakkoord",
            "S3",
            "SEH",
            "75+'ers",
            "2026",
            "1,5",
            "H&W",
            "regio-",
            "(ALV)",
            "zie:",
            "nee.",
            "ja!",
        ]
    ),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8),
)
SENTENCE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
LETTER = st.sampled_from("ABCDEFG")
NUMBER = st.integers(1, 14).map(str)


def label_line(label):
    return st.builds(
        lambda q, mark: f"{label}. {q}{mark}", SENTENCE, st.sampled_from(["?", "", " ?"])
    )


# One line of FAQ-like text: every construct the parser has a heuristic for.
LINE = st.one_of(
    SENTENCE,
    SENTENCE.map(lambda s: " " + s),  # indented: a page's first line
    st.builds(lambda s, n: f"{s}{n}.", SENTENCE, NUMBER),  # a glued footnote marker
    st.builds(lambda s, n: f"{s} {n}.", SENTENCE, NUMBER),  # a spaced one
    st.builds(lambda n, s: f"{n} {s}", NUMBER, SENTENCE),  # a footnote definition
    st.builds(lambda n, s: f"{n}. {s}", NUMBER, SENTENCE),  # a list item or number label
    st.builds(lambda n, s: f"{n}.{s}", NUMBER, SENTENCE),  # "3.Without a space"
    LETTER.flatmap(label_line),
    NUMBER.flatmap(label_line),
    st.sampled_from(["", " ", "3", "- 3 -", "Pagina 2 van 7", "2/7", "p. 4", "\f", "\f "]),
    SENTENCE.map(lambda s: "\f" + s),
    SENTENCE.map(lambda s: s + "-"),  # "regio-" + "organisatie"
    SENTENCE.map(lambda s: s + "\u00ad"),
    NASTY,
)
FAQ_LIKE = st.lists(LINE, max_size=40).map("\n".join)


@st.composite
def well_formed_faqs(draw):
    """An index, then the same labels with answers (and footnotes): text that should import."""
    labels = draw(st.sampled_from(["letters", "numbers"]))
    count = draw(st.integers(1, 6))
    names = (
        list("ABCDEFG"[:count]) if labels == "letters" else [str(n) for n in range(1, count + 1)]
    )
    # Questions of one line, or long ones wrapped over several lines in the index.
    long_question = st.integers(380, 700).map(lambda n: ("een lange vraag " * n)[:n].strip())
    questions = {
        name: draw(
            st.one_of(st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join), long_question)
        )
        + "?"
        for name in names
    }
    lines = [draw(SENTENCE), ""]
    for name in names:
        words = f"{name}. {questions[name]}".split(" ")
        cut = draw(st.integers(2, max(2, len(words))))
        lines += [" ".join(words[:cut])] + ([" ".join(words[cut:])] if words[cut:] else [])
    lines.append("")
    footnote = 0
    definitions = []
    for name in names:
        lines.append(f"{name}. {questions[name]}")
        for _ in range(draw(st.integers(1, 3))):
            text = draw(SENTENCE)
            if draw(st.booleans()):
                footnote += 1
                text += f"{footnote}."
                definitions.append(f"{footnote} {draw(SENTENCE)}")
            lines.append(text)
        lines.append("")
    lines += definitions
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines)


def check_parsed(text: str):
    parsed = parse_faq_text(text)
    last_line = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for problem in parsed.problems:
        assert 0 <= problem.line <= last_line and problem.message.strip(), problem
    return parsed


def check_import(parsed) -> None:
    """Import in a savepoint that is rolled back: stored exactly as parsed, or refused."""
    with transaction.atomic():
        before = db_state()
        try:
            import_faq(parsed, topic_name="Abuse")
        except FaqImportRejected as rejected:
            too_long = any(len(q.question) > QUESTION_MAX for q in parsed.questions)
            assert (parsed.problems or too_long) and rejected.problems
            assert all(p.strip() for p in rejected.problems)
            assert db_state() == before
        else:
            assert not parsed.problems
            assert all(len(q.question) <= QUESTION_MAX for q in parsed.questions)
            stored = {
                label: (question, answer)
                for label, question, answer in Question.objects.filter(
                    topic__name="Abuse"
                ).values_list("label", "question", "answer")
            }
            for item in parsed.questions:
                assert stored[item.label] == (item.question, item.answer)
        transaction.set_rollback(True)


@pytest.fixture
def existing_faq():
    """An FAQ topic with the labels an import may update."""
    topic = TopicFactory(name="Abuse", slug="abuse")
    for label in "ABC":
        QuestionFactory(topic=topic, label=label)


def test_arbitrary_text_is_parsed_or_refused_never_raises(existing_faq):
    @fuzz_settings(150)
    @given(text=st.one_of(st.text(max_size=300), FAQ_LIKE))
    def run(text):
        check_import(check_parsed(text))

    run()


def test_well_formed_faqs_import_as_parsed(existing_faq):
    @fuzz_settings(60)
    @given(text=well_formed_faqs())
    def run(text):
        parsed = check_parsed(text)
        check_import(parsed)

    run()


def test_the_command_takes_arbitrary_bytes(existing_faq, tmp_path):
    path = tmp_path / "faq.txt"

    @fuzz_settings(50)
    @given(
        data=st.one_of(
            st.binary(max_size=500),
            FAQ_LIKE.map(lambda t: t.encode("utf-8")),
            well_formed_faqs().map(lambda t: t.encode("utf-8")),
            FAQ_LIKE.map(lambda t: t.encode("utf-16")),
            well_formed_faqs().map(lambda t: t.encode("cp1252", errors="replace")),
        ),
        dry_run=st.booleans(),
        as_json=st.booleans(),
    )
    def run(data, dry_run, as_json):
        path.write_bytes(data)
        options = {"dry_run": dry_run, "json": as_json, "topic": "Abuse"}
        with transaction.atomic():
            before = db_state()
            err = io.StringIO()
            try:
                call_command("import_faq", str(path), stdout=io.StringIO(), stderr=err, **options)
            except CommandError as refused:
                assert "niets geïmporteerd" in str(refused) and err.getvalue().strip()
                assert db_state() == before
            else:
                try:
                    parsed = parse_faq_file(data)
                except FaqImportRejected:
                    pytest.fail("the command accepted a file that does not decode")
                assert not parsed.problems
                assert all(len(q.question) <= QUESTION_MAX for q in parsed.questions)
            transaction.set_rollback(True)

    run()


def test_nul_and_overlong_questions_are_refused_not_a_database_error(existing_faq):
    """PostgreSQL refused both with a DataError; SQLite stored them."""
    long_question = "Is dit " + "een heel lange vraag " * 30 + "?"
    for text, expected in [
        ("Intro\n\nA. Vraag?\n\nA. Vraag?\nAntw\x00oord.\n", "regel 6: stuurteken U+0000"),
        (f"Intro\n\nA. {long_question}\n\nA. {long_question}\nJa.\n", "langer dan 400 tekens"),
    ]:
        before = db_state()
        with pytest.raises(FaqImportRejected) as rejected:
            import_faq(parse_faq_text(text), topic_name="Abuse")
        assert any(expected in problem for problem in rejected.value.problems), rejected.value
        assert db_state() == before
