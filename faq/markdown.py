"""Markdown to safe HTML: rendered with `markdown`, then cleaned with `nh3`.

Cleaning after rendering means no Markdown trick (raw HTML, javascript: links, event
attributes) survives: nh3 keeps only the tags and attributes listed here and safe URL schemes.
"""

from dataclasses import dataclass
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "div",
    "span",
    "abbr",
    "nav",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "li": {"id"},
    "sup": {"id"},
    "div": {"class"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
EXTENSIONS = ["footnotes", "tables", "sane_lists", "toc"]


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    toc: SafeString  # the headings as a nested list, for documents with sections


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_document(text: str, *, footnotes: list[str] = (), id_prefix: str = "") -> Rendered:
    """Render Markdown; `footnotes` are appended as definitions [^1], [^2], ... and every
    generated id gets `id_prefix`, so several documents can share one page.

    Kept per process by its inputs: FAQ pages are read far more often than they change, and
    rendering (a new Markdown converter with its extensions, then nh3) was the largest part of
    a FAQ page's CPU (bench --profile). A changed text is a new key, so nothing goes stale."""
    return _render(text, tuple(footnotes), id_prefix)


@lru_cache(maxsize=256)
def _render(text: str, footnotes: tuple[str, ...], id_prefix: str) -> Rendered:
    source = text
    if footnotes:
        source += "\n\n" + "\n".join(f"[^{n}]: {note}" for n, note in enumerate(footnotes, 1))
    converter = markdown_lib.Markdown(
        extensions=EXTENSIONS,
        extension_configs={"footnotes": {"SEPARATOR": "-"}, "toc": {"toc_depth": "2-3"}},
        output_format="html",
    )
    html = converter.convert(source)
    toc = converter.toc if "<li>" in converter.toc else ""
    if id_prefix:
        for attribute in ('id="', 'href="#'):
            for target in ("fn-", "fnref-"):
                html = html.replace(attribute + target, f"{attribute}{id_prefix}-{target}")
    return Rendered(html=mark_safe(_clean(html)), toc=mark_safe(_clean(toc)))


def render_markdown(text: str) -> SafeString:
    return render_document(text).html
