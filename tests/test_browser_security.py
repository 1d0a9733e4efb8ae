"""In Chromium: stored XSS payloads never run, the CSP is never violated, and neither a reader's
page nor the annotator ever contacts another host.

With every payload of tests/xss_payloads.py published, a reader opens the pages that show them;
any dialog (alert / confirm / prompt), page error, console error (a CSP violation logs one) or
`securitypolicyviolation` event fails the test. Then an analyst annotates article 24 (select,
open the inline form, preview, save a draft) while every request is recorded: all of them go to
the site's own origin.
"""

from urllib.parse import quote, urlsplit

import pytest

from provisions.models import Annotation
from tests.helpers import SELECT_WORDS, make_member, sign_in_browser
from tests.xss_payloads import PAYLOADS, store_everywhere

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (Playwright's init scripts are not subject to the page's CSP).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch(page, problems: list, requests: list) -> None:
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    def on_dialog(dialog):
        problems.append(f"dialog ({dialog.type}): {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def foreign(requests: list[str], origin: str) -> list[str]:
    """Requests that leave the site (a data: favicon would be tolerated; ours is a file)."""
    own = urlsplit(origin).netloc
    return [
        url
        for url in requests
        if not (urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc == own)
        and not (url.startswith("data:") and "icon" in url)
    ]


def test_published_payloads_never_run(seeded, live_server, page):
    stored = store_everywhere()
    problems, requests = [], []
    watch(page, problems, requests)
    # First prove the watchers work: a dialog and an inline script the CSP blocks are both seen.
    page.goto(f"{live_server.url}/about/")
    page.evaluate("() => alert('probe')")
    page.evaluate(
        """() => document.body.appendChild(
             Object.assign(document.createElement("script"), {textContent: "alert('inline')"}))"""
    )
    # The violation event is dispatched after the script is refused: wait for it, no longer.
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert any("probe" in p for p in problems)  # the dialog handler ran inside evaluate()
    assert any(v.startswith("script-src") for v in csp_violations(page)), csp_violations(page)
    assert not any("inline" in p for p in problems if "dialog" in p)
    problems.clear()
    urls = [
        "/convention/articles/24/",
        stored.root.get_absolute_url(),
        stored.published[40].get_absolute_url(),
        "/concerns/serious-crime-scope/",
        "/safeguards/consult-civil-society/",
        "/search/?q=alert",
        "/search/?q=" + quote(PAYLOADS[0]),
        "/search/?q=" + quote(PAYLOADS[60]),
        "/",
        "/coverage/",
        "/convention/articles/24/brief/",
    ]
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        problems += [f"{url}: CSP {v}" for v in csp_violations(page)]
        # Hover and focus what a payload could have hooked onto.
        notes = page.locator(".annotation-body a, .annotation-body p")
        if notes.count():
            notes.first.hover()
        page.keyboard.press("Tab")
        if url == "/convention/articles/24/":
            # The payloads are there, as text the reader can see.
            main = page.inner_text("main")
            assert "<script>alert(1)</script>" in main
            assert "<img src=x onerror=alert(1)>" in main
    assert problems == []
    assert foreign(requests, live_server.url) == []


def test_article_page_and_annotator_stay_on_this_site(seeded, live_server, page):
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    problems, requests = [], []
    watch(page, problems, requests)
    sign_in_browser(page, live_server, analyst)
    page.goto(f"{live_server.url}/convention/articles/24/")
    page.evaluate(SELECT_WORDS, "human-rights obligations")
    page.locator(".annotate-floating").click()
    form = page.locator("#annotate-slot-art_24 form")
    form.locator("textarea[name=body]").fill(
        "Which obligations? [the report](https://example.org/report) <script>alert(1)</script>"
    )
    form.get_by_role("button", name="Preview").click()
    preview = form.locator(".preview .annotation-body")
    preview.wait_for()
    assert preview.locator("a").get_attribute("href") == "https://example.org/report"
    assert "<script>alert(1)</script>" in preview.inner_text()  # shown, as text
    form.locator("button[value=draft]").click()
    page.locator("#annotator-status .message-success").wait_for()
    page.wait_for_load_state("networkidle")
    draft = Annotation.objects.get(author=analyst)
    assert draft.status == "draft" and draft.quote == "human-rights obligations"
    problems += [f"CSP {v}" for v in csp_violations(page)]
    assert problems == []
    assert len(requests) > 5  # the page, its CSS and JS, the form, the preview, the save…
    assert foreign(requests, live_server.url) == []
