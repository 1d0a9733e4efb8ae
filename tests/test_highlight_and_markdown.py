"""Server-built highlights (overlaps included) and the Markdown → safe HTML pipeline."""

import re

from provisions.highlight import highlight
from provisions.rendering import as_safe_html, render_markdown

TEXT = "States shall adopt measures under domestic law to establish powers."


def test_no_spans_is_just_escaped_text():
    assert highlight("a < b & c", []) == "a &lt; b &amp; c"


def test_single_highlight_links_to_its_note_and_has_an_anchor():
    start = TEXT.index("domestic law")
    html = highlight(TEXT, [(start, start + len("domestic law"), 7)])
    assert '<span class="hl-anchor" id="hl-7"></span>' in html
    assert '<mark class="hl" data-annotations="7"><a href="#annotation-7"' in html
    assert re.sub(r"<[^>]+>", "", html) == TEXT  # only tags were added, never characters


def test_overlapping_highlights_split_into_pieces_that_never_nest():
    a = TEXT.index("measures under domestic")
    b = TEXT.index("domestic law to")
    html = highlight(
        TEXT, [(a, a + len("measures under domestic"), 1), (b, b + len("domestic law to"), 2)]
    )
    marks = re.findall(r'<mark class="([^"]+)" data-annotations="([^"]+)">', html)
    assert marks == [("hl", "1"), ("hl hl-overlap", "1 2"), ("hl", "2")]
    assert re.findall(r"<(/?)mark", html) == ["", "/"] * 3  # marks never nest
    assert re.sub(r"<[^>]+>", "", html) == TEXT


def test_nested_and_identical_spans():
    html = highlight(TEXT, [(0, 20, 1), (5, 10, 2), (5, 10, 3)])
    assert 'data-annotations="1 2 3"' in html
    assert re.sub(r"<[^>]+>", "", html) == TEXT


def test_spans_outside_the_text_are_ignored():
    assert highlight("short", [(2, 99, 1), (-1, 2, 2), (3, 3, 4)]) == "short"


def test_text_inside_highlights_is_escaped():
    text = "<script>alert(1)</script> here"
    html = highlight(text, [(0, 8, 1)])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "# Title\n\n**bold** [ok](https://example.org) [bad](javascript:alert(1)) "
        "![img](https://evil.example/x.png) <b onclick=x>raw</b>"
    )
    assert "<h3>Title</h3>" in html  # no h1 inside a page
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert "<img" not in html and "onclick" not in html.split("&lt;b onclick")[0]
    assert "&lt;b onclick=x&gt;" in html  # raw HTML shows as text


def test_stored_html_is_sanitised_again_on_output():
    dirty = '<p hx-get="/x" style="color:red" onclick="x()">hi<script>bad()</script></p>'
    assert as_safe_html(dirty) == "<p>hi</p>"
