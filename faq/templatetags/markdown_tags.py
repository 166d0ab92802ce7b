from django import template
from django.utils.safestring import mark_safe

from faq.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    # Safe to mark: render_markdown sanitises with nh3.
    return mark_safe(render_markdown(text or ""))
