"""Parse the association's FAQ text (text extracted from a PDF) into questions and answers.

Pure Python, no Django: the import command and the admin call `parse_faq_text` and store
nothing when it reports problems. The caller decodes the bytes (UTF-8, with or without BOM).

The format, as the PDF-to-text step leaves it::

     Intro line(s)
    A. First question?                    <- the index: every label once; a question may wrap,
    B. Second question that                  sometimes with blank lines inside the wrap
                                             (labels are a capital letter or a number + dot)
    goes on here?
    A. First question?                    <- the same labels again: the question (wrapped
    Answer text, hard-wrapped, with          again), then the answer
    footnote markers glued on: zorg)1. doen2.
    1. numbered list items, sometimes written 3.Without a space

    1 Footnote text from the bottom of the PDF page, in the middle of an answer,
    wrapping onto the next line
     next page (its first line is indented by one space)

Heuristics, because PDF text has no structure (each one is exercised by the tests):

- Index and answers: the index runs from the first label line until its first label comes
  back; that is where the answers start (if it never comes back: the first repeated label).
  With letter labels every "X. " line in the answers starts a question; with number labels
  only a line whose text matches that label's question in the index (so answer lists such as
  "1. ..." stay lists).
- The question above an answer ends where its text (ignoring whitespace) equals the index
  question; if it differs that is reported, and the question is taken up to the first line
  ending in "?".
- Footnote definitions: a line at column 0 reading "<number> <text>", where the number is the
  next footnote number (up to 3 may be skipped when that number occurs as a possible marker
  in the text before). A definition block starts after a blank line, a page artefact or another
  definition; its next lines are continuation text until the body resumes: an indented line
  (pdftotext indents a page's first line), a form feed, a page number, a label line or a
  numbered list item.
- Footnote markers: footnote n is the first number n, glued to a word or punctuation, after
  marker n-1 and before definition n. Markers glued to a lower-case letter or punctuation win
  over ones glued to a capital ("S3" is a funding segment, "SEH5" a marker); "text 21." with a
  space is accepted only when nothing glued is found. Years, "75+'ers", "H&W 5897" and
  decimals ("1,5") never match because their number is not the one the sequence expects.
- Paragraphs: a blank line separates paragraphs, except next to a page break or a removed
  footnote block, where the lines are joined unless the first ends a sentence and the next
  does not start in lower case. "1. " lines start a list item when they continue the
  numbering (1, or the previous item + 1). A line ending in "-" after a letter is joined
  without a space ("regio-" + "organisatie").
- Page artefacts: lines with only a page number ("3", "- 3 -", "Pagina 3 van 7", "3/7") and,
  when the text has form feeds, a line that opens or closes two or more pages identically
  (running header or footer, digits ignored).
"""

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedQuestion:
    label: str  # "A"
    question: str  # one line, whitespace normalised
    answer: str  # Markdown with footnote references [^1], [^2], ... numbered per question
    footnotes: list[str]  # footnotes[i] is the text of [^i+1]


@dataclass(frozen=True)
class FaqTextProblem:
    line: int  # 1-based line in the file, 0 if not about one line
    message: str  # Dutch, shown to the operator


@dataclass
class ParsedFaq:
    intro: str
    questions: list[ParsedQuestion]
    problems: list[FaqTextProblem]


LABEL_RE = re.compile(r"\s*(?P<label>[A-Z]|\d{1,3})\.(?:\s+(?P<rest>.*))?$")
LIST_ITEM_RE = re.compile(r"\s*(?P<number>\d{1,2})\.(?!\d)\s*(?P<rest>\S.*)$")
DEFINITION_RE = re.compile(r"(?P<number>\d{1,3})(?!\d)\s+(?P<rest>\S.*)$")
PAGE_NUMBER_RE = re.compile(
    r"\d{1,3}|[-\u2013\u2014]\s*\d{1,3}\s*[-\u2013\u2014]|\d{1,3}\s*(?:/|van|of)\s*\d{1,3}"
    r"|(?:pagina|page|blz\.?|p\.)\s*\d{1,3}(?:\s*(?:/|van|of)\s*\d{1,3})?",
    re.IGNORECASE,
)
# A marker glued to a letter or to punctuation, not part of a longer number or a decimal
# ("1,5"), not followed by a letter ("H2O").
GLUED_MARKER_RE = re.compile(
    r"(?:(?<=[^\W\d_])|(?<=[)\]\u201d\u2019\"'.,:;!?%]))(?<!\d[.,])(?P<number>\d{1,3})(?!\d)(?![^\W\d_])"
)
# "(Comed ed) 21." : a marker after a space, only before punctuation or at the end of a line.
SPACED_MARKER_RE = re.compile(r"(?<=[^\s\d] )(?P<number>\d{1,3})(?!\d)(?=[.,;:]?\s*$|[.,;:]\s)")
LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"}
MAX_SKIPPED_FOOTNOTES = 3
MAX_FALLBACK_QUESTION_LINES = 4

TEXT, BLANK, ARTEFACT, FOOTNOTE = "text", "blank", "artefact", "footnote"
# How a piece of answer text is separated from the one before it.
JOINED, PARAGRAPH, PAGE_BREAK = "joined", "paragraph", "page_break"
GLUED, GLUED_TO_CAPITAL, SPACED = 0, 1, 2  # marker candidates, best first


def parse_faq_text(text: str) -> ParsedFaq:
    """Split the FAQ text into intro, questions (Markdown answers, footnotes per question) and
    problems. Any problem means the text is not to be imported as it is."""
    lines = _read_lines(text)
    if not any(line.kind == TEXT for line in lines):
        return ParsedFaq("", [], [FaqTextProblem(0, "het bestand is leeg")])
    # NUL and other control characters are no text (PostgreSQL cannot even store NUL: the
    # import failed with a DataError, found by tests/abuse).
    problems = _control_characters(lines)
    _mark_page_artefacts(lines)
    definitions = _find_footnote_definitions(lines)
    index = _read_index(lines)
    if index is None:
        message = "geen inhoudsopgave gevonden: geen regel begint met een label als 'A.' of '1.'"
        return ParsedFaq(_markdown(_pieces(lines)), [], [FaqTextProblem(0, message), *problems])

    problems += index.problems
    answers = _read_answers(lines, index, problems)
    markers = _place_markers(answers, definitions, problems)

    questions = []
    for answer in answers:
        if answer.duplicate:
            continue
        text, footnotes = _render_answer(answer, markers, definitions)
        if not text:
            problems.append(
                FaqTextProblem(answer.line, f"vraag {answer.label} heeft geen antwoordtekst")
            )
        questions.append(ParsedQuestion(answer.label, answer.question, text, footnotes))
    problems.sort(key=lambda problem: problem.line)
    intro = _markdown(_pieces(lines[: index.first_line]))
    return ParsedFaq(intro, questions, problems)


# Lines ------------------------------------------------------------------------------------


@dataclass
class _Line:
    number: int  # 1-based
    text: str  # without form feeds and trailing whitespace, leading whitespace kept
    page_start: bool  # a form feed began this line
    kind: str

    @property
    def indented(self) -> bool:
        return self.text[:1].isspace()

    @property
    def content(self) -> str:
        return " ".join(self.text.split())


def _read_lines(text: str) -> list[_Line]:
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    lines = []
    # Not str.splitlines(): that also splits on form feeds, and line numbers must match an
    # editor's.
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        cleaned = raw.replace("\f", "").replace("\v", " ").rstrip()
        kind = TEXT if cleaned.strip() else BLANK
        lines.append(_Line(number, cleaned, "\f" in raw, kind))
    return lines


def _control_characters(lines: list[_Line]) -> list[FaqTextProblem]:
    problems = []
    for line in lines:
        found = next((c for c in line.text if c != "\t" and unicodedata.category(c) == "Cc"), None)
        if found is not None:
            message = f"stuurteken U+{ord(found):04X} in de tekst (geen leesbare tekst)"
            problems.append(FaqTextProblem(line.number, message))
    return problems


def _mark_page_artefacts(lines: list[_Line]) -> None:
    for line in lines:
        if line.kind == TEXT and PAGE_NUMBER_RE.fullmatch(line.content):
            line.kind = ARTEFACT
    page_starts = [0] + [i for i, line in enumerate(lines) if line.page_start and i > 0]
    if len(page_starts) < 2:
        return
    firsts: dict[str, list[_Line]] = {}
    lasts: dict[str, list[_Line]] = {}
    for start, end in zip(page_starts, [*page_starts[1:], len(lines)], strict=True):
        texts = [line for line in lines[start:end] if line.kind == TEXT]
        for candidate, seen in ((texts[:1], firsts), (texts[-1:], lasts)):
            if candidate and _may_be_running_head(candidate[0]):
                seen.setdefault(re.sub(r"\d+", "#", candidate[0].content), []).append(candidate[0])
    for group in (*firsts.values(), *lasts.values()):
        if len(group) >= 2:
            for line in group:
                line.kind = ARTEFACT


def _may_be_running_head(line: _Line) -> bool:
    return len(line.content) <= 80 and not (
        DEFINITION_RE.match(line.text) or LABEL_RE.match(line.text) or LIST_ITEM_RE.match(line.text)
    )


def _join(parts: list[str]) -> str:
    """Join hard-wrapped lines into one, normalising whitespace."""
    joined = ""
    for part in parts:
        part = " ".join(part.split())
        if not part:
            continue
        if not joined:
            joined = part
        elif joined.endswith("\u00ad"):  # soft hyphen: the word was split
            joined = joined[:-1] + part
        elif joined.endswith("-") and joined[-2:-1].isalnum():  # "regio-" + "organisatie"
            joined += part
        else:
            joined += " " + part
    return joined


def _compact(text: str) -> str:
    return "".join(text.split())


def _label_kind(label: str) -> str:
    return "letter" if label.isalpha() else "number"


def _label_key(label: str) -> int:
    return ord(label) if label.isalpha() else int(label)


def _label_on(line: _Line, kind: str | None = None) -> tuple[str, str] | None:
    if line.kind != TEXT or not (match := LABEL_RE.match(line.text)):
        return None
    if kind is not None and _label_kind(match["label"]) != kind:
        return None
    return match["label"], match["rest"] or ""


# Footnote definitions ---------------------------------------------------------------------


@dataclass
class _Definition:
    number: int
    line: int
    parts: list[str]

    @property
    def text(self) -> str:
        return _join(self.parts)


def _find_footnote_definitions(lines: list[_Line]) -> dict[int, _Definition]:
    """Mark footnote definition lines (kind FOOTNOTE) and return them by number."""
    definitions: dict[int, _Definition] = {}
    expected = 1
    current: _Definition | None = None
    after_gap = True  # a blank line, page artefact or the start of the file came just before
    numbers_in_text: set[int] = set()
    for line in lines:
        if line.kind != TEXT:
            after_gap = True
            if line.kind == ARTEFACT:  # a page number or header: the page, and block, ended
                current = None
            continue
        number = _definition_number(line)
        skips_plausibly = (
            number is not None
            and expected < number <= expected + MAX_SKIPPED_FOOTNOTES
            and number in numbers_in_text
        )
        if (
            number is not None
            and (current is not None or after_gap)
            and (number == expected or skips_plausibly)
        ):
            current = _Definition(number, line.number, [DEFINITION_RE.match(line.text)["rest"]])
            definitions[number] = current
            expected = number + 1
            line.kind = FOOTNOTE
        elif current is not None and not _resumes_body(line):
            current.parts.append(line.content)
            line.kind = FOOTNOTE
        else:
            current = None
            numbers_in_text.update(candidate[2] for candidate in _marker_candidates(line.text))
        after_gap = False
    return definitions


def _definition_number(line: _Line) -> int | None:
    if line.indented or not (match := DEFINITION_RE.match(line.text)):
        return None
    return int(match["number"])


def _resumes_body(line: _Line) -> bool:
    return bool(
        line.indented
        or line.page_start
        or LABEL_RE.match(line.text)
        or LIST_ITEM_RE.match(line.text)
    )


# Index ------------------------------------------------------------------------------------


@dataclass
class _IndexEntry:
    label: str
    line: int
    parts: list[str]

    @property
    def question(self) -> str:
        return _join(self.parts)


@dataclass
class _Index:
    first_line: int  # position in the line list of the first label
    kind: str  # "letter" or "number"
    entries: list[_IndexEntry]
    answers_start: int | None  # position of the first answer's label line
    problems: list[FaqTextProblem]

    def question_of(self, label: str) -> str | None:
        return next((entry.question for entry in self.entries if entry.label == label), None)

    def position_of(self, label: str) -> int | None:
        return next((i for i, entry in enumerate(self.entries) if entry.label == label), None)


def _read_index(lines: list[_Line]) -> _Index | None:
    first = next((i for i, line in enumerate(lines) if _label_on(line)), None)
    if first is None:
        return None
    kind = _label_kind(_label_on(lines[first])[0])
    entries: list[_IndexEntry] = []
    seen: set[str] = set()
    answers_start = first_repeat = None
    for i in range(first, len(lines)):
        found = _label_on(lines[i], kind)
        if found:
            label, rest = found
            if entries and label == entries[0].label:
                answers_start = i
                break
            if label in seen and first_repeat is None:
                first_repeat = (i, len(entries))
            seen.add(label)
            entries.append(_IndexEntry(label, lines[i].number, [rest]))
        elif lines[i].kind == TEXT and entries:
            entries[-1].parts.append(lines[i].content)
    problems = []
    if answers_start is None and first_repeat is not None:
        # The first question has no answer: the answers start at the first label seen twice.
        answers_start, count = first_repeat
        entries = entries[:count]
    if answers_start is None:
        message = (
            f"geen antwoorden gevonden: na de inhoudsopgave komt label {entries[0].label} "
            "niet opnieuw voor"
        )
        problems.append(FaqTextProblem(0, message))
    previous: _IndexEntry | None = None
    labels: dict[str, int] = {}
    for entry in entries:
        if entry.label in labels:
            message = (
                f"label {entry.label} staat twee keer in de inhoudsopgave "
                f"(eerder op regel {labels[entry.label]})"
            )
            problems.append(FaqTextProblem(entry.line, message))
        elif previous and _label_key(entry.label) < _label_key(previous.label):
            message = (
                f"label {entry.label} staat in de inhoudsopgave na {previous.label}: "
                "de volgorde klopt niet"
            )
            problems.append(FaqTextProblem(entry.line, message))
        labels.setdefault(entry.label, entry.line)
        previous = entry
    return _Index(first, kind, entries, answers_start, problems)


# Answers ----------------------------------------------------------------------------------


@dataclass
class _Piece:
    """One line of answer text (or the rest of a line after the question)."""

    line: int
    text: str
    gap: str  # JOINED, PARAGRAPH or PAGE_BREAK: what separates it from the previous piece


@dataclass
class _Answer:
    label: str
    line: int
    question: str
    pieces: list[_Piece]
    duplicate: bool = False
    first_piece: int = 0  # position of pieces[0] among all answers' pieces


def _read_answers(
    lines: list[_Line], index: _Index, problems: list[FaqTextProblem]
) -> list[_Answer]:
    starts = []
    if index.answers_start is not None:
        for i in range(index.answers_start, len(lines)):
            found = _label_on(lines[i], index.kind)
            if found and (index.kind == "letter" or _opens_known_question(lines, i, index)):
                starts.append(i)
    answers: list[_Answer] = []
    seen: dict[str, int] = {}
    last_position = -1
    ends = [*starts[1:], len(lines)] if starts else []
    for start, end in zip(starts, ends, strict=True):
        label, rest = _label_on(lines[start])
        line_number = lines[start].number
        index_question = index.question_of(label)
        question, body_start, head = _take_question(
            lines[start], rest, lines[start + 1 : end], index_question
        )
        if question is None:
            question, body_start = _fallback_question(rest, lines[start + 1 : end])
            question = question or index_question or ""
            if index_question is not None:
                message = (
                    f"vraag {label}: de vraag boven het antwoord wijkt af van de vraag in de "
                    "inhoudsopgave (meer dan alleen spaties)"
                )
                problems.append(FaqTextProblem(line_number, message))
        pieces = ([head] if head else []) + _pieces(lines[start + 1 + body_start : end])
        answer = _Answer(label, line_number, question, pieces)
        position = index.position_of(label)
        if position is None:
            message = f"vraag {label} heeft een antwoord maar staat niet in de inhoudsopgave"
            problems.append(FaqTextProblem(line_number, message))
        elif label in seen:
            answer.duplicate = True
            message = f"vraag {label} heeft twee antwoorden (eerder op regel {seen[label]})"
            problems.append(FaqTextProblem(line_number, message))
        elif position < last_position:
            message = (
                f"het antwoord op vraag {label} staat niet in de volgorde van de inhoudsopgave"
            )
            problems.append(FaqTextProblem(line_number, message))
        if position is not None:
            last_position = max(last_position, position)
        seen.setdefault(label, line_number)
        answers.append(answer)
    for entry in index.entries:
        if entry.label not in seen and index.answers_start is not None:
            message = f"vraag {entry.label} staat in de inhoudsopgave maar heeft geen antwoord"
            problems.append(FaqTextProblem(entry.line, message))
    position = 0
    for answer in answers:
        answer.first_piece = position
        position += len(answer.pieces)
    return answers


def _opens_known_question(lines: list[_Line], i: int, index: _Index) -> bool:
    """For number labels: does line i start the question the index has under that number?"""
    label, rest = _label_on(lines[i])
    known = index.question_of(label)
    if not known:
        return False
    if not rest:
        rest = next((line.content for line in lines[i + 1 :] if line.kind == TEXT), "")
    start, whole = _compact(rest), _compact(known)
    return bool(start) and (whole.startswith(start) or start.startswith(whole))


def _take_question(
    label_line: _Line, rest: str, region: list[_Line], index_question: str | None
) -> tuple[str | None, int, _Piece | None]:
    """Read the question text above the answer until it equals the index question.

    Returns (question, lines of `region` it used, the rest of its last line if the answer
    starts on that line), or question None when the text does not match the index."""
    target = _compact(index_question or "")
    if not target:
        return None, 0, None
    parts = [rest]
    done = _compact(rest)
    source = label_line
    used = 0
    while True:
        if done == target:
            return _join(parts), used, None
        if done.startswith(target):  # the answer starts on the question's last line
            head, tail = _split_after_characters(
                parts[-1], len(target) - len(_compact(" ".join(parts[:-1])))
            )
            parts[-1] = head
            return _join(parts), used, _Piece(source.number, tail, JOINED)
        if not target.startswith(done):
            return None, 0, None
        following = next((j for j in range(used, len(region)) if region[j].kind == TEXT), None)
        if following is None:
            return None, 0, None
        source = region[following]
        parts.append(source.text)
        done += _compact(source.text)
        used = following + 1


def _split_after_characters(text: str, count: int) -> tuple[str, str]:
    """Split `text` after its first `count` non-whitespace characters."""
    seen = 0
    for position, character in enumerate(text):
        if seen == count:
            return text[:position], text[position:]
        if not character.isspace():
            seen += 1
    return text, ""


def _fallback_question(rest: str, region: list[_Line]) -> tuple[str, int]:
    """Without a matching index question: the label line, and the lines below it up to the
    first one ending in "?" (not past a blank line). Returns (question, lines of `region`
    used)."""
    parts = [rest]
    if not rest.rstrip().endswith("?"):
        for line in region[:MAX_FALLBACK_QUESTION_LINES]:
            if line.kind != TEXT:
                break
            parts.append(line.text)
            if line.text.rstrip().endswith("?"):
                return _join(parts), len(parts) - 1
    return _join([rest]), 0


def _pieces(lines: list[_Line]) -> list[_Piece]:
    pieces = []
    blank = page_break = False
    for line in lines:
        if line.kind == BLANK:
            blank = True
        elif line.kind in (ARTEFACT, FOOTNOTE):
            page_break = True
        elif line.kind == TEXT:
            if page_break or line.page_start or line.indented:
                gap = PAGE_BREAK
            else:
                gap = PARAGRAPH if blank else JOINED
            pieces.append(_Piece(line.number, line.text, gap))
            blank = page_break = False
    return pieces


# Footnote markers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Marker:
    piece: int  # position among all answers' pieces
    start: int
    end: int
    number: int  # the footnote number in the file
    line: int


def _marker_candidates(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, number, quality) of every number that could be a footnote marker."""
    found = []
    for match in GLUED_MARKER_RE.finditer(text):
        before = text[match.start() - 1]
        quality = GLUED_TO_CAPITAL if before.isupper() else GLUED
        found.append((match.start(), match.end(), int(match["number"]), quality))
    for match in SPACED_MARKER_RE.finditer(text):
        found.append((match.start(), match.end(), int(match["number"]), SPACED))
    return found


def _place_markers(
    answers: list[_Answer], definitions: dict[int, _Definition], problems: list[FaqTextProblem]
) -> dict[int, list[_Marker]]:
    """Find footnote n's marker: the best candidate numbered n after marker n-1 and before
    definition n. Returns the markers by piece position."""
    candidates: list[tuple[_Marker, int]] = []
    for answer in answers:
        for offset, piece in enumerate(answer.pieces):
            for start, end, number, quality in _marker_candidates(piece.text):
                marker = _Marker(answer.first_piece + offset, start, end, number, piece.line)
                candidates.append((marker, quality))
    candidates.sort(key=lambda pair: (pair[0].piece, pair[0].start))

    placed: dict[int, _Marker] = {}
    after = (-1, -1)

    def best(number: int, before_line: int | None, qualities: tuple[int, ...]) -> _Marker | None:
        eligible = [
            (marker, quality)
            for marker, quality in candidates
            if marker.number == number
            and (marker.piece, marker.start) > after
            and (before_line is None or marker.line < before_line)
        ]
        for wanted in qualities:
            for marker, quality in eligible:
                if quality == wanted:
                    return marker
        return None

    last_defined = max(definitions, default=0)
    for number in range(1, last_defined + 1):
        limit = min((d.line for n, d in definitions.items() if n >= number), default=None)
        if marker := best(number, limit, (GLUED, GLUED_TO_CAPITAL, SPACED)):
            placed[number] = marker
            after = (marker.piece, marker.start)
    # Markers after the last definition have no definition; only trust clearly glued ones.
    number = last_defined + 1
    while marker := best(number, None, (GLUED,)):
        placed[number] = marker
        after = (marker.piece, marker.start)
        number += 1

    for number, definition in definitions.items():
        if number not in placed:
            message = f"voetnoot {number} wordt in geen enkel antwoord genoemd"
            problems.append(FaqTextProblem(definition.line, message))
    by_piece: dict[int, list[_Marker]] = {}
    for number, marker in placed.items():
        if number not in definitions:
            owner = next(a for a in reversed(answers) if a.first_piece <= marker.piece)
            message = (
                f"voetnootverwijzing {number} bij vraag {owner.label} heeft geen voetnoottekst"
            )
            problems.append(FaqTextProblem(marker.line, message))
        else:
            by_piece.setdefault(marker.piece, []).append(marker)
    return by_piece


# Markdown ---------------------------------------------------------------------------------


@dataclass
class _Block:
    item: int | None  # the list item number, None for a paragraph
    parts: list[str] = field(default_factory=list)


def _render_answer(
    answer: _Answer, markers: dict[int, list[_Marker]], definitions: dict[int, _Definition]
) -> tuple[str, list[str]]:
    local: dict[int, int] = {}  # file footnote number -> number within this answer
    pieces = []
    for offset, piece in enumerate(answer.pieces):
        text = piece.text
        here = sorted(markers.get(answer.first_piece + offset, []), key=lambda m: m.start)
        for marker in here:
            local.setdefault(marker.number, len(local) + 1)
        for marker in reversed(here):
            text = f"{text[: marker.start]}[^{local[marker.number]}]{text[marker.end :]}"
        pieces.append(_Piece(piece.line, text, piece.gap))
    footnotes = [definitions[number].text for number in local]
    return _markdown(pieces), footnotes


def _markdown(pieces: list[_Piece]) -> str:
    blocks: list[_Block] = []
    last_item = 0
    for piece in pieces:
        item = LIST_ITEM_RE.match(piece.text)
        if item and int(item["number"]) in (1, last_item + 1):
            last_item = int(item["number"])
            blocks.append(_Block(last_item, [item["rest"]]))
        elif (
            not blocks
            or piece.gap == PARAGRAPH
            or (piece.gap == PAGE_BREAK and _ends_paragraph(blocks[-1].parts[-1], piece.text))
        ):
            blocks.append(_Block(None, [piece.text]))
        else:
            blocks[-1].parts.append(piece.text)
    markdown = ""
    previous: _Block | None = None
    for block in blocks:
        text = _tidy_references(_join(block.parts))
        text = f"{block.item}. {text}" if block.item is not None else _escape_block_start(text)
        if previous is not None:
            both_items = previous.item is not None and block.item is not None
            markdown += "\n" if both_items else "\n\n"
        markdown += text
        previous = block
    return markdown


def _ends_paragraph(previous: str, following: str) -> bool:
    """Across a page break: does the text before end a paragraph? Only if it ends a sentence
    and the text after does not go on in lower case."""
    if not previous.rstrip().rstrip("\u201d\u2019\"')\u00bb]").endswith((".", "!", "?", ":")):
        return False
    first = next((c for c in following if c.isalnum()), "")
    return not first.islower()


def _tidy_references(text: str) -> str:
    text = re.sub(r"\s+(\[\^\d+\])", r"\1", text)  # "(Comed ed) [^1]" -> "(Comed ed)[^1]"
    return re.sub(r"(\[\^\d+\])\s+(?=[.,;:](?:\s|$))", r"\1", text)  # "SEH[^1] ." -> "SEH[^1]."


def _escape_block_start(text: str) -> str:
    """Keep a paragraph from turning into a heading, quote or list in Markdown."""
    if number := re.match(r"\d+(?=[.)]\s)", text):
        return f"{number.group()}\\{text[number.end() :]}"
    if re.match(r"#|>|[-*+]\s", text):
        return "\\" + text
    return text
