"""One search over FAQ questions and position papers, for what this user may read.

PostgreSQL: Dutch full-text search (stemming, so "huisarts" finds "huisartsen"), ranked, with
highlighted snippets, served by the GIN indexes of migration 0002. SQLite (the embedded
default): every query word must occur in the text, compared without case and accents, as a
part of a word or as the same Dutch word in another form (faq.stemming: "ondertekenen" finds
"ondertekent"); the FAQ is hundreds of items, not millions, so this runs in Python. Snippets
are plain text: Markdown ("**", "[^1]") never shows in them.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from faq import stemming
from faq.markdown_text import plain_text, strip_inline
from faq.models import PositionPaper, Question
from faq.search_index import SEARCH_CONFIG, paper_vector, question_vector

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 30
# Snippet highlights are marked with control characters that cannot occur in the text, so the
# snippet can be HTML-escaped as a whole and only our <mark> tags are added afterwards.
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "question" or "paper"
    title: str
    url: str
    snippet: SafeString
    rank: float


def _printable(text: str) -> str:
    """Without control characters: PostgreSQL refuses NUL, and START/STOP are ours."""
    return "".join(char for char in text if char.isprintable() or char.isspace())


def search(query: str, *, user, limit: int = 20) -> list[SearchHit]:
    query = " ".join(_printable(query).split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    questions = Question.objects.visible_to(user).select_related("topic")
    papers = PositionPaper.objects.visible_to(user)
    if connection.vendor == "postgresql":
        hits = _postgres_hits(query, questions, papers, limit)
    else:
        hits = _python_hits(query, questions, papers)
    return sorted(hits, key=lambda hit: -hit.rank)[:limit]


def _highlighted(text: str) -> SafeString:
    """Escape everything, then turn our START/STOP markers into <mark> tags. (A stored text
    holding those control characters itself could unbalance a <mark> in a PostgreSQL
    headline: cosmetic, as everything else stays escaped.)"""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def _postgres_hits(query: str, questions, papers, limit: int) -> list[SearchHit]:
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    headline_options = {
        "config": SEARCH_CONFIG,
        "start_sel": START,
        "stop_sel": STOP,
        "max_words": SNIPPET_WORDS,
        "min_words": 12,
    }
    question_rows = (
        questions.annotate(vector=question_vector())
        .filter(vector=search_query)
        .annotate(
            rank=SearchRank(question_vector(), search_query),
            snippet=SearchHeadline("answer", search_query, **headline_options),
        )
        .order_by("-rank")[:limit]
    )
    paper_rows = (
        papers.annotate(vector=paper_vector())
        .filter(vector=search_query)
        .annotate(
            rank=SearchRank(paper_vector(), search_query),
            snippet=SearchHeadline("summary", search_query, **headline_options),
        )
        .order_by("-rank")[:limit]
    )
    hits = [
        SearchHit(
            "question",
            f"{q.label}. {q.question}",
            q.get_absolute_url(),
            _highlighted(strip_inline(q.snippet)),
            q.rank,
        )
        for q in question_rows
    ]
    hits += [
        SearchHit(
            "paper", p.title, p.get_absolute_url(), _highlighted(strip_inline(p.snippet)), p.rank
        )
        for p in paper_rows
    ]
    return hits


def fold(text: str) -> str:
    """Lower case without accents: "Patiënt" and "patient" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _python_hits(query: str, questions, papers) -> list[SearchHit]:
    words = [fold(word) for word in re.findall(r"\w+", query)]
    if not words:
        return []
    hits = []
    for question in questions:
        document = " ".join([question.question, question.answer, question.footnotes])
        rank = _python_rank(words, question.question, document)
        if rank:
            hits.append(
                SearchHit(
                    "question",
                    f"{question.label}. {question.question}",
                    question.get_absolute_url(),
                    _python_snippet(words, plain_text(question.answer)),
                    rank,
                )
            )
    for paper in papers:
        document = " ".join([paper.title, paper.summary, paper.body, paper.organisation])
        rank = _python_rank(words, paper.title, document)
        if rank:
            hits.append(
                SearchHit(
                    "paper",
                    paper.title,
                    paper.get_absolute_url(),
                    _python_snippet(words, plain_text(paper.summary)),
                    rank,
                )
            )
    return hits


def _matches(word: str, token: str) -> bool:
    """A query word meets a folded document word: as a part of it (as before: "huisarts"
    in "huisartsenpost"), or as the same Dutch word in another form (faq.stemming)."""
    return word in token or stemming.same_word(stemming.forms(word), stemming.forms(token))


def _python_rank(words: list[str], title: str, document: str) -> float:
    tokens = re.findall(r"\w+", fold(document))
    title_tokens = re.findall(r"\w+", fold(title))
    score = 0.0
    for word in words:
        found = sum(1 for token in tokens if _matches(word, token))
        if not found:
            return 0.0
        score += found + 3 * sum(1 for token in title_tokens if _matches(word, token))
    return score


def _python_snippet(words: list[str], text: str) -> SafeString:
    tokens = _printable(text).split()
    folded_tokens = [" ".join(re.findall(r"\w+", fold(token))) for token in tokens]

    def hit(folded: str) -> bool:
        return any(_matches(w, part) for w in words for part in folded.split())

    first = next((i for i, token in enumerate(folded_tokens) if hit(token)), 0)
    start = max(0, first - 8)
    window = tokens[start : start + SNIPPET_WORDS]
    marked = [
        f"{START}{token}{STOP}" if hit(folded) else token
        for token, folded in zip(window, folded_tokens[start : start + SNIPPET_WORDS], strict=True)
    ]
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return _highlighted(prefix + " ".join(marked) + suffix)
