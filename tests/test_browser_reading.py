"""A reader opens article 24 in Chromium: no console error, no CSP violation."""

import os

import pytest

from tests.helpers import watch_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_article_24_in_chromium(seeded, live_server, page, artifacts_dir):
    problems = watch_page(page)
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


# --- A reader on a phone (issue 17: reading like a legal site) -------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def published_thread(seeded):
    """A published note on Article 24(1) with a published reply, and one on the whole article."""
    from provisions.models import Annotation, Provision
    from provisions.services import annotation_create, annotation_publish
    from tests.helpers import make_member

    analyst = make_member("ana", "Analysts", "Ana Analyst")
    other = make_member("bo", "Analysts", "Bo Analyst")
    editor = make_member("ed", "Editors", "Ed Editor")
    paragraph = Provision.objects.filter(article__number=24, kind="paragraph").order_by("position")
    paragraph = paragraph.first() or Provision.objects.get(eid="art_24")
    words = paragraph.text.split()[2:5]
    root = annotation_create(
        provision=paragraph,
        author=analyst,
        body="Which obligations? **Not defined** anywhere.",
        selectors=[{"type": "TextQuoteSelector", "exact": " ".join(words)}],
        concerns=["weak-procedural-safeguards"],
        status=Annotation.Status.SUBMITTED,
    )
    root = annotation_publish(annotation=root, editor=editor)
    reply = annotation_create(
        provision=paragraph,
        author=other,
        body="The travaux préparatoires point to the ICCPR.",
        in_reply_to=root,
        status=Annotation.Status.SUBMITTED,
    )
    reply = annotation_publish(annotation=reply, editor=editor)
    return {"root": root, "reply": reply, "paragraph": paragraph}


def open_menu_if_folded(page):
    """On a phone the main navigation is a "Menu" disclosure: open it (it needs no script)."""
    menu = page.locator("nav[aria-label=Main] summary")
    if menu.is_visible():
        menu.click()
        assert page.locator("nav[aria-label=Main] details").get_attribute("open") is not None


def nav_links_in_reach(page) -> list[str]:
    """Every link of the main navigation visible, inside the screen, big enough to tap."""
    width = page.viewport_size["width"]
    problems = []
    links = page.locator("nav[aria-label=Main]").get_by_role("link").all()
    assert len(links) >= 6
    for link in links:
        box = link.bounding_box()
        if not link.is_visible() or box is None or box["x"] < 0 or box["x"] + box["width"] > width:
            problems.append(f"nav link {link.inner_text()!r} out of reach ({box})")
        elif box["height"] < 24:  # WCAG 2.5.8 target size
            problems.append(f"nav link {link.inner_text()!r} is {box['height']}px high")
    return problems


def test_phone_walk_home_contents_article_thread_concern_search(
    published_thread, live_server, browser, artifacts_dir
):
    """At 390 px a reader goes home → table of contents → Article 24 (its note, the note's
    reply, the contents menu) → a concern → search: nothing scrolls sideways, every header link
    can be reached and tapped, the contents menu opens, the notes sit below their paragraph,
    and the console stays clean."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = watch_page(page)
    walk = [
        ("home", "/"),
        ("toc", "/convention/"),
        ("article", "/convention/articles/24/"),
        ("concern", "/concerns/weak-procedural-safeguards/"),
        ("search", "/search/?q=safeguards"),
    ]
    for name, path in walk:
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways at 390 px"
        # The menu is folded: the header is one short row, the page starts at once.
        assert page.locator(".site-header").bounding_box()["height"] < 80, path
        open_menu_if_folded(page)
        assert nav_links_in_reach(page) == [], path
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways with the menu open"
        page.screenshot(path=os.path.join(artifacts_dir, f"phone-390-{name}-menu.png"))
        page.locator("nav[aria-label=Main] summary").click()  # folds it again
        if name == "article":
            contents = page.locator("nav.contents")
            current = contents.locator("a[aria-current=page]")
            assert not current.is_visible()  # folded above the text on a phone
            contents.locator("summary").first.click()
            assert current.is_visible() and "Conditions and safeguards" in current.inner_text()
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
            page.screenshot(path=os.path.join(artifacts_dir, "phone-390-article-contents.png"))
            contents.locator("summary").first.click()
            note = page.locator(f"#annotation-{published_thread['root'].pk}")
            reply = page.locator(f"#annotation-{published_thread['reply'].pk}")
            assert note.is_visible() and reply.is_visible()
            assert "travaux préparatoires" in reply.inner_text()
            text_box = page.locator(
                f"#{published_thread['paragraph'].eid} .provision-text"
            ).bounding_box()
            note_box = note.bounding_box()
            assert note_box["y"] >= text_box["y"] + text_box["height"]  # below its paragraph
        page.screenshot(path=os.path.join(artifacts_dir, f"phone-390-{name}.png"), full_page=True)
    assert problems == []


def test_desktop_article_has_contents_beside_it_and_notes_in_the_margin(
    published_thread, live_server, browser, artifacts_dir
):
    """At 1280 px the contents are a column beside the text (no menu to open), the current
    article marked; a note sits to the side of its paragraph, level with it, its reply under
    it; every header link shows without a menu."""
    page = browser.new_context(viewport=DESKTOP).new_page()
    problems = watch_page(page)
    for name, path in (("home", "/"), ("toc", "/convention/")):
        page.goto(f"{live_server.url}{path}")
        page.screenshot(
            path=os.path.join(artifacts_dir, f"desktop-1280-{name}.png"), full_page=True
        )
    page.goto(f"{live_server.url}/convention/articles/24/")
    assert not page.locator("nav[aria-label=Main] summary").is_visible()
    assert nav_links_in_reach(page) == []
    contents = page.locator("nav.contents")
    assert not contents.locator("summary").first.is_visible()
    current = contents.locator("a[aria-current=page]")
    assert current.is_visible() and current.get_attribute("href") == "/convention/articles/24/"
    text = page.locator("#article-title").bounding_box()
    assert contents.bounding_box()["x"] + contents.bounding_box()["width"] <= text["x"]
    paragraph = page.locator(f"#{published_thread['paragraph'].eid} .provision").bounding_box()
    note = page.locator(f"#annotation-{published_thread['root'].pk}").bounding_box()
    assert note["x"] >= paragraph["x"] + paragraph["width"]  # in the margin
    assert abs(note["y"] - paragraph["y"]) < 5  # level with its paragraph
    assert page.locator(f"#annotation-{published_thread['reply'].pk}").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=os.path.join(artifacts_dir, "desktop-1280-article.png"), full_page=True)
    assert problems == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone-390", "desktop-1280"])
def test_annotating_without_javascript(seeded, live_server, browser, artifacts_dir, viewport):
    """An analyst whose browser runs no script annotates Article 2(h) of the sample official
    text: its words are shown above the quote field to copy from, another provision is chosen
    and shown with the "Show its text" button, and the note is saved. Nothing scrolls sideways;
    Article 24, still our summary, offers no "Annotate"."""
    from tests.helpers import import_sample, make_member, sign_in_browser

    import_sample("convention-sample.txt")
    analyst = make_member("nora", "Analysts", "Nora Analyst")
    name = "phone-390" if viewport is PHONE else "desktop-1280"
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    problems = watch_page(page)
    sign_in_browser(page, live_server, analyst)
    page.goto(f"{live_server.url}/convention/articles/2/annotate/?eid=art_2__subpara_h")
    shown = page.locator(".provision-shown")
    assert "Article 2(h)" in shown.inner_text() and "“Protected record”" in shown.inner_text()
    quote = page.get_by_label("Quoted text")
    assert shown.bounding_box()["y"] + shown.bounding_box()["height"] <= quote.bounding_box()["y"]
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the annotate form scrolls sideways at {name}"
    page.screenshot(path=os.path.join(artifacts_dir, f"{name}-annotate-no-js.png"), full_page=True)

    page.get_by_label("Your note (Markdown)").fill("Which records count as protected?")
    page.get_by_label("Provision").select_option(label="Article 2(b)")
    page.get_by_role("button", name="Show its text").click()
    assert "Article 2(b)" in shown.inner_text() and "“Test record”" in shown.inner_text()
    assert page.get_by_label("Your note (Markdown)").input_value().startswith("Which records")
    quote.fill("“Test record” shall mean any record")
    page.get_by_role("button", name="Save draft").click()
    assert page.url.startswith(f"{live_server.url}/convention/articles/2/#annotation-")
    assert page.get_by_text("Draft saved.").is_visible()

    page.goto(f"{live_server.url}/convention/articles/24/")
    assert page.locator(".annotate-link").count() == 0
    assert page.locator(".annotate-closed").is_visible()
    page.screenshot(
        path=os.path.join(artifacts_dir, f"{name}-article-24-after-import.png"), full_page=True
    )
    page.goto(f"{live_server.url}/convention/articles/24/annotate/")  # an address kept from before
    assert page.get_by_role("alert").inner_text().startswith("Article 24 still shows our")
    assert page.locator("form.annotate-form").count() == 0
    page.screenshot(path=os.path.join(artifacts_dir, f"{name}-annotate-summary-refused.png"))
    assert problems == []
    context.close()
