"""import_faq: the association's FAQ text into the database, idempotent and all or nothing."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from faq.models import Question, Revision, Status

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "zorgakkoord_faq.txt"
BAD = FIXTURES / "fouten.txt"


def test_import_creates_published_questions_with_footnotes(capsys):
    call_command("import_faq", str(GOOD), "--topic", "Zorgakkoord")
    questions = list(Question.objects.filter(topic__name="Zorgakkoord").order_by("order"))
    assert [q.label for q in questions] == ["A", "B", "C", "D", "E", "F"]
    assert all(q.status == Status.PUBLISHED for q in questions)
    first = questions[0]
    assert "[^1]" in first.answer and len(first.footnote_list) == 3
    assert "6 nieuw" in capsys.readouterr().out


def test_importing_twice_changes_nothing(capsys):
    call_command("import_faq", str(GOOD))
    before = list(
        Question.objects.values_list("label", "question", "answer", "footnotes", "updated_at")
    )
    call_command("import_faq", str(GOOD))
    after = list(
        Question.objects.values_list("label", "question", "answer", "footnotes", "updated_at")
    )
    assert before == after
    assert "0 nieuw, 0 gewijzigd, 6 ongewijzigd" in capsys.readouterr().out
    assert Revision.objects.count() == 0


def test_changed_answer_updates_and_keeps_the_previous_version(tmp_path):
    call_command("import_faq", str(GOOD))
    changed = tmp_path / "faq.txt"
    text = GOOD.read_text(encoding="utf-8")
    changed.write_text(
        text.replace("een praktijk hoeft niets te doen", "een praktijk tekent niet"),
        encoding="utf-8",
    )
    call_command("import_faq", str(changed))
    question = Question.objects.get(label="B")
    assert "een praktijk tekent niet" in question.answer
    assert "een praktijk hoeft niets te doen" in Revision.objects.get().snapshot["answer"]


def test_dry_run_json_prints_parsed_questions_and_writes_nothing(capsys):
    call_command("import_faq", str(GOOD), "--dry-run", "--json")
    items = json.loads(capsys.readouterr().out)
    assert [item["label"] for item in items] == ["A", "B", "C", "D", "E", "F"]
    assert set(items[0]) == {"label", "question", "answer", "footnotes"}
    assert isinstance(items[0]["footnotes"], list) and len(items[0]["footnotes"]) == 3
    assert Question.objects.count() == 0


def test_file_with_problems_writes_nothing_and_fails(capsys):
    with pytest.raises(CommandError, match="niets geïmporteerd"):
        call_command("import_faq", str(BAD))
    assert Question.objects.count() == 0
    assert "regel" in capsys.readouterr().err


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "faq.txt"
    path.write_bytes(GOOD.read_text(encoding="utf-8").encode("cp1252", errors="replace") + b"\xff")
    with pytest.raises(CommandError):
        call_command("import_faq", str(path))
    assert Question.objects.count() == 0


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "faq.txt"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes())
    call_command("import_faq", str(path))
    assert Question.objects.count() == 6
