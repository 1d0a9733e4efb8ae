"""Nothing a person writes can run in a reader's browser: every XSS payload in tests/xss_payloads.py
is stored in every field a person can fill in (note, tags, quote, reply, rejection reason, link
rationale, sources, approval note, display name, username, API token name), and every page,
fragment, feed and export that shows them is parsed and checked for anything executable.

The data is written once per module (through the services, so it is what real use stores) inside
a transaction that is rolled back at the end.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from provisions.exports import FORMULA_PREFIXES
from provisions.models import Annotation, Member
from provisions.public_names import public_name
from provisions.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from provisions.services import link_propose
from tests.helpers import confirm_session, verify_session
from tests.xss_payloads import PAYLOADS, cleaned, display_name, store_everywhere

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The htmx attributes our own templates use (spelled data-hx-*, which the HTML checker accepts);
# any other one (hx-on*, hx-vals…), and any bare hx-* attribute, came from data.
KNOWN_HX = {
    name
    for path in TEMPLATES.rglob("*.html")
    for name in re.findall(r"\b(data-hx-[a-z-]+)=", path.read_text(encoding="utf-8"))
}
HX_URL_ATTRIBUTES = {
    f"data-hx-{name}" for name in ("get", "post", "put", "patch", "delete", "push-url")
}
URL_ATTRIBUTES = {"href", "src", "action", "cite", "longdesc", "usemap", "icon", "srcset"}
# Attributes that load, submit or run something and that our templates never use.
NEVER_ATTRIBUTES = {
    "style",
    "srcdoc",
    "formaction",
    "xlink:href",
    "background",
    "dynsrc",
    "lowsrc",
    "ping",
    "poster",
    "codebase",
    "manifest",
    "data",
}
# Elements that run, embed or redirect, or that parse their content differently (mXSS).
NEVER_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "style",
    "math",
    "noscript",
    "xmp",
    "listing",
    "plaintext",
    "template",
    "noembed",
    "noframes",
    "marquee",
    "isindex",
    "portal",
    "video",
    "audio",
    "source",
    "img",
    "image",
    "animate",
    "set",
    "foreignobject",
}
SAFE_SCHEMES = {"http", "https", "mailto"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}  # fmt: skip
# Inside a rendered note: the renderer's allowlist (nh3 adds rel to links), and search's <mark>.
NOTE_TAGS = ALLOWED_TAGS | {"mark"}
NOTE_ATTRIBUTES = {
    tag: set(names) | ({"rel"} if tag == "a" else set())
    for tag, names in ALLOWED_ATTRIBUTES.items()
}
# What a payload that ran or loaded would contain (case-insensitive).
# Our own json_script data blocks (never run): the annotator's translated words.
DATA_BLOCK_IDS = {"annotator-strings"}
MARKERS = ("alert", "confirm(", "prompt(", "msgbox", "evil.example", "javascript", "vbscript")
RAW_TAG = re.compile(r"<[a-zA-Z!/]")


def scheme(url: str) -> str:
    """The scheme a browser would see: it drops control characters and spaces inside URLs."""
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", url)
    found = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", squeezed)
    return found.group(1).lower() if found else ""


def same_origin(url: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", url)
    if squeezed.startswith(("//", "/\\", "\\")):
        return False
    parts = urlsplit(squeezed)
    return not parts.scheme and not parts.netloc


def own_alternate(tag: str, values: dict) -> bool:
    """The page in another language (hreflang alternates are absolute addresses on this host)."""
    parts = urlsplit(values.get("href") or "")
    return (
        values.get("rel") == "alternate"
        and bool(values.get("hreflang"))
        and parts.scheme == "http"
        and parts.netloc == "testserver"
    )


class ExecutableFinder(HTMLParser):
    """Collects everything in a page that could run, load from elsewhere or submit elsewhere."""

    def __init__(self, *, nonce: str | None, fragment: bool = False):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.fragment = fragment  # feed summaries: no script or form at all
        self.problems: list[str] = []
        self.text: list[str] = []
        self.in_script = False
        self.data_block = False
        self.svg_depth = 0
        self.note_depth = 0  # inside a rendered note (.annotation-body): Markdown output only

    def problem(self, text: str) -> None:
        self.problems.append(text[:300])

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)
        if self.note_depth:
            self.check_note_markup(tag, attrs)
            if tag not in VOID_ELEMENTS:
                self.note_depth += 1
        elif "annotation-body" in (dict(attrs).get("class") or "").split():
            self.note_depth = 1
        if tag == "script":
            self.in_script = True
            self.data_block = self.is_data_block(attrs)
        if tag == "svg":
            self.svg_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)
        if self.note_depth:
            self.check_note_markup(tag, attrs)

    def handle_endtag(self, tag):
        if self.note_depth and tag not in VOID_ELEMENTS:
            self.note_depth -= 1
        if tag == "script":
            self.in_script = False
            self.data_block = False
        if tag == "svg":
            self.svg_depth = max(0, self.svg_depth - 1)

    def handle_data(self, data):
        if self.in_script and self.data_block:
            self.check_data_block(data)
        elif self.in_script and data.strip():
            self.problem(f"inline script content: {data!r}")
        self.text.append(data)

    def is_data_block(self, attrs):
        """One of our data blocks (Django's json_script): never run, so no nonce; only a
        full page, only our ids."""
        values = dict(attrs)
        return (
            not self.fragment
            and values.get("type") == "application/json"
            and values.get("id") in DATA_BLOCK_IDS
            and set(values) == {"type", "id"}
        )

    def check_data_block(self, data):
        """Inert data: valid JSON, with no "<" left unescaped (json_script writes \\u003C) and
        none of the payloads' markers (our own strings only, never user text)."""
        try:
            json.loads(data)
        except ValueError:
            self.problem(f"data block that is not JSON: {data!r}")
        if "<" in data:
            self.problem(f"unescaped < in a data block: {data!r}")
        if any(marker in data.lower() for marker in MARKERS):
            self.problem(f"payload text in a data block: {data!r}")

    def handle_comment(self, data):
        self.problem(f"comment in the page: {data!r}")

    def handle_pi(self, data):
        self.problem(f"processing instruction: {data!r}")

    def unknown_decl(self, data):
        self.problem(f"declaration: {data!r}")

    def check_note_markup(self, tag, attrs):
        """A note holds only what the Markdown renderer may produce (see rendering.py)."""
        allowed = NOTE_ATTRIBUTES.get(tag, set())
        if tag not in NOTE_TAGS:
            self.problem(f"<{tag}> inside a note")
        for name, _value in attrs:
            if name not in allowed:
                self.problem(f"attribute {name} on <{tag}> inside a note")

    def check(self, tag, attrs):  # noqa: C901 — one rule per line reads best
        values = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"
        if tag in NEVER_ELEMENTS:
            self.problem(f"forbidden element {where}")
        if self.svg_depth and tag not in {"rect"}:
            self.problem(f"unexpected element inside <svg>: {where}")
        if tag == "svg" and values.get("class") != "bar":
            self.problem(f"an <svg> that is not ours: {where}")
        if tag == "script" and self.is_data_block(attrs):
            pass  # checked by check_data_block
        elif tag == "script":
            src = values.get("src") or ""
            if self.fragment or not src.startswith("/static/") or not same_origin(src):
                self.problem(f"script not from /static/: {where}")
            elif not self.nonce or values.get("nonce") != self.nonce:
                self.problem(f"script without this response's nonce: {where}")
        if tag == "meta" and "http-equiv" in values:
            self.problem(f"meta refresh / http-equiv: {where}")
        if tag == "form":
            if self.fragment:
                self.problem(f"form in a fragment: {where}")
            action = values.get("action") or ""
            if not same_origin(action):
                self.problem(f"form posting elsewhere: {where}")
        if tag == "link" and not (
            same_origin(values.get("href") or "") or own_alternate(tag, values)
        ):
            self.problem(f"<link> to another host: {where}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problem(f"event handler {name} in {where}")
            if name in NEVER_ATTRIBUTES:
                self.problem(f"attribute {name} in {where}")
            if name.startswith(("hx-", "data-hx-on")):
                self.problem(f"htmx attribute {name} in {where}")
            elif name.startswith("data-hx-"):
                if name not in KNOWN_HX:
                    self.problem(f"htmx attribute {name} our templates never use: {where}")
                elif name in HX_URL_ATTRIBUTES:
                    if value not in ("true", "false") and not same_origin(value):
                        self.problem(f"htmx request elsewhere: {where}")
                elif any(marker in value.lower() for marker in MARKERS):
                    self.problem(f"payload text in {name}: {where}")
            if name in URL_ATTRIBUTES:
                found = scheme(value)
                if found and found not in SAFE_SCHEMES:
                    self.problem(f"{found}: URL in {where}")
                if name in {"src", "srcset", "action"} and not same_origin(value):
                    self.problem(f"{name} loads from another host: {where}")
                if (
                    name == "href"
                    and tag == "a"
                    and not self.fragment  # a feed reader decides how it opens links
                    and found in {"http", "https"}
                    and urlsplit(value).hostname not in {"testserver", "localhost"}
                ):
                    rel = (values.get("rel") or "").split()
                    if "noopener" not in rel and "noreferrer" not in rel:
                        self.problem(f"external link without rel=noopener: {where}")


def nonce_of(response) -> str | None:
    csp = response.headers.get("Content-Security-Policy", "")
    found = re.search(r"'nonce-([^']+)'", csp)
    return found.group(1) if found else None


def inspect_html(html: str, *, nonce: str | None, fragment: bool = False) -> tuple[list, str]:
    """(problems, visible text) of an HTML page or fragment."""
    finder = ExecutableFinder(nonce=nonce, fragment=fragment)
    finder.feed(html)
    finder.close()
    problems = list(finder.problems)
    for payload in PAYLOADS:
        text = cleaned(payload)
        if RAW_TAG.search(text) and text in html:
            problems.append(f"payload copied unescaped: {text[:80]!r}")
    return problems, "".join(finder.text)


class Pages:
    """Fetch pages with one client and collect every problem (reported together at the end)."""

    def __init__(self, client):
        self.client = client
        self.problems: list[str] = []
        self.count = 0

    def get(self, url, *, status=200, **kwargs) -> str:
        return self.check(url, self.client.get(url, **kwargs), status)

    def post(self, url, data, *, status=200, **kwargs) -> str:
        return self.check(url, self.client.post(url, data, **kwargs), status)

    def check(self, url, response, status) -> str:
        self.count += 1
        assert response.status_code == status, f"{url}: {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), url
        problems, text = inspect_html(response.content.decode(), nonce=nonce_of(response))
        self.problems += [f"{url}: {problem}" for problem in problems]
        return text

    def assert_clean(self):
        assert self.problems == [], f"{len(self.problems)} problems:\n" + "\n".join(
            self.problems[:60]
        )


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker):
    """Every payload everywhere, written once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield store_everywhere()
        transaction.set_rollback(True)


def signed_in(client, user):
    client.force_login(user)
    verify_session(client, user)
    return client


# --- The checker itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script src="/static/x.js"></script>',
        '<img src="x" onerror="alert(1)">',
        '<a href=" java&#x09;script:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<p style="color:red">x</p>',
        '<div hx-on:click="alert(1)">x</div>',
        '<div data-hx-on:click="alert(1)">x</div>',
        '<div hx-get="/x">x</div>',
        '<div hx-vals="js:{}">x</div>',
        '<div data-hx-vals="js:{}">x</div>',
        '<a hx-get="https://evil.example/">x</a>',
        '<a data-hx-get="https://evil.example/">x</a>',
        '<form action="https://evil.example/"></form>',
        '<iframe srcdoc="x"></iframe>',
        '<meta http-equiv="refresh" content="0;url=/">',
        '<base href="/">',
        "<svg><script>alert(1)</script></svg>",
        '<a href="https://evil.example/">x</a>',
        "<!--<img src=x>-->",
        '<div class="annotation-body"><form action="/review/bulk/"></form></div>',
        '<div class="annotation-body"><p id="main" class="x">clobbered</p></div>',
        # Data blocks: only ours, only JSON, nothing that could close the element or run.
        '<script type="application/json" id="other">{}</script>',
        '<script type="application/json" id="annotator-strings">{"a": "</p>"}</script>',
        '<script type="application/json" id="annotator-strings">alert(1)</script>',
        '<script type="application/json" id="annotator-strings">{"a": "javascript"}</script>',
        '<script type="application/json" id="annotator-strings" src="/x.js">{}</script>',
        '<script type="text/javascript" id="annotator-strings">{}</script>',
    ],
)
def test_the_checker_sees_executable_markup(html):
    problems, _text = inspect_html(f"<p>{html}</p>", nonce="abc")
    assert problems, html


def test_the_checker_accepts_our_own_markup():
    html = (
        '<script src="/static/js/a.js" nonce="abc" defer></script>'
        '<a href="/x?q=javascript%3Aalert" data-hx-get="/x?q=1" data-hx-target="#r">x</a>'
        '<a href="https://example.org/" rel="nofollow noopener noreferrer">x</a>'
        '<form method="post" action="/review/"></form>'
        '<svg class="bar"><rect x="0"/></svg><meta name="htmx-config" content="{}">'
        '<div class="annotation-body"><p>a<br>b</p><a href="https://example.org/" '
        'rel="nofollow noopener noreferrer">x</a></div><p class="after" id="ok">ours</p>'
        '<script type="application/json" id="annotator-strings">{"a": "\\u003Cb\\u003E"}</script>'
    )
    assert inspect_html(html, nonce="abc")[0] == []


def test_payload_list_is_long_and_varied():
    assert len(PAYLOADS) >= 50
    text = "\n".join(PAYLOADS).lower()
    for kind in ("<script", "javascript:", "data:", "vbscript:", "onerror", "<svg", "<math",
                 "style=", "hx-on", "data-hx-", "](javascript", "srcdoc", "<form", "<base",
                 "http-equiv", "<object", "{{", "{%", "<noscript", "=hyperlink"):  # fmt: skip
        assert kind in text, kind


# --- Pages -----------------------------------------------------------------------------------


def test_public_pages_show_the_payloads_as_text(stored, client):
    pages = Pages(client)
    article_text = pages.get("/convention/articles/24/")
    for payload in PAYLOADS:
        # The quoted paragraph is shown as text, character for character…
        assert cleaned(payload) in article_text, payload
    for author in stored.authors:
        # …and so is every author's public name (never a username: "A TreatyWatch member").
        assert public_name(author) in article_text
    for url in (
        "/",
        "/convention/",
        "/concerns/",
        "/concerns/serious-crime-scope/",
        "/safeguards/",
        "/safeguards/consult-civil-society/",
        "/coverage/",
        "/about/",
        "/convention/articles/24/brief/",
        "/concerns/serious-crime-scope/brief/",
        "/safeguards/consult-civil-society/brief/",
        "/search/?q=alert",
        "/search/?q=alert&page=2",
        "/search/?q=script&kind=annotation",
        "/search/?q=onerror",
    ):
        pages.get(url)
    # Permalinks share the note partial with the article page: a sample, and the thread root,
    # which shows every published reply.
    for annotation in stored.published[::4] + stored.replies[::8]:
        pages.get(annotation.get_absolute_url())
    # Drafts and rejected work stay private.
    pages.get(stored.rejected[0].get_absolute_url(), status=404)
    pages.assert_clean()


def test_htmx_fragments_are_inert(stored, client):
    pages = Pages(client)
    pages.get("/convention/articles/24/", headers={"HX-Request": "true"})
    pages.get("/search/?q=alert", headers={"HX-Request": "true"})
    pages.assert_clean()


def test_search_queries_are_reflected_as_text(stored, client):
    pages = Pages(client)
    for payload in PAYLOADS:
        pages.get("/search/?" + urlencode({"q": payload.replace("\x00", "")}))
    pages.assert_clean()


def test_analyst_pages_are_inert(stored, client):
    pages = Pages(signed_in(client, stored.analyst))
    workspace_text = pages.get("/workspace/")
    for annotation in stored.rejected:
        # The editor's reason reaches the author, as text.
        assert " ".join(annotation.review_reason.split())[:30] in " ".join(workspace_text.split())
    pages.get("/convention/articles/24/")
    pages.get("/convention/articles/24/annotate/?eid=art_24__para_9")
    pages.get("/convention/articles/24/propose-link/")
    tokens_text = pages.get("/workspace/tokens/")
    assert " ".join(cleaned(PAYLOADS[0]).split()) in tokens_text
    # The name typed before the password confirmation comes back in the address (?name=).
    pages.get("/workspace/tokens/?" + urlencode({"name": PAYLOADS[0].replace("\x00", "")}))
    confirm_session(client)  # creating a token needs the password again (issue 11)
    for payload in PAYLOADS[::10]:
        # A new token's page (the name shown back) and a refused one (what was typed).
        pages.post("/workspace/tokens/", {"name": payload.replace("\x00", "")})
    pages.post("/workspace/tokens/", {"name": "x" * 400 + PAYLOADS[0]}, status=400)
    for annotation in stored.rejected[::4] + stored.submitted[::4] + stored.replies[1::8]:
        pages.get(annotation.get_absolute_url())
    for annotation in stored.rejected:
        pages.get(f"/annotations/{annotation.pk}/edit/")
    pages.assert_clean()


def test_forms_show_typed_payloads_back_as_text(stored, client):
    """Preview, refused saves and refused proposals redisplay exactly what was typed."""
    pages = Pages(signed_in(client, stored.analyst))
    annotate = "/convention/articles/24/annotate/"
    for i, payload in enumerate(PAYLOADS):
        typed = payload.replace("\x00", "")
        base = {"provision": "art_24__para_9", "body": typed, "tags": typed[:500]}
        # The preview renders the Markdown and shows the form again with every field as typed.
        pages.post(annotate, {**base, "action": "preview", "quote": typed})
        if i % 5:
            continue  # the other views redisplay through the same escaping: a sample
        # Refused (the quote is not in the provision): the inline form comes back with the error.
        pages.post(
            annotate,
            {**base, "action": "draft", "quote": typed + " not in the text"},
            headers={"HX-Request": "true"},
        )
        pages.post(
            "/convention/articles/24/propose-link/",
            {
                "provision": "art_24__para_9",
                "concern": "serious-crime-scope",
                "kind": "raises",
                "rationale": typed,
                "sources": f"javascript:alert(1) {typed}",
                "confidence": "medium",
            },
        )
    pages.post("/annotations/preview/", {"body": PAYLOADS[0]}, headers={"HX-Request": "true"})
    pages.get("/tags/suggest/?" + urlencode({"tags": "x, script"}))
    pages.assert_clean()


def test_edit_conflict_page_is_inert(stored, client):
    """A stale edit shows both versions side by side: both hold payloads."""
    pages = Pages(signed_in(client, stored.analyst))
    for annotation in stored.rejected[:12]:
        payload = annotation.body
        pages.post(
            f"/annotations/{annotation.pk}/edit/",
            {
                "provision": "art_24__para_9",
                "body": f"{payload} {PAYLOADS[0]}",
                "quote": cleaned(payload),
                "tags": cleaned(payload)[:40],
                "version": annotation.version - 1,
            },
            status=409,
        )
    pages.assert_clean()


def test_editor_pages_are_inert(stored, client):
    pages = Pages(signed_in(client, stored.editor))
    queue_text = pages.get("/review/")
    for annotation in stored.submitted:
        assert public_name(annotation.author) in queue_text
    pages.get("/workspace/")
    pages.get("/convention/articles/24/")
    for payload in PAYLOADS[9:12]:
        # A refused bulk action keeps the typed reason.
        pages.post("/review/bulk/", {"action": "reject", "reason": payload}, status=400)
    for annotation in stored.published[::3] + stored.rejected[::3] + stored.submitted[::3]:
        pages.get(f"/history/annotation/{annotation.pk}/")
    for link in stored.links[::2]:
        pages.get(f"/history/link/{link.pk}/")
    # An item whose rejection was refused (no reason) comes back with what was typed.
    submitted = stored.submitted[0]
    pages.post(
        f"/review/annotations/{submitted.pk}/reject/",
        {"reason": " "},
        status=400,
    )
    pages.assert_clean()


def test_sources_must_be_http_urls(stored):
    for bad in (
        "javascript:alert(1)",
        " javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/relative/path",
        "ftp://example.org/x",
        "https://",
        "https://example.org/ onmouseover=alert(1)",
        "<script>alert(1)</script>",
    ):
        with pytest.raises(ValidationError) as refused:
            link_propose(
                provision=stored.provision,
                proposer=stored.analyst,
                rationale="Why",
                concern="serious-crime-scope",
                sources=[bad],
            )
        assert "sources" in refused.value.message_dict, bad


# --- Feed, exports and API -------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed_problems(client) -> tuple[list, list]:
    """(problems, entries) of the Atom feed as it is now."""
    response = client.get("/feeds/latest.atom")
    assert response.status_code == 200
    # Our own feed (control characters would make it fail to parse).
    root = ET.fromstring(response.content)  # noqa: S314
    entries = root.findall(f"{ATOM}entry")
    assert entries
    problems = []
    for entry in entries:
        for element in entry.iter():
            if element.tag in (f"{ATOM}summary", f"{ATOM}content") and element.text:
                assert element.get("type") == "html"
                found, _text = inspect_html(element.text, nonce=None, fragment=True)
                problems += found
            if element.tag == f"{ATOM}link":
                assert scheme(element.get("href")) in {"http", "https"}
        name = entry.find(f"{ATOM}author/{ATOM}name")
        if name is not None:
            # Names are plain text in the feed, never markup.
            assert entry.find(f"{ATOM}author/{ATOM}name/*") is None
    return problems, entries


def test_feed_is_valid_xml_and_its_html_is_inert(stored, client):
    """The feed holds the newest entries: first the links, then each batch of annotations."""
    # A name with control characters, as the admin can save one: the feed must still be XML.
    Member.objects.filter(user=stored.authors[3]).update(display_name="Ctrl\x0bname\x1b")
    problems, entries = _feed_problems(client)
    size = len(entries)
    now = timezone.now()
    published, authors = stored.published, set()
    for start in range(0, len(published), size):
        batch = [a.pk for a in published[start : start + size]]
        Annotation.objects.filter(pk__in=batch).update(published_at=now + timedelta(days=1 + start))
        found, entries = _feed_problems(client)
        problems += found
        authors |= {e.findtext(f"{ATOM}author/{ATOM}name") for e in entries}
    assert problems == []
    # A public name with control characters is credited without them (XML 1.0 has none); the
    # vertical tab counts as a space, as the public-name rule reads it.
    assert "Ctrl name" in authors


def _json(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert "json" in response["Content-Type"], url
    # Never sniffed as HTML by a browser.
    assert response["X-Content-Type-Options"] == "nosniff"
    return json.loads(response.getvalue())


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def test_json_exports_carry_payloads_as_plain_strings(stored, client):
    article = _json(client, "/convention/articles/24/export.json")
    strings = set(_strings(article))
    # The Markdown source as a string (the rendered HTML beside it is sanitised).
    for annotation in stored.published:
        assert annotation.body in strings
    for path in (
        "/export/annotations.jsonld",
        "/convention/articles/24/annotations.jsonld",
        "/concerns/serious-crime-scope/export.json",
        "/export/dataset.json",
    ):
        strings = set(_strings(_json(client, path)))
        assert stored.published[5].body in strings, path
    # Nothing but published work leaves through the exports.
    everything = json.dumps(_json(client, "/export/annotations.jsonld"))
    for annotation in stored.rejected[:5] + stored.submitted[:5]:
        assert f"/annotations/{annotation.pk}/" not in everything


def test_api_carries_payloads_as_plain_strings(stored, client):
    bodies, names = set(), set()
    for page in range(1, 8):
        data = _json(client, f"/api/v1/annotations?page_size=100&page={page}")
        for item in data["items"]:
            bodies.add(item["body"]["value"])
            # The Markdown source, as data; the creator is a name and nothing else.
            assert item["body"]["format"] == "text/markdown"
            assert set(item["creator"]) == {"type", "name"}
            names.add(item["creator"]["name"])
        if not data["next"]:
            break
    for annotation in stored.published:
        assert annotation.body in bodies
    for author in stored.authors:
        assert public_name(author) in names
    links = _json(client, "/api/v1/links?article=24&page_size=100")
    rationales = {item["rationale"] for item in links["items"]}
    approved = [link for link in stored.links if link.status == "approved"]
    assert {link.rationale for link in approved} <= rationales
    for item in links["items"]:
        for source in item["sources"]:
            assert scheme(source) in {"http", "https"}


def test_csv_exports_are_valid_and_formula_safe(stored, client):
    for path in (
        "/convention/articles/24/export.csv",
        "/export/annotations.csv",
        "/export/links.csv",
        "/concerns/serious-crime-scope/export.csv",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/csv"), path
        text = b"".join(response.streaming_content if response.streaming else [response.content])
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        assert len(rows) > 1, path
        width = len(rows[0])
        cells = []
        for row in rows:
            assert len(row) == width, (path, row)
            cells += row
        for cell in cells:
            assert not cell.startswith(FORMULA_PREFIXES), (path, cell[:80])
        if "annotations" in path or "articles" in path:
            # A leading quote is only added before what a spreadsheet would run.
            present = set(cells) | {
                c[1:] for c in cells if c.startswith("'") and c[1:].startswith(FORMULA_PREFIXES)
            }
            for annotation in stored.published:
                assert annotation.body in present, (path, annotation.body)


def test_display_names_and_usernames_never_become_markup(stored, client):
    """Names are shown on every page as text; legacy hostile usernames too."""
    pages = Pages(client)
    text = pages.get(stored.root.get_absolute_url())
    for reply in stored.replies[::2]:
        author = reply.author
        shown = public_name(author)
        assert shown in text
    # Signed in, a hostile username is in the header of every page.
    legacy = stored.authors[0]
    assert legacy.member.display_name == ""
    pages.client = signed_in(client, legacy)
    assert legacy.get_username() in pages.get("/workspace/")
    pages.assert_clean()
    assert display_name(PAYLOADS[5], 5) == stored.authors[5].member.display_name
    for author in stored.authors:
        # The account service keeps no control character (NUL, escape) in a name.
        name = author.member.display_name
        assert not any(ch < " " or ch == "\x7f" for ch in name), repr(name)
    assert Annotation.objects.filter(pk=stored.root.pk, status="published").exists()


def test_image_payloads_are_refused_as_note_bodies(analyst):
    """The payloads that are Markdown images never become a note (store_everywhere stores them
    as links instead); the service refuses each with its message."""
    from django.core.exceptions import ValidationError

    from provisions.models import Provision
    from provisions.rendering import contains_image
    from provisions.services.annotations import annotation_create

    images = [p for p in PAYLOADS if contains_image(p)]
    assert images, "the payload list has Markdown-image payloads"
    provision = Provision.objects.get(eid="art_24")
    for payload in images:
        with pytest.raises(ValidationError) as refused:
            annotation_create(provision=provision, author=analyst, body=payload)
        assert "Notes cannot show images" in str(refused.value)
