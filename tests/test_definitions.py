"""Every definition is a provision (issue 13 §2): lettered items directly under an article
(Article 2's definitions, Article 1's purposes) get eids of their own (`art_2__subpara_h`), are
cited "Article 2(h)", and can be linked, annotated and found by "2(h)".

A text imported before the parser gave them eids had them inside the article's own text: a
second import moves notes whose quote falls in a definition to that definition, and leaves what
hangs on the article (whole-article notes, links) where it was.
"""

import dataclasses
from pathlib import Path

import pytest

from provisions.anchoring import position_of
from provisions.importing.extract import extract_text
from provisions.importing.importer import DEFAULT_LABEL, import_convention
from provisions.importing.parser import parse_convention
from provisions.importing.tree import ImportRefused
from provisions.models import Annotation, Concern, Provision, ProvisionLink, Revision
from provisions.services import annotation_publish, link_propose
from tests.helpers import annotate, result_links

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "data" / "import"
SPLIT = "A/RES/79/243 annex (official), definitions as provisions"
PROTECTED = "“Protected record” shall mean a test record that is either"


def sample():
    return parse_convention(extract_text(SAMPLES / "convention-sample.txt"), expected_articles=6)


def as_the_old_parser_read_it(convention):
    """The same file as the parser read it before lettered items under an article had eids:
    each item on a line of its own inside the article's text."""

    def folded(article):
        lines = [article.body] + [f"({sub.label}) {sub.text}" for sub in article.subparagraphs]
        return dataclasses.replace(article, body="\n".join(lines), subparagraphs=[])

    chapters = [
        dataclasses.replace(chapter, articles=[folded(a) for a in chapter.articles])
        for chapter in convention.chapters
    ]
    return dataclasses.replace(convention, chapters=chapters)


@pytest.fixture
def imported(db):
    import_convention(convention=sample())


# --- Imported, every definition is a provision ----------------------------------------------


def test_each_definition_is_a_provision_cited_by_its_letter(imported):
    definition = Provision.objects.select_related("parent").get(eid="art_2__subpara_h")
    assert definition.parent.eid == "art_2" and definition.is_official_text
    assert definition.text.startswith(PROTECTED)
    assert definition.citation == "Article 2(h)"
    assert definition.accessible_name == "Article 2, sub-paragraph (h)"
    assert definition.get_absolute_url() == "/convention/articles/2/#art_2__subpara_h"
    assert Provision.objects.get(eid="art_2").text == "For the purposes of this Convention:"


def opening_tag(html: str, eid: str) -> str:
    at = html.index(f'id="{eid}"')
    return html[html.rindex("<section", 0, at) : html.index(">", at) + 1]


def test_the_article_page_shows_each_definition_one_step_in_with_its_permalink(client, imported):
    html = client.get("/convention/articles/2/").content.decode()
    for letter in "abcdefghij":
        assert f'href="#art_2__subpara_{letter}"' in html
    tag = opening_tag(html, "art_2__subpara_h")
    assert "provision-article-item" in tag
    assert 'aria-label="Article 2, sub-paragraph (h)"' in tag
    # A paragraph's own sub-paragraph is not an article item.
    article_3 = client.get("/convention/articles/3/").content.decode()
    assert "provision-article-item" not in opening_tag(article_3, "art_3__para_2__subpara_a")


def test_a_definition_can_be_annotated_linked_and_found(client, imported, analyst, editor):
    note = annotate(analyst, "art_2__subpara_h", "a test record that is either")
    annotation_publish(annotation=note, editor=editor)
    link = link_propose(
        provision=Provision.objects.get(eid="art_2__subpara_h"),
        proposer=analyst,
        concern=Concern.objects.first(),
        rationale="The definition decides what is protected.",
    )
    assert link.provision.citation == "Article 2(h)"
    page = client.get(note.get_absolute_url())
    assert "Article 2(h)" in page.content.decode()
    client.force_login(analyst)
    form = client.get("/convention/articles/2/annotate/", {"eid": "art_2__subpara_h"})
    assert form.status_code == 200
    assert 'value="art_2__subpara_h" selected' in form.content.decode()
    client.logout()
    for query in ("2(h)", "Article 2(h)", "art. 2 (h)"):
        html = client.get("/search/", {"q": query}).content.decode()
        assert result_links(html)[0] == "/convention/articles/2/#art_2__subpara_h", query
        assert "editorial summary" not in html.split("<h3>")[1]


# --- Imported before: notes on a definition move to it ----------------------------------------


@pytest.fixture
def on_the_old_tree(db, analyst):
    """The sample imported as the old parser read it, with what hangs on Article 2."""
    import_convention(convention=as_the_old_parser_read_it(sample()))
    article_2 = Provision.objects.get(eid="art_2")
    assert PROTECTED in article_2.text and "\n(h) " in article_2.text
    return {
        "in_h": annotate(analyst, "art_2", "a test record that is either"),
        "lead_in": annotate(analyst, "art_2", "For the purposes of this Convention"),
        "whole": annotate(analyst, "art_2"),
        "link": link_propose(
            provision=article_2,
            proposer=analyst,
            concern=Concern.objects.first(),
            rationale="The definitions decide the scope.",
        ),
    }


def test_importing_again_moves_notes_on_a_definition_to_it(on_the_old_tree):
    report = import_convention(convention=sample(), label=SPLIT)
    assert report.reanchoring.moved == 1
    assert "art_2__subpara_h" in report.added and "art_2" in report.changed

    in_h = Annotation.objects.select_related("provision").get(pk=on_the_old_tree["in_h"].pk)
    assert (in_h.provision.eid, in_h.anchor_state) == ("art_2__subpara_h", "anchored")
    start, end = position_of(in_h.selectors)
    assert in_h.provision.text[start:end] == "a test record that is either"
    (revision,) = Revision.objects.filter(
        target_type="annotation", target_id=in_h.pk, action="reanchored"
    )
    assert "found again in art_2__subpara_h" in revision.note


def test_what_hangs_on_the_article_itself_stays_valid(on_the_old_tree):
    import_convention(convention=sample(), label=SPLIT)
    for name in ("lead_in", "whole"):
        note = Annotation.objects.select_related("provision").get(pk=on_the_old_tree[name].pk)
        assert (note.provision.eid, note.anchor_state) == ("art_2", "anchored"), name
    lead_in = Annotation.objects.get(pk=on_the_old_tree["lead_in"].pk)
    assert lead_in.selectors == on_the_old_tree["lead_in"].selectors  # the same words, in place
    link = ProvisionLink.objects.get(pk=on_the_old_tree["link"].pk)
    assert (link.provision.eid, link.needs_review, link.version) == ("art_2", False, 1)


def test_the_same_file_read_the_new_way_needs_a_label_of_its_own(on_the_old_tree):
    """The words did not change, the tree did: a new version, compared on the versions page."""
    with pytest.raises(ImportRefused, match="already names a version"):
        import_convention(convention=sample(), label=DEFAULT_LABEL)
