"""The editors' annotation import in Chromium: upload, preview, confirm, without JavaScript
errors; the preview (the page with the most on it) has no serious axe-core violation and reads
on a 390 px and a 320 px phone without sideways scrolling."""

from pathlib import Path

import pytest

from provisions.models import Annotation
from tests.helpers import blocking_violations, import_sample, make_member, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HYPOTHESIS = Path(__file__).parent / "data" / "annotations" / "hypothesis-export.json"


def test_upload_preview_confirm(seeded, live_server, browser):
    import_sample("convention-sample.txt")
    editor = make_member("ed", "Editors", "Ed Editor")
    # A desktop browser narrowed to a phone's width: unlike a mobile viewport, it never shrinks
    # a page to fit, so any word too long for the line shows as sideways scrolling.
    page = new_page(browser, live_server, editor, viewport={"width": 390, "height": 844})
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/review/import/")
    page.set_input_files("#import-file", str(HYPOTHESIS))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Preview: nothing is saved yet").is_visible()
    assert not Annotation.objects.exists()
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert blocking_violations(page) == []
    page.get_by_role("button", name="Import 9 notes as my drafts").click()
    page.wait_for_load_state()
    assert page.url.endswith("/review/anchors/")
    assert "9 notes imported as your drafts" in page.content()
    assert Annotation.objects.filter(author=editor, status="draft").count() == 9
    assert errors == []
