"""Markdown to safe HTML: rendered with `markdown`, then cleaned with `nh3`.

Cleaning after rendering means no Markdown trick (raw HTML, javascript: links) survives:
nh3 keeps only the tags and attributes listed here and safe URL schemes.
"""

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
    "sup", "sub", "div", "span", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "li": {"id"},
    "sup": {"id"},
    "div": {"class"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(text: str) -> str:
    html = markdown_lib.markdown(
        text, extensions=["footnotes", "tables", "sane_lists"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
