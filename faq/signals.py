"""What retires the cached FAQ question bodies (faq.page_cache): any saved or deleted question,
topic, position paper or revision, and any change to a question's related papers. Nothing in
the project changes these through queryset.update() or bulk_create(), which send no signal."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from faq import page_cache
from faq.models import PositionPaper, Question, Revision, Topic


def _changed(sender, **kwargs) -> None:
    page_cache.changed()


def connect() -> None:
    for model in (Question, Topic, PositionPaper, Revision):
        post_save.connect(_changed, sender=model, dispatch_uid=f"faq-pages-save-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"faq-pages-delete-{model.__name__}"
        )
    m2m_changed.connect(
        _changed, sender=Question.related_papers.through, dispatch_uid="faq-pages-related-papers"
    )
