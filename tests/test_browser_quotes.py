"""A reader sees where a quote comes from, on a wide screen and on a phone (issue 17): a note
quoting our editorial summary shows a labelled box in the page's sans-serif type, one quoting
the official text a serif block quote captioned with the version. Screenshots land in
test-artifacts/ (quote-summary-*.png, quote-official-*.png)."""

import os

import pytest

from tests.helpers import (
    OFFICIAL_WORDS,
    SUMMARY_WORDS,
    import_sample,
    make_member,
    published_quote,
    watch_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_permalinks_show_the_source_of_a_quote(seeded, live_server, page, artifacts_dir):
    analyst = make_member("alice", "Analysts", "Alice Analyst")
    editor = make_member("erin", "Editors", "Erin Editor")
    summary = published_quote(
        analyst, editor, "art_24", SUMMARY_WORDS, "Proportionality is left open."
    )
    import_sample("convention-sample.txt")
    official = published_quote(
        analyst, editor, "art_6__para_3", OFFICIAL_WORDS, "Open to any State."
    )
    problems = watch_page(page)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}{summary.get_absolute_url()}")
        box = page.locator(".quote-summary")
        assert box.is_visible()
        assert box.locator(".quote-kind").inner_text().lower() == "from our editorial summary"
        assert page.locator("blockquote.quote").count() == 0
        font = box.locator(".quote-words").evaluate("e => getComputedStyle(e).fontFamily")
        assert "Georgia" not in font, font
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=os.path.join(artifacts_dir, f"quote-summary-{size}.png"))

        page.goto(f"{live_server.url}{official.get_absolute_url()}")
        quote = page.locator(".quote-official blockquote.quote")
        assert quote.inner_text() == OFFICIAL_WORDS
        assert "Georgia" in quote.evaluate("e => getComputedStyle(e).fontFamily")
        caption = page.locator(".quote-official .quote-source").inner_text()
        assert caption == "From the official text: A/RES/79/243 annex (official)"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=os.path.join(artifacts_dir, f"quote-official-{size}.png"))
    assert problems == []
