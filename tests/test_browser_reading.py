"""A reader opens article 24 in Chromium: no console error, no CSP violation."""

import os

import pytest

from tests.conftest import failed_request_recorder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    """Collect console errors, page errors and failed or cross-origin requests."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", failed_request_recorder(problems))
    return problems


def test_article_24_in_chromium(seeded, live_server, page, artifacts_dir):
    problems = watch(page)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/convention/articles/24/")
    assert page.locator("h1").inner_text().endswith("Conditions and safeguards")
    assert page.locator("#art_24").is_visible()
    assert page.get_by_text("Weak domestic safeguards in the procedural chapter").is_visible()
    # htmx loaded from our own origin under the CSP nonce.
    assert page.evaluate("typeof window.htmx") == "object"
    page.screenshot(path=os.path.join(artifacts_dir, "article-24.png"), full_page=True)
    assert problems == []
    assert all(url.startswith((live_server.url, "data:")) for url in requests)


def test_phone_width_has_no_horizontal_scroll(seeded, live_server, page, artifacts_dir):
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/convention/", "/convention/articles/24/", "/concerns/serious-crime-scope/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    page.screenshot(path=os.path.join(artifacts_dir, "concern-phone.png"), full_page=True)


def test_keyboard_skip_link(seeded, live_server, page):
    page.goto(f"{live_server.url}/convention/articles/24/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
