"""Issue 13 in a browser, on a wide screen and on a phone: Article 2 with each definition a
provision of its own (one step in, its own permalink, nothing overflowing), and a fuzzy anchor
found by its context waiting for an editor, with its words changed old → new. Screenshots land
in test-artifacts/ (definitions-*.png, fuzzy-anchor-*.png)."""

import os

import pytest

from provisions.services import annotation_publish
from tests.helpers import annotate, import_sample, make_member, sign_in_browser, watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_article_2_and_a_fuzzy_anchor(seeded, live_server, page, artifacts_dir):
    analyst = make_member("alice", "Analysts", "Alice Analyst")
    editor = make_member("erin", "Editors", "Erin Editor")
    import_sample("convention-sample.txt")
    note = annotate(analyst, "art_2__subpara_c", "a person who keeps test records for others")
    on_h = annotate(analyst, "art_2__subpara_h", "a test record that is either")
    annotation_publish(annotation=on_h, editor=editor)
    import_sample("convention-sample-v2.txt", "Corrigendum")
    problems = watch_page(page)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/convention/articles/2/#art_2__subpara_h")
        definition = page.locator("#art_2__subpara_h > .provision")
        assert definition.locator(".provision-label").inner_text() == "(h)"
        lead_in = page.locator("#art_2 > .provision").bounding_box()
        inset = definition.bounding_box()["x"] - lead_in["x"]
        assert 0 < inset <= 20, inset  # one step in, as a paragraph
        assert no_overflow(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=os.path.join(artifacts_dir, f"definitions-{size}.png"), full_page=True)

    sign_in_browser(page, live_server, editor)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/review/anchors/")
        item = page.locator(f"#anchor-{note.pk}")
        changes = item.locator(".anchor-changes")
        assert "keeps" in changes.locator("del").first.inner_text()
        assert "holds" in changes.locator("ins").first.inner_text()
        assert item.get_by_role("button", name="Confirm this anchor").is_visible()
        assert no_overflow(page)
        item.scroll_into_view_if_needed()
        item.screenshot(path=os.path.join(artifacts_dir, f"fuzzy-anchor-{size}.png"))
    assert problems == []
