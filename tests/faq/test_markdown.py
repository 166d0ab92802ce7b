"""Markdown is rendered, then sanitised: no script, no event handlers, no unsafe links."""

import pytest

from faq.markdown import render_document, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    '<img src=x onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    '<form action="https://evil.example"><input name=x></form>',
    '![img](x" onerror="alert(1))',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_neutralised(attack):
    html = render_markdown(f"Tekst {attack} einde").lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<form",
        "style=",
        "data:text",
        "<svg",
    ):
        assert forbidden not in html, (attack, html)


def test_ordinary_markdown_survives():
    html = render_markdown("**vet** en [link](https://example.nl)\n\n- een\n- twee")
    assert "<strong>vet</strong>" in html
    assert 'href="https://example.nl"' in html and 'rel="noopener noreferrer"' in html
    assert "<li>een</li>" in html


def test_footnotes_render_as_real_footnotes():
    html = render_document("Zie hier.[^1]", footnotes=["Een bron."], id_prefix="q7").html
    assert 'href="#q7-fn-1"' in html and 'id="q7-fn-1"' in html
    assert 'class="footnote"' in html and "Een bron." in html
