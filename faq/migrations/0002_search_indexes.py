"""GIN indexes for Dutch full-text search, on PostgreSQL only (SQLite searches in Python)."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from faq.search_index import paper_vector, question_vector

INDEXES = [
    ("Question", GinIndex(question_vector(), name="faq_question_search")),
    ("PositionPaper", GinIndex(paper_vector(), name="faq_paper_search")),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.add_index(apps.get_model("faq", model_name), index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.remove_index(apps.get_model("faq", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
