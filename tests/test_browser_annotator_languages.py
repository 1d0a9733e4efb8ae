"""The in-page annotator in French and Arabic, in Chromium: every word it shows is the page's
language (the floating button, the hint, what it announces, its errors), the Arabic page mirrors
it, and an analyst annotates the Arabic text itself through it (synthetic Arabic test data).
Screenshots of the Arabic annotator at 1280 and 390 pixels go to test-artifacts/."""

import os

import pytest
from django.utils import translation

from provisions.annotator import annotator_strings
from provisions.importing.language_import import import_language_version
from provisions.importing.parser import parse_convention
from provisions.models import Annotation, Provision
from tests.helpers import (
    SELECT_WORDS,
    import_synthetic_english,
    make_member,
    sign_in_browser,
    synthetic_convention,
    watch_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC_H = "جملة تجريبية رقم 2-8؛"
QUOTE = "تجريبية رقم 2-8"
EID = "art_2__subpara_h"


def strings_in(language: str, citation_of: str = "") -> dict:
    with translation.override(language):
        strings = annotator_strings()
        citation = Provision.objects.get(eid=citation_of).citation if citation_of else ""
    return {key: text.replace("%(citation)s", citation) for key, text in strings.items()}


def test_the_annotator_speaks_french(seeded, live_server, browser, compiled_catalogues):
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = watch_page(page)
    sign_in_browser(page, live_server, analyst)
    page.goto(f"{live_server.url}/fr/convention/articles/24/")
    french = strings_in("fr", "art_24")
    page.evaluate(SELECT_WORDS, "human-rights obligations")
    button = page.locator(".annotate-floating")
    button.wait_for()
    assert button.inner_text() == french["annotate"] == "Annoter"
    button.click()
    status = page.locator("#annotator-status .message")
    status.wait_for()
    assert status.inner_text() == french["formOpenedWithQuote"]
    assert "Le formulaire d'annotation est ouvert" in status.inner_text()
    assert page.evaluate("document.activeElement.name") == "body"
    assert problems == []


@pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 390)])
def test_annotating_the_arabic_text_in_arabic(
    seeded, live_server, browser, compiled_catalogues, artifacts_dir, name, width
):
    import_synthetic_english()
    convention = parse_convention(synthetic_convention("ar"), language="ar", partial=True)
    import_language_version(convention=convention, language="ar")
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    arabic = strings_in("ar", EID)
    shots = artifacts_dir
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    problems = watch_page(page)
    sign_in_browser(page, live_server, analyst)
    page.goto(f"{live_server.url}/ar/convention/articles/2/")

    # Words that run over two provisions: the hint, in Arabic, instead of the button.
    page.evaluate(
        """() => {
          const first = document.querySelector('.provision-text[data-eid="art_2__subpara_g"]');
          const second = document.querySelector('.provision-text[data-eid="art_2__subpara_h"]');
          const range = document.createRange();
          range.setStart(first.firstChild, 2);
          range.setEnd(second.firstChild, 4);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }"""
    )
    hint = page.locator(".annotate-hint")
    hint.wait_for()
    assert hint.inner_text() == arabic["oneProvision"]

    # Words of the Arabic text: the button, in Arabic, under the start of the selection (its
    # right edge, right to left).
    page.locator(f"#{EID}").scroll_into_view_if_needed()
    page.evaluate(SELECT_WORDS, [EID, QUOTE])
    button = page.locator("button.annotate-floating")
    button.wait_for()
    assert hint.is_hidden()
    assert button.inner_text() == arabic["annotate"] == "علِّق"
    chosen = page.evaluate("window.getSelection().getRangeAt(0).getBoundingClientRect().toJSON()")
    box = button.bounding_box()
    assert abs(box["x"] + box["width"] - chosen["right"]) <= 2 or box["x"] == 0
    page.screenshot(path=os.path.join(shots, f"annotator-ar-button-{name}.png"))
    button.click()

    form = page.locator(f"#annotate-slot-{EID} form")
    form.locator("textarea[name=body]").wait_for()
    status = page.locator("#annotator-status .message")
    assert status.inner_text() == arabic["formOpenedWithQuote"]
    assert form.locator("input[name=language]").input_value() == "ar"
    assert form.locator("textarea[name=quote]").input_value() == QUOTE
    # The form mirrors: its labels start at its right edge, and nothing scrolls sideways.
    assert form.evaluate("f => getComputedStyle(f).direction") == "rtl"
    form_box = form.bounding_box()
    label = form.locator("label").first.evaluate(
        "l => { const r = document.createRange(); r.selectNodeContents(l);"
        " return r.getBoundingClientRect().toJSON(); }"
    )
    assert form_box["x"] + form_box["width"] - label["right"] < 40
    assert label["left"] - form_box["x"] > 100
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    form.locator("textarea[name=body]").fill("ملاحظة المحلل على النص العربي")
    form.scroll_into_view_if_needed()
    page.locator(f"#{EID}").screenshot(path=os.path.join(shots, f"annotator-ar-form-{name}.png"))

    form.locator("button[value=draft]").click()
    page.locator("#annotator-status .message-success").wait_for()
    note = Annotation.objects.get(author=analyst)
    start = ARABIC_H.index(QUOTE)
    assert note.language == "ar" and note.quote == QUOTE and note.provision.eid == EID
    assert note.selector("TextPositionSelector")["start"] == start
    assert problems == []
    # Nothing still asking the live server while the test database is emptied.
    page.wait_for_load_state("networkidle")
    page.context.close()


def test_the_annotator_says_in_arabic_when_the_form_cannot_be_opened(
    seeded, live_server, browser, compiled_catalogues, artifacts_dir
):
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_browser(page, live_server, analyst)
    page.goto(f"{live_server.url}/ar/convention/articles/24/")
    page.route("**/annotate/?*", lambda route: route.abort())
    page.evaluate(SELECT_WORDS, "human-rights obligations")
    page.locator(".annotate-floating").click()
    status = page.locator("#annotator-status .message-error")
    status.wait_for()
    assert status.inner_text() == strings_in("ar")["openFailed"]
    page.screenshot(path=os.path.join(artifacts_dir, "annotator-ar-open-failed.png"))
    assert errors == []
