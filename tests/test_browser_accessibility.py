"""Accessibility in Chromium: axe-core (WCAG 2.1 A/AA) finds nothing serious on any page a
reader or member uses; every page reads on a 375 px (and a 320 px) phone without sideways
scrolling, its navigation in reach; the keyboard reaches the skip link, the navigation and
every field of the annotate form, and always shows where the focus is."""

import os
import re

import pytest

from provisions.models import Annotation, Provision
from provisions.services import annotation_create, annotation_publish, link_propose
from tests.helpers import (
    blocking_violations,
    make_member,
    new_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PATHS = [
    "/",
    "/convention/",
    "/convention/articles/24/",
    "/concerns/",
    "/concerns/serious-crime-scope/",
    "/safeguards/",
    "/about/",
    "/coverage/",
    "/search/?q=surveillance",
    "/annotations/{annotation}/",
    "/accounts/login/",
    "/states/",
    "/states/mli/",
    "/scorecard/",
]
ANALYST_PATHS = [
    "/scorecard/propose/",
    "/workspace/",
    "/convention/articles/24/annotate/",
    # Not asked for by name, but members use them: the article with its annotate tools, and
    # the form that proposes a link.
    "/convention/articles/24/",
    "/convention/articles/24/propose-link/",
]
EDITOR_PATHS = ["/review/", "/review/status/", "/review/import/", "/review/commitments/"]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def sample_work(seeded):
    """A published annotation on article 24 (so the article shows a highlight), a submitted
    one and a proposed link (so the review queue and the workspace have items to show)."""
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    editor = make_member("ed", "Editors", "Ed Editor")
    art24 = Provision.objects.get(eid="art_24")
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="Which obligations? **Not defined** anywhere, and *surveillance* is not mentioned.",
        selectors=[{"type": "TextQuoteSelector", "exact": "human-rights obligations"}],
        concerns=["weak-procedural-safeguards"],
        tags=["safeguards"],
        status=Annotation.Status.SUBMITTED,
    )
    annotation = annotation_publish(annotation=annotation, editor=editor)
    annotation_create(
        provision=art24,
        author=analyst,
        body="Proportionality is left to domestic law.",
        selectors=[{"type": "TextQuoteSelector", "exact": "proportionality"}],
        status=Annotation.Status.SUBMITTED,
    )
    annotation_create(provision=art24, author=analyst, body="A draft of mine.")
    link_propose(
        provision=Provision.objects.get(eid="art_25"),
        concern="weak-procedural-safeguards",
        proposer=analyst,
        rationale="Preservation orders have no judicial authorisation.",
    )
    return {"annotation": annotation, "analyst": analyst, "editor": editor}


def public_paths(annotation):
    return [path.format(annotation=annotation.pk) for path in PUBLIC_PATHS]


# What axe leaves to "needs review" (a reference to a missing id) or no longer checks
# (duplicate ids), checked directly: each breaks what a screen reader announces.
BROKEN_REFERENCES = """() => {
  const problems = [], seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push(`duplicate id "${el.id}"`);
    seen.add(el.id);
  }
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for', 'list']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) {
          problems.push(`${el.tagName.toLowerCase()}[${attr}="${ref}"] points to no element`);
        }
      }
    }
  }
  return problems;
}"""


def audit(page, live_server, paths) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (path, response.status)
        violations = blocking_violations(page) + page.evaluate(BROKEN_REFERENCES)
        if violations:
            found[path] = violations
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"\n{path}:\n  " + "\n  ".join(lines) for path, lines in found.items())


def test_axe_finds_violations_under_our_csp(seeded, live_server, browser):
    """The harness itself: axe runs in a page served with the strict CSP and reports what it
    should, so an empty result below means a clean page, not a silent failure."""
    page = new_page(browser, live_server)
    response = page.goto(f"{live_server.url}/about/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
           '<img src="/static/img/favicon.svg"><a href="/about/"></a>')"""
    )
    assert {line.split(" ")[0] for line in blocking_violations(page)} == {"image-alt", "link-name"}


def test_public_pages_have_no_serious_violations(sample_work, live_server, browser):
    page = new_page(browser, live_server)
    page.goto(f"{live_server.url}/convention/articles/24/")
    assert page.locator("mark.hl").count() >= 1  # the highlight axe must look at is there
    found = audit(page, live_server, public_paths(sample_work["annotation"]))
    assert not found, report(found)


def test_member_pages_have_no_serious_violations(sample_work, live_server, browser):
    analyst_page = new_page(browser, live_server, sample_work["analyst"])
    found = audit(analyst_page, live_server, ANALYST_PATHS)
    editor_page = new_page(browser, live_server, sample_work["editor"])
    editor_page.goto(f"{live_server.url}/review/")
    assert editor_page.locator(".review-item").count() >= 2  # a link and an annotation wait
    found |= audit(editor_page, live_server, EDITOR_PATHS)
    assert not found, report(found)


def phone_check(page, live_server, path, artifacts_dir=None, who="reader") -> list[str]:
    """Open the page at the context's (phone) width, say what is wrong with its layout, and
    screenshot it if given where."""
    problems = []
    width = page.viewport_size["width"]
    page.goto(f"{live_server.url}{path}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{path} at {width}px: scrolls {overflow}px sideways")
    # The navigation folds into a "Menu" that keeps the header one short row; opened, every
    # link in it is on screen and can be tapped.
    header_height = page.locator(".site-header").bounding_box()["height"]
    if header_height > 120:
        problems.append(f"{path} at {width}px: the header is {header_height:.0f}px high")
    menu = page.locator("nav[aria-label=Main] summary")
    if menu.is_visible():
        menu.click()
    for link in page.locator("nav[aria-label=Main]").get_by_role("link").all():
        box = link.bounding_box()
        if box is None or box["width"] < 1 or box["x"] < 0 or box["x"] + box["width"] > width:
            problems.append(f"{path}: nav link {link.inner_text()!r} out of reach ({box})")
        elif box["height"] < 24:  # WCAG 2.5.8 target size
            problems.append(f"{path}: nav link {link.inner_text()!r} is {box['height']}px high")
    if menu.is_visible():
        menu.click()  # folded again for the screenshot
    if artifacts_dir:
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=os.path.join(artifacts_dir, f"phone-{who}-{name}.png"), full_page=True)
    return problems


def test_phone_width_reads_without_sideways_scroll(
    sample_work, live_server, browser, artifacts_dir
):
    # 375 px: a common phone, screenshot for review; 320 px: where WCAG 1.4.10 (reflow) asks
    # that nothing scrolls sideways.
    phone = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}
    problems = []
    for user, who, paths in (
        (None, "reader", public_paths(sample_work["annotation"])),
        (sample_work["analyst"], "analyst", ANALYST_PATHS),
        (sample_work["editor"], "editor", EDITOR_PATHS),
    ):
        page = new_page(browser, live_server, user, viewport=PHONE, **phone)
        for path in paths:
            problems += phone_check(page, live_server, path, artifacts_dir, who)
        page.set_viewport_size({"width": 320, "height": 640})
        for path in paths:
            problems += phone_check(page, live_server, path)
    assert problems == [], "\n".join(problems)


FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {
    text: el.textContent.trim(),
    inMainNav: !!el.closest('nav[aria-label="Main"]'),
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor,
    headerColor: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
    focusVisible: el.matches(':focus-visible'),
  };
}"""


def contrast(css_a: str, css_b: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ("rgb(r, g, b)")."""

    def luminance(css):
        channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(css_a), luminance(css_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_keyboard_reaches_skip_link_then_navigation(seeded, live_server, browser):
    page = new_page(browser, live_server)
    page.goto(f"{live_server.url}/convention/articles/24/")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["text"] == "Skip to content"
    assert page.locator(".skip-link").is_visible()  # it comes on screen when focused
    # Next the brand (home) link, then the main navigation.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "TreatyWatch"
    page.keyboard.press("Tab")
    nav_link = page.evaluate(FOCUSED)
    assert nav_link["inMainNav"] and nav_link["text"] == "Convention"
    # The focus ring (the :focus-visible rule) shows on the dark header: WCAG 1.4.11 asks 3:1.
    for focused in (first, nav_link):
        assert focused["focusVisible"] and focused["outline"] != "none"
        assert focused["outlineWidth"] >= 2
        assert contrast(focused["outlineColor"], focused["headerColor"]) >= 3
    # The skip link takes the keyboard past the header into the content.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_keyboard_reaches_every_annotate_field(seeded, live_server, browser):
    analyst = make_member("ana", "Analysts", "Ana Analyst")
    page = new_page(browser, live_server, analyst)
    page.goto(f"{live_server.url}/convention/articles/24/annotate/")
    form = page.locator("form.annotate-form")
    controls = form.locator(
        "input:not([type=hidden]), textarea, select, button, a[href]"
    ).evaluate_all("els => els.map(el => el.name ? el.name + '=' + el.value : el.textContent)")
    assert len(controls) > 10
    form.locator("select, input:not([type=hidden]), textarea").first.focus()
    page.keyboard.press("Shift+Tab")
    reached, outlines = [], set()
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """(f) => { const el = document.activeElement;
               return {inForm: f.contains(el), key: el.name ? el.name + '=' + el.value
                       : el.textContent, outline: getComputedStyle(el).outlineStyle}; }""",
            form.element_handle(),
        )
        if not state["inForm"]:
            if reached:
                break
            continue
        reached.append(state["key"])
        outlines.add(state["outline"])
    assert sorted(set(reached)) == sorted(set(controls))
    assert "none" not in outlines  # every control shows the focus ring


# Other languages (docs/translations.md): Arabic right to left, Chinese, with the switcher open.
OTHER_LANGUAGE_PATHS = [
    "/ar/convention/articles/24/",
    "/ar/convention/",
    "/ar/coverage/",
    "/ar/search/?q=surveillance",
    "/ar/states/",
    "/ar/states/pse/",
    "/zh-hans/states/",
    "/ru/scorecard/",
    "/zh-hans/convention/articles/24/",
    "/fr/annotations/{annotation}/",
]


def test_pages_in_other_languages_have_no_serious_violations(
    sample_work, live_server, browser, compiled_catalogues, artifacts_dir
):
    paths = [path.format(annotation=sample_work["annotation"].pk) for path in OTHER_LANGUAGE_PATHS]
    page = new_page(browser, live_server)
    page.goto(f"{live_server.url}/ar/convention/articles/24/")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    # "← previous article" points the way the page reads: turned round.
    arrow = "getComputedStyle(document.querySelector('a[rel=prev] .flow-arrow')).transform"
    assert page.evaluate(arrow) == "matrix(-1, 0, 0, 1, 0, 0)"
    page.locator(".language-menu > summary").click()  # the switcher open, for axe too
    assert not blocking_violations(page)
    found = audit(page, live_server, paths)
    assert not found, report(found)
    problems = []
    phone = new_page(browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True)
    for path in paths:
        problems += phone_check(phone, live_server, path, artifacts_dir, "reader-i18n")
    phone.set_viewport_size({"width": 320, "height": 640})
    for path in paths:
        problems += phone_check(phone, live_server, path)
    assert problems == [], "\n".join(problems)
