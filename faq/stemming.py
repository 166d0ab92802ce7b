"""Dutch stemming for the search on the embedded default (SQLite), where the database has
none: "ondertekenen" must find "ondertekent" and "ondertekend" (issue #16, item 10).

`snowballstemmer` (pure Python, the Snowball project's own generated code, no C build) holds
two Dutch stemmers: "dutch_porter" (the one PostgreSQL's `dutch` configuration uses, so both
backends agree where they can) and "dutch" (newer, better on plurals: "huisarts" and
"huisartsen" meet). A word's forms are both stems; two words match when they share a form, or
when one form is a prefix of the other's and at least MIN_PREFIX letters long (the stemmers
leave verb endings apart: "onderteken" / "ondertekent" / "ondertek").
"""

from functools import lru_cache

import snowballstemmer

MIN_PREFIX = 6
_STEMMERS = (snowballstemmer.stemmer("dutch_porter"), snowballstemmer.stemmer("dutch"))


@lru_cache(maxsize=20_000)
def forms(word: str) -> frozenset[str]:
    """The stems of one folded (lower-case, accent-free) word."""
    return frozenset(stemmer.stemWord(word) for stemmer in _STEMMERS)


def same_word(query_forms: frozenset[str], word_forms: frozenset[str]) -> bool:
    if query_forms & word_forms:
        return True
    for a in query_forms:
        for b in word_forms:
            short, long = (a, b) if len(a) <= len(b) else (b, a)
            if len(short) >= MIN_PREFIX and long.startswith(short):
                return True
    return False
