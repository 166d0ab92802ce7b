"""Markdown as clean plain text: for search snippets and the text part of emails.

A snippet or a plain-text email showed the source ("**spoedzorg**", "[^1]:", issue #16).
The text is rendered by the one safe renderer (faq.markdown), then every tag is dropped, so
what remains is exactly what a reader of the page sees, minus layout.
"""

import html
import re

import nh3

from faq.markdown import render_markdown

FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\](?!:)")
FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:.*$", re.MULTILINE)
BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|tr|table|ul|ol|div)>|<br\s*/?>", re.I)


def plain_text(text: str, *, footnotes: bool = False) -> str:
    """The words of a Markdown text, paragraphs separated by a blank line; footnote
    references and (unless `footnotes`) their definitions left out."""
    if not footnotes:
        text = FOOTNOTE_DEF.sub("", text)
        text = FOOTNOTE_REF.sub("", text)
    rendered = str(render_markdown(text))
    rendered = BLOCK_END.sub(lambda m: m.group(0) + "\n\n", rendered)
    # "↩" is the footnote back-link: meaningless without the link.
    stripped = html.unescape(nh3.clean(rendered, tags=set())).replace("\u21a9", "")
    lines = [" ".join(line.split()) for line in stripped.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Inline Markdown in a fragment (a PostgreSQL headline is a cut-out, not a document).
_INLINE = [
    # A headline may cut through the footnote lines at the bottom: "[^1]: Bijlage 3".
    (re.compile(r"\[\^[^\]\s]+\]:?"), ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__|\*|`)"), ""),
    (re.compile(r"(^|\s)#{1,6}\s"), r"\1"),
    (re.compile(r"(^|\s)>\s"), r"\1"),
]


def strip_inline(fragment: str) -> str:
    for pattern, replacement in _INLINE:
        fragment = pattern.sub(replacement, fragment)
    return " ".join(fragment.split())
