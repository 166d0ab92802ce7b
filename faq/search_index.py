"""The full-text expressions of the FAQ and the positions, shared by the PostgreSQL indexes
and the queries: Django compiles both from these objects, so the GIN index matches the query
expression exactly and PostgreSQL can use it."""

from django.contrib.postgres.search import SearchVector

SEARCH_CONFIG = "dutch"


def question_vector() -> SearchVector:
    return (
        SearchVector("question", weight="A", config=SEARCH_CONFIG)
        + SearchVector("answer", weight="B", config=SEARCH_CONFIG)
        + SearchVector("footnotes", weight="D", config=SEARCH_CONFIG)
    )


def paper_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        + SearchVector("organisation", weight="D", config=SEARCH_CONFIG)
    )
