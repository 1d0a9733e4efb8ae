"""The compare view in Chromium, desktop and phone: an Arabic column right to left beside the
English one, no sideways scroll, no console error (synthetic Arabic test data)."""

import os

import pytest

from provisions.importing.language_import import import_language_version
from provisions.importing.parser import parse_convention
from tests.helpers import import_synthetic_english, synthetic_convention, watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 390)])
def test_compare_arabic_with_english(seeded, live_server, page, artifacts_dir, name, width):
    import_synthetic_english()
    convention = parse_convention(synthetic_convention("ar"), language="ar", partial=True)
    import_language_version(convention=convention, language="ar")
    problems = watch_page(page)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/convention/articles/2/compare/?left=ar&right=en")
    arabic = page.locator("#art_2__subpara_h .compare-column").first
    assert arabic.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('[dir=rtl]')).direction") == "rtl"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=os.path.join(artifacts_dir, f"compare-{name}.png"), full_page=True)
    assert problems == []


def test_an_arabic_reader_reads_article_2_right_to_left(seeded, live_server, page, artifacts_dir):
    import_synthetic_english()
    convention = parse_convention(synthetic_convention("ar"), language="ar", partial=True)
    import_language_version(convention=convention, language="ar")
    problems = watch_page(page)
    for name, width in (("desktop", 1280), ("phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/ar/convention/articles/2/")
        text = page.locator("#art_2__subpara_h .provision-text")
        assert text.get_attribute("dir") == "rtl"
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=os.path.join(artifacts_dir, f"article-ar-{name}.png"), full_page=True)
    assert problems == []
