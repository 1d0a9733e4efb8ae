"""People read "Article 24(2)(b)", never an eid: one citation rule (Provision.citation), and no
page, fragment, feed or brief shows an eid as text (eids stay in ids, URLs and the API)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from provisions.models import Concern, Provision, SafeguardDemand
from provisions.models.treaty import citation_for_eid
from tests.helpers import draft, published_annotation, text_of

pytestmark = pytest.mark.django_db

EID_TEXT = re.compile(r"(?<![#/\w])(art_\d+|preamble__|__para_|__subpara_|recital_\d+)")


@pytest.mark.parametrize(
    ("eid", "citation"),
    [
        ("art_24", "Article 24"),
        ("art_24__para_2", "Article 24(2)"),
        ("art_24__para_2__subpara_b", "Article 24(2)(b)"),
        ("art_2__subpara_h", "Article 2(h)"),
        ("preamble", "Preamble"),
        ("preamble__recital_3", "Preamble, recital 3"),
    ],
)
def test_citation_rule(eid, citation):
    assert citation_for_eid(eid) == citation


class VisibleText(HTMLParser):
    """The text a person reads: text nodes and the attributes read aloud or shown."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SHOWN_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def assert_no_eid_as_text(response, where: str):
    text = visible_text(text_of(response))
    found = EID_TEXT.search(text)
    assert found is None, (
        f"{where} shows {found.group(0)!r}: …{text[max(0, found.start() - 80) : found.end() + 80]}…"
    )


def paragraph_24_2() -> Provision:
    """Article 24(2), as an import of the official text would add it."""
    article = Provision.objects.get(eid="art_24")
    return Provision.objects.create(
        treaty=article.treaty,
        article=article.article,
        parent=article,
        eid="art_24__para_2",
        kind="paragraph",
        label="2",
        position=article.position + 1,
        text="Such conditions and safeguards shall include judicial or other independent review.",
    )


def test_no_page_shows_an_eid(client, analyst, editor):
    paragraph = paragraph_24_2()
    whole = published_annotation(analyst, editor, "On the whole paragraph.", eid=paragraph.eid)
    own = draft(analyst, "My draft.", eid=paragraph.eid)
    concern = Concern.objects.first()
    demand = SafeguardDemand.objects.first()

    pages = {
        "article": reverse("provisions:article", kwargs={"number": 24}),
        "permalink": reverse("provisions:annotation", kwargs={"pk": whole.pk}),
        "concern": reverse("provisions:concern", kwargs={"slug": concern.slug}),
        "safeguard": reverse("provisions:safeguard", kwargs={"slug": demand.slug}),
        "article brief": reverse("provisions:article_brief", kwargs={"number": 24}),
        "concern brief": reverse("provisions:concern_brief", kwargs={"slug": concern.slug}),
        "search": reverse("provisions:search") + "?q=paragraph",
        "toc": reverse("provisions:toc"),
    }
    for where, url in pages.items():
        assert_no_eid_as_text(client.get(url), where)
    permalink = text_of(client.get(pages["permalink"]))
    assert "Annotation on Article 24(2)" in permalink
    assert f"<title>Annotation {whole.pk} · Article 24(2) · TreatyWatch</title>" in permalink
    assert "On the whole of Article 24(2)" in text_of(client.get(pages["article"]))

    client.force_login(analyst)
    for where, url in {
        "annotate form": reverse("provisions:annotate", kwargs={"number": 24}),
        "edit form": reverse("provisions:annotation_edit", kwargs={"pk": own.pk}),
        "workspace": reverse("provisions:workspace"),
    }.items():
        assert_no_eid_as_text(client.get(url), where)
    form = text_of(client.get(pages["article"].replace("/24/", "/24/annotate/")))
    # The provision drop-down names each provision by its citation (the eid is only the value).
    assert re.search(r'<option value="art_24__para_2"[^>]*>\s*Article 24\(2\)\s*</option>', form)

    client.force_login(editor)
    for where, url in {
        "review": reverse("provisions:review"),
        "history": reverse("provisions:annotation_history", kwargs={"pk": whole.pk}),
    }.items():
        assert_no_eid_as_text(client.get(url), where)


def test_the_feed_titles_cite_provisions(client, analyst, editor):
    paragraph_24_2()
    published_annotation(analyst, editor, "Feed me.", eid="art_24__para_2")
    feed = text_of(client.get(reverse("provisions:feed_latest")))
    titles = " ".join(re.findall(r"<title[^>]*>(.*?)</title>", feed, flags=re.S))
    assert "Article 24(2)" in titles
    assert EID_TEXT.search(titles) is None, titles
