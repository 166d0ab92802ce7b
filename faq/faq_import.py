"""Importing the association's FAQ text into the database: create or update by label.

The text is parsed by faq.faq_text (no database there). Importing the same file twice changes
nothing; a changed answer of a published question keeps its previous version (revisions).
A file with any problem (an index entry without answer, an unknown footnote, ...) writes
nothing.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from faq.faq_text import ParsedFaq, parse_faq_text
from faq.models import Question, Status, Topic, Visibility
from faq.revisions import save_with_revision

DEFAULT_TOPIC = "Veelgestelde vragen"


class FaqImportRejected(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class FaqImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} nieuw, {len(self.updated)} gewijzigd, "
            f"{len(self.unchanged)} ongewijzigd"
        )


def decode_faq_file(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Lines end in \n, \r\n or (old Mac Excel) \r, as the reader counts them; counting
        # \n alone named line 1 for every line of a \r file (found by tests/abuse).
        line = len(re.findall(rb"\r\n|\r|\n", data[: exc.start])) + 1
        raise FaqImportRejected([f"regel {line}: het bestand is geen UTF-8"]) from exc


def parse_faq_file(data: bytes) -> ParsedFaq:
    return parse_faq_text(decode_faq_file(data))


def import_faq(parsed: ParsedFaq, *, topic_name: str = DEFAULT_TOPIC, dry_run: bool = False):
    """Create or update the parsed questions under `topic_name`. With `dry_run`, report what
    would change and write nothing. Raises FaqImportRejected if the file has problems."""
    limit = Question._meta.get_field("question").max_length
    # Checked here, not left to the database: PostgreSQL refused a longer question with a
    # DataError, and SQLite stored it regardless (found by tests/abuse).
    too_long = [
        f"vraag {item.label} is langer dan {limit} tekens ({len(item.question)})"
        for item in parsed.questions
        if len(item.question) > limit
    ]
    if parsed.problems or too_long:
        raise FaqImportRejected(
            [f"regel {p.line}: {p.message}" if p.line else p.message for p in parsed.problems]
            + too_long
        )
    report = FaqImportReport()
    with transaction.atomic():
        topic = Topic.objects.filter(name=topic_name).first()
        existing = {q.label: q for q in topic.questions.all()} if topic else {}
        for order, item in enumerate(parsed.questions):
            fields = {
                "question": item.question,
                "answer": item.answer,
                "footnotes": "\n".join(item.footnotes),
            }
            current = existing.get(item.label)
            if current is None:
                report.created.append(item.label)
            elif any(getattr(current, name) != value for name, value in fields.items()):
                report.updated.append(item.label)
            else:
                report.unchanged.append(item.label)
                continue
            if dry_run:
                continue
            if topic is None:
                topic = Topic.objects.create(name=topic_name, slug=_free_slug(topic_name))
            if current is None:
                Question.objects.create(
                    topic=topic,
                    label=item.label,
                    order=order,
                    status=Status.PUBLISHED,
                    visibility=Visibility.PUBLIC,
                    **fields,
                )
            else:
                for name, value in fields.items():
                    setattr(current, name, value)
                save_with_revision(current, note="import")
    return report


def _free_slug(name: str) -> str:
    base = slugify(name) or "faq"
    slug, n = base, 1
    while Topic.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
