"""The full-page annotate form, for analysts without JavaScript (issue 17, "Readers first").

They cannot select words, so the form shows the chosen provision's text, as readers see it and
under its citation, just above the field for the exact words; the drop-down names provisions the
way people cite them; choosing another provision shows its text without a script; a quote that
is not in the provision is refused, keeping everything typed.

The sample import (tests/data/import) gives Article 2 a paragraph with definitions (a)–(j).
"""

import re

import pytest

from provisions.models import Annotation, Provision
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

ARTICLE_2 = "/convention/articles/2/annotate/"
DEFINITION_H = "art_2__subpara_h"
DEFINITION_H_WORDS = "“Protected record” shall mean a test record that is either:"
SUBPARA_B_WORDS = "“Test record” shall mean any record made only to exercise an importer;"


def options(html: str) -> list[tuple[str, str, bool]]:
    """The provision drop-down's (value, label, selected), the empty first choice left out."""
    select = re.search(r'<select name="provision"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    return [(value, label, bool(selected)) for value, selected, label in found if value]


def shown(html: str) -> str:
    """The provision shown above the quote field: its caption and text, in one string."""
    figure = re.search(r'<figure class="provision-shown">(.*?)</figure>', html, re.S)
    assert figure, "no provision text on the form"
    return re.sub(r"<[^>]+>", "", figure.group(1))


def test_the_chosen_provision_is_shown_above_the_quote_field(client, analyst, official):
    client.force_login(analyst)
    html = text_of(client.get(ARTICLE_2, {"eid": DEFINITION_H}))
    assert "Article 2(h)" in shown(html)
    assert DEFINITION_H_WORDS in shown(html)
    # Between the drop-down and the field it helps fill, as the issue asks.
    assert html.index('name="provision"') < html.index("provision-shown")
    assert html.index("provision-shown") < html.index('name="quote"')
    # Official text: no summary label.
    assert "Editorial summary" not in shown(html)


def test_summary_text_is_labelled_as_on_the_article_page(client, analyst):
    client.force_login(analyst)
    html = text_of(client.get("/convention/articles/24/annotate/"))
    text = Provision.objects.get(eid="art_24").text
    assert "Article 24" in shown(html)
    assert "Editorial summary — not the official text" in shown(html)
    assert text in shown(html)


def test_the_drop_down_names_provisions_as_people_cite_them(client, analyst, official):
    client.force_login(analyst)
    found = options(text_of(client.get(ARTICLE_2, {"eid": DEFINITION_H})))
    labels = [label for _value, label, _selected in found]
    assert labels == [
        "Article 2",
        *(f"Article 2({letter})" for letter in "abcdefghij"),
    ]
    assert not any("art_" in label or "__" in label for label in labels)
    # The eid stays in the value the form sends; the one asked for is chosen.
    assert (DEFINITION_H, "Article 2(h)", True) in found
    assert [selected for *_rest, selected in found].count(True) == 1


@pytest.mark.parametrize("how", ["get", "show"])
def test_choosing_another_provision_shows_its_text_without_javascript(
    client, analyst, official, how
):
    """A link (?provision=…) or the "Show its text" button, which sends the form and keeps
    everything typed in it without saving."""
    client.force_login(analyst)
    if how == "get":
        html = text_of(client.get(ARTICLE_2, {"provision": "art_2__subpara_b"}))
    else:
        typed = {
            "provision": "art_2__subpara_b",
            "quote": "some words",
            "body": "My careful analysis",
            "concerns": ["weak-procedural-safeguards"],
            "tags": "kept-tag",
            "action": "show",
        }
        html = text_of(client.post(ARTICLE_2, typed))
        assert "some words</textarea>" in html and "My careful analysis</textarea>" in html
        assert 'value="kept-tag"' in html
        assert re.search(r'value="weak-procedural-safeguards"[^>]*checked', html)
        assert 'class="errorlist' not in html  # showing is not saving: nothing to refuse yet
        assert not Annotation.objects.exists()
    assert "Article 2(b)" in shown(html) and SUBPARA_B_WORDS in shown(html)
    assert DEFINITION_H_WORDS not in html
    assert ("art_2__subpara_b", "Article 2(b)", True) in options(html)
    assert "Show its text" in html


def test_an_unknown_or_foreign_provision_shows_one_that_the_drop_down_agrees_with(
    client, analyst, official
):
    client.force_login(analyst)
    for asked in ("nope", "art_3__para_1", "<script>alert(1)</script>"):
        html = text_of(client.get(ARTICLE_2, {"provision": asked}))
        assert "Article 2" in shown(html)
        assert [value for value, _label, selected in options(html) if selected] == ["art_2"]
        assert "<script>alert" not in html


def test_a_provision_of_another_article_cannot_be_annotated_from_this_form(
    client, analyst, official
):
    client.force_login(analyst)
    data = {"provision": "art_3__para_1", "body": "A note", "action": "draft"}
    html = text_of(client.post(ARTICLE_2, data))
    assert "Select a valid choice" in html and "A note</textarea>" in html
    assert not Annotation.objects.exists()


def test_words_not_in_the_provision_are_refused_keeping_everything_typed(client, analyst, official):
    client.force_login(analyst)
    typed = {
        "provision": DEFINITION_H,
        "quote": SUBPARA_B_WORDS,  # words of another provision
        "body": "My careful analysis",
        "concerns": ["weak-procedural-safeguards"],
        "tags": "kept-tag",
        "action": "submit",
    }
    html = text_of(client.post(ARTICLE_2, typed))
    assert "The quoted text does not appear in this provision. Copy it exactly." in html
    assert f"{SUBPARA_B_WORDS}</textarea>" in html
    assert "My careful analysis</textarea>" in html and 'value="kept-tag"' in html
    assert re.search(r'value="weak-procedural-safeguards"[^>]*checked', html)
    # The provision stays chosen and its text stays there to copy the right words from.
    assert (DEFINITION_H, "Article 2(h)", True) in options(html)
    assert DEFINITION_H_WORDS in shown(html)
    assert not Annotation.objects.exists()
    # The words of the provision shown are accepted.
    client.post(ARTICLE_2, {**typed, "quote": DEFINITION_H_WORDS})
    note = Annotation.objects.get()
    assert note.provision.eid == DEFINITION_H and note.quote == DEFINITION_H_WORDS


def test_the_edit_page_shows_the_provision_too(client, analyst, official):
    client.force_login(analyst)
    client.post(ARTICLE_2, {"provision": DEFINITION_H, "body": "A note", "action": "draft"})
    note = Annotation.objects.get()
    html = text_of(client.get(f"/annotations/{note.pk}/edit/"))
    assert "Article 2(h)" in shown(html) and DEFINITION_H_WORDS in shown(html)
    assert "Show its text" not in html  # an edit keeps its provision


def test_the_form_costs_the_same_queries_for_few_or_many_provisions(
    client, analyst, official, django_assert_num_queries
):
    """Session, user, groups, article, the article's provisions, the text versions (which
    provisions may be annotated), the workspace's three counts, concerns, demands, tags."""
    client.force_login(analyst)
    client.get("/")  # the session's first-request work is not the form's
    for url in ("/convention/articles/1/annotate/", ARTICLE_2):  # 1 provision, 13
        with django_assert_num_queries(12):
            text_of(client.get(url))


def test_the_inline_form_does_not_repeat_the_text_above_it(client, analyst, official):
    """With JavaScript the form opens in the provision's slot on the article page, right under
    its text: no copy of it there. The full page, even sent by htmx, keeps showing it."""
    client.force_login(analyst)
    slot = {"HX-Request": "true", "HX-Target": f"annotate-slot-{DEFINITION_H}"}
    html = text_of(client.get(ARTICLE_2, {"eid": DEFINITION_H}, headers=slot))
    assert "provision-shown" not in html and "Show its text" not in html
    assert '<input type="hidden" name="inline" value="1">' in html
    typed = {"provision": DEFINITION_H, "quote": "not there", "body": "x", "action": "draft"}
    htmx = {"HX-Request": "true"}
    html = text_of(client.post(ARTICLE_2, {**typed, "inline": "1"}, headers=htmx))
    assert "does not appear in this provision" in html and "provision-shown" not in html
    html = text_of(client.post(ARTICLE_2, typed, headers=htmx))  # the full page's form
    assert DEFINITION_H_WORDS in shown(html) and "Show its text" in html
