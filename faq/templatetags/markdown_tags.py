from django import template
from django.utils.safestring import SafeString

from faq.markdown import render_document, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Markdown to sanitised HTML (nh3 runs inside render_markdown)."""
    return render_markdown(text or "")


@register.simple_tag
def render_answer(question) -> SafeString:
    """A FAQ answer with its footnotes, ids prefixed so many answers can share a page."""
    return render_document(
        question.answer, footnotes=question.footnote_list, id_prefix=f"q{question.pk}"
    ).html


@register.simple_tag
def render_paper(paper):
    """A position paper's body and its table of contents (from its ## sections)."""
    return render_document(paper.body, id_prefix=f"p{paper.pk}")
