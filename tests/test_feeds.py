"""The Atom feed of newly published annotations and approved links.

Guards: only public work appears, entries link to permalinks, summaries are inert HTML, authors
are credited by display name (never e-mail), and the query count does not grow with the data.
"""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provisions.feeds import FEED_SIZE
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    link_approve,
    link_propose,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
URL = "/feeds/latest.atom"
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) *fine*"


def publish(provision, analyst, editor, body, **kwargs):
    annotation = annotation_create(
        provision=provision, author=analyst, body=body, status="submitted", **kwargs
    )
    return annotation_publish(annotation=annotation, editor=editor)


def parse(content: bytes):
    return ET.fromstring(content)  # noqa: S314 — our own response, not untrusted input


def entries(client) -> list[dict]:
    response = client.get(URL)
    assert response.status_code == 200
    root = parse(response.content)
    assert root.tag == f"{ATOM}feed"
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        author = entry.find(f"{ATOM}author")
        found.append(
            {
                "title": entry.findtext(f"{ATOM}title"),
                "id": entry.findtext(f"{ATOM}id"),
                "link": entry.find(f"{ATOM}link").get("href"),
                "summary": entry.findtext(f"{ATOM}summary"),
                "summary_type": entry.find(f"{ATOM}summary").get("type"),
                "published": entry.findtext(f"{ATOM}published"),
                "author": author.findtext(f"{ATOM}name") if author is not None else None,
                "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            }
        )
    return found


def test_feed_is_atom_with_a_self_link(client):
    response = client.get(URL)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = parse(response.content)
    assert root.findtext(f"{ATOM}title") == "TreatyWatch: newly published analysis"
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "http://testserver/feeds/latest.atom"


def test_published_annotation_is_the_newest_entry(client, analyst, editor, art24):
    annotation = publish(
        art24,
        analyst,
        editor,
        "Judicial authorisation is *not* required.",
        selectors=[{"type": "TextQuoteSelector", "exact": "domestic law"}],
        concerns=["weak-procedural-safeguards"],
        tags=["warrants"],
    )
    first = entries(client)[0]
    assert first["link"] == f"http://testserver/annotations/{annotation.pk}/"
    assert first["id"] == first["link"]
    assert first["author"] == "Alice Analyst"
    assert first["title"] == "Alice Analyst on Article 24"
    assert first["summary_type"] == "html"
    # Words quoted from our editorial summary are labelled so, never a treaty-style block quote
    # (tests/test_quote_sources.py covers an official quote).
    assert "From our editorial summary" in first["summary"]
    assert '<p class="quote-words" lang="en">domestic law</p>' in first["summary"]
    assert "<blockquote" not in first["summary"]
    assert "<em>not</em>" in first["summary"]
    assert set(first["categories"]) == {
        "Weak domestic safeguards in the procedural chapter",
        "warrants",
    }
    assert first["published"].startswith(annotation.published_at.date().isoformat())


def test_approved_links_are_entries_that_point_at_the_article(client, analyst, editor, art24):
    link = link_propose(
        provision=art24,
        proposer=analyst,
        concern="security-researchers",
        rationale="Researchers' <b>access</b> is not protected.",
        sources=["https://example.org/a", "https://example.org/b"],
    )
    link = link_approve(link=link, editor=editor)
    first = entries(client)[0]
    assert (
        first["title"] == "Article 24 linked to “Risks for security researchers and whistleblowers”"
    )
    assert first["link"] == "http://testserver/convention/articles/24/#art_24"
    assert first["id"] == f"http://testserver/convention/articles/24/#link-{link.pk}"
    assert first["author"] == "Alice Analyst"  # the proposer's public name
    # The rationale is plain text: shown escaped inside the HTML summary.
    assert "Researchers&#x27; &lt;b&gt;access&lt;/b&gt; is not protected." in first["summary"]
    assert '<a href="https://example.org/b">https://example.org/b</a>' in first["summary"]


def test_feed_and_every_entry_have_an_author(client, analyst, editor, art24):
    """RFC 4287 §4.1.1: the feed names its author, and so does each entry (editorial links, which
    no member proposed, are credited to the site)."""
    publish(art24, analyst, editor, "A published note")
    response = client.get(URL)
    root = parse(response.content)
    feed_author = root.find(f"{ATOM}author")
    assert feed_author is not None
    assert feed_author.findtext(f"{ATOM}name") == "TreatyWatch"
    assert feed_author.findtext(f"{ATOM}uri") == "http://testserver/"
    authors = [
        entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
        for entry in root.findall(f"{ATOM}entry")
    ]
    assert len(authors) == FEED_SIZE
    assert authors[0] == "Alice Analyst"
    assert set(authors[1:]) == {"TreatyWatch"}  # the seeded editorial links


def test_entry_ids_are_unique(client):
    found = entries(client)
    assert len(found) == min(FEED_SIZE, 37)  # the seeded editorial links
    assert len({e["id"] for e in found}) == len(found)


def test_only_public_work_and_no_emails(client, analyst, editor, art24):
    annotation_create(provision=art24, author=analyst, body="DRAFT-MARKER")
    annotation_create(provision=art24, author=analyst, body="SUBMITTED-MARKER", status="submitted")
    rejected = publish(art24, analyst, editor, "REJECTED-MARKER")
    annotation_reject(annotation=rejected, editor=editor, reason="no")
    link_propose(
        provision=art24, proposer=analyst, concern="gender-risks", rationale="PROPOSED-MARKER"
    )
    publish(art24, analyst, editor, "PUBLISHED-MARKER")
    client.force_login(editor)  # even an editor's feed is the public one
    text = client.get(URL).content.decode()
    assert "PUBLISHED-MARKER" in text
    for marker in ("DRAFT-MARKER", "SUBMITTED-MARKER", "REJECTED-MARKER", "PROPOSED-MARKER"):
        assert marker not in text
    assert "@example.org" not in text


def test_summaries_are_inert_html(client, analyst, editor, art24):
    publish(art24, analyst, editor, XSS)
    summary = entries(client)[0]["summary"]  # the HTML a feed reader would render
    assert "<em>fine</em>" in summary
    assert "<script" not in summary and "<img" not in summary
    assert not re.search(r"<[^>]*\son\w+\s*=", summary)
    assert 'href="javascript:' not in summary


def test_feed_is_linked_from_every_page_head(client):
    html = client.get("/").content.decode()
    head = html.split("</head>")[0]
    assert 'rel="alternate" type="application/atom+xml"' in head
    assert 'href="/feeds/latest.atom"' in head


def test_query_count_does_not_grow(client, analyst, editor, art24, django_assert_max_num_queries):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(URL)
        return len(captured)

    for i in range(5):
        publish(art24, analyst, editor, f"Note {i}", concerns=["gender-risks"], tags=["t"])
    with_five = count()
    for i in range(45):
        publish(art24, analyst, editor, f"More {i}", concerns=["gender-risks"], tags=[f"t{i}"])
    assert count() == with_five
    with django_assert_max_num_queries(5):  # annotations + 3 prefetches, links
        client.get(URL)
    assert len(entries(client)) == FEED_SIZE
