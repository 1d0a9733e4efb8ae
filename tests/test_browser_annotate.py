"""End to end in Chromium: an analyst selects words in article 24, annotates and submits; an
editor publishes it; an anonymous reader sees the highlight. No console errors anywhere."""

import os

import pytest

from provisions.models import Annotation
from tests.helpers import SELECT_WORDS, failed_request_recorder, make_member, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page, problems):
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", failed_request_recorder(problems))


def test_annotate_publish_and_read(seeded, live_server, browser, artifacts_dir):
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    editor = make_member("ed", "Editors", "Ed Editor")
    problems = []
    words = "human-rights obligations"

    # 1. The analyst selects words and annotates them inline.
    analyst_page = browser.new_context().new_page()
    watch(analyst_page, problems)
    sign_in_browser(analyst_page, live_server, analyst)
    analyst_page.goto(f"{live_server.url}/convention/articles/24/")
    analyst_page.evaluate(SELECT_WORDS, words)
    analyst_page.locator(".annotate-floating").click()
    form = analyst_page.locator("#annotate-slot-art_24 form")
    form.locator("textarea[name=body]").fill("Which obligations? **Not defined** anywhere.")
    assert form.locator("textarea[name=quote]").input_value() == words
    form.locator("input[value=weak-procedural-safeguards]").check()
    analyst_page.screenshot(path=os.path.join(artifacts_dir, "annotate-form.png"), full_page=True)
    form.locator("button[value=submit]").click()
    analyst_page.locator("#annotator-status .message-success").wait_for()
    annotation = Annotation.objects.get(author=analyst)
    assert annotation.status == "submitted" and annotation.quote == words
    assert [c.slug for c in annotation.concerns.all()] == ["weak-procedural-safeguards"]

    # 2. The editor publishes it from the review queue.
    editor_page = browser.new_context().new_page()
    watch(editor_page, problems)
    sign_in_browser(editor_page, live_server, editor)
    editor_page.goto(f"{live_server.url}/review/")
    item = editor_page.locator(f"#review-annotation-{annotation.pk}")
    publish = item.get_by_role("button", name="Publish")
    publish.click()
    publish.wait_for(state="detached")
    annotation.refresh_from_db()
    assert annotation.status == "published"

    # 3. An anonymous reader sees the highlight and the note, pointing to each other.
    reader = browser.new_context().new_page()
    watch(reader, problems)
    reader.goto(f"{live_server.url}/convention/articles/24/")
    mark = reader.locator("mark.hl", has_text=words)
    assert mark.count() == 1
    assert mark.locator("a").get_attribute("href") == f"#annotation-{annotation.pk}"
    note = reader.locator(f"#annotation-{annotation.pk}")
    assert "Not defined" in note.inner_text()
    reader.screenshot(path=os.path.join(artifacts_dir, "article-24-published.png"), full_page=True)
    assert problems == []


def test_annotating_in_an_arabic_page(seeded, live_server, browser, compiled_catalogues):
    """Right to left: the floating button says "Annotate" in Arabic, sits under the selection on
    screen, and the form gets the exact words (offsets are in logical order either way)."""
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    problems = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch(page, problems)
    sign_in_browser(page, live_server, analyst)
    page.goto(f"{live_server.url}/ar/convention/articles/24/")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    words = "human-rights obligations"
    page.evaluate(SELECT_WORDS, words)
    button = page.locator(".annotate-floating")
    button.wait_for()
    assert button.inner_text() != "Annotate" and button.inner_text().strip()
    chosen = page.evaluate("window.getSelection().getRangeAt(0).getBoundingClientRect().toJSON()")
    box = button.bounding_box()
    assert chosen["left"] - 2 <= box["x"] + box["width"] <= chosen["right"] + 2
    assert box["x"] >= 0
    button.click()
    form = page.locator("#annotate-slot-art_24 form")
    assert form.locator("textarea[name=quote]").input_value() == words
    assert problems == []
