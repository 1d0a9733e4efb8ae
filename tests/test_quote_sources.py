"""A quote always says which text it was taken from (issue 17, first section).

Words quoted from our editorial summary must never pass for treaty wording: every surface that
shows a quote (pages, permalink with its "Cite as" line, brief, feed, CSV, JSON, JSON-LD, the API,
search results) names the text version, and a summary quote is not a serif block quote. The
recorded version follows the quote through imports, and once the official text is in, new notes
quote it rather than the summary.

The sample import (tests/data/import) brings the official text of articles 1–6 only: article 24
keeps its editorial summary, which lets one database hold both kinds of quote.
"""

import csv
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError

from provisions.importing.importer import DEFAULT_LABEL
from provisions.models import Annotation, Provision
from provisions.models.treaty import SUMMARY_LABEL
from provisions.services import annotation_create, annotation_publish, annotation_update
from provisions.services.anchors import anchor_pick
from provisions.services.annotations import quote_source_for
from tests.helpers import (
    OFFICIAL_WORDS,
    SUMMARY_WORDS,
    V2,
    annotate,
    fresh,
    import_sample,
    published_quote,
    quote_selectors,
    text_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(analyst, editor):
    """A published note quoting our summary of Article 24 (written before the import) and one
    quoting the official text of Article 6(3)."""
    summary = published_quote(analyst, editor, "art_24", SUMMARY_WORDS, "Quokkasummary remark.")
    import_sample("convention-sample.txt")
    official = published_quote(
        analyst, editor, "art_6__para_3", OFFICIAL_WORDS, "Quokkaofficial remark."
    )
    return fresh(summary), fresh(official)


# --- What is recorded -------------------------------------------------------------------------


def test_a_note_on_the_summary_records_the_editorial_summaries(analyst):
    note = annotate(analyst, "art_24", SUMMARY_WORDS)
    assert (note.quote_source, note.quote_source_official) == (SUMMARY_LABEL, False)


def test_a_note_on_the_official_text_records_the_imported_version(both):
    summary, official = both
    assert (summary.quote_source, summary.quote_source_official) == (SUMMARY_LABEL, False)
    assert (official.quote_source, official.quote_source_official) == (DEFAULT_LABEL, True)


def test_after_an_official_import_new_notes_on_summary_text_are_refused(analyst, editor, both):
    """Analysts annotate the official text, not the summary: Article 24 still shows only our
    summary (the sample covers articles 1–6), so a new note there is refused with a reason,
    in the service (which the form and the API both call) and in the no-JavaScript form."""
    with pytest.raises(ValidationError) as refused:
        annotate(analyst, "art_24", SUMMARY_WORDS)
    assert "annotate the official text, not the summary" in str(refused.value.message_dict)
    # Re-quoting the summary in an edit is refused the same way.
    draft = Annotation.objects.get(pk=both[0].pk)
    with pytest.raises(ValidationError):
        annotation_update(
            annotation=draft,
            user=editor,
            version=draft.version,
            selectors=quote_selectors(draft.provision, SUMMARY_WORDS),
        )
    # Replies to a note on the summary stay possible: they quote nothing.
    reply = annotation_create(
        provision=draft.provision, author=analyst, body="Still true.", in_reply_to=draft
    )
    assert reply.quote_source == SUMMARY_LABEL


REFUSAL = "annotate the official text, not the summary"


def test_the_annotate_form_explains_the_refusal(client, analyst, both):
    """A form opened before the import and sent after it: refused with the reason, next to the
    provision, keeping what was typed."""
    client.force_login(analyst)
    typed = {"provision": "art_24", "quote": SUMMARY_WORDS, "body": "A note", "tags": "kept-tag"}
    html = text_of(client.post("/convention/articles/24/annotate/", {**typed, "action": "save"}))
    assert html.count(REFUSAL) == 1
    assert f"{SUMMARY_WORDS}</textarea>" in html and "A note</textarea>" in html
    assert 'value="kept-tag"' in html
    assert not Annotation.objects.filter(body="A note").exists()


def offered_on_article_page(html: str) -> set[str]:
    """The provisions the article page offers to annotate: a link, a slot for the inline form
    and the data-eid by which the script sends a selection."""
    links = set(re.findall(r'<a class="annotate-link" data-eid="([a-z0-9_]+)"', html))
    slots = set(re.findall(r'id="annotate-slot-([a-z0-9_]+)"', html))
    selectable = set(re.findall(r'<p class="provision-text" data-eid="([a-z0-9_]+)"', html))
    # A provision without text of its own (an article made of paragraphs) has nothing to select.
    assert links == slots and selectable <= links, (links, slots, selectable)
    return links


def service_accepts(provision: Provision) -> bool:
    try:
        quote_source_for(provision)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("imported", [False, True])
def test_the_article_page_offers_to_annotate_what_the_service_accepts(client, analyst, imported):
    """One rule for both: the page offers "Annotate" exactly where the service would accept a
    note. Before any import every summary is open; after the sample import, the official text
    of Article 6 is, and the summary of Article 24 is not (it says why instead)."""
    if imported:
        import_sample("convention-sample.txt")
    client.force_login(analyst)
    for number in (6, 24):
        html = text_of(client.get(f"/convention/articles/{number}/"))
        current = Provision.objects.current().filter(article__number=number)
        accepted = {p.eid for p in current if service_accepts(p)}
        assert offered_on_article_page(html) == accepted
        assert html.count('class="annotate-closed') == len(current) - len(accepted)
        assert ("Tip: select words" in html) == bool(accepted)
        # Proposing a concern link is not quoting: it stays offered everywhere.
        assert html.count("/propose-link/?eid=") == len(current)
        if imported and number == 24:
            assert accepted == set() and REFUSAL in html
        else:
            assert accepted == {p.eid for p in current} and REFUSAL not in html


def test_readers_get_no_annotate_affordance(client, both):
    html = text_of(client.get("/convention/articles/6/"))
    assert offered_on_article_page(html) == set()
    assert "/annotate/" not in html and "annotate-closed" not in html


def test_the_annotate_page_refuses_a_summary_only_article_with_the_reason(client, analyst, both):
    client.force_login(analyst)
    for headers in ({}, {"HX-Request": "true"}):
        html = text_of(client.get("/convention/articles/24/annotate/?eid=art_24", headers=headers))
        assert "Article 24 still shows our editorial summary" in html and REFUSAL in html
        assert 'class="annotate-form' not in html
    assert 'class="annotate-form' in text_of(client.get("/convention/articles/6/annotate/"))


def test_a_summary_provision_among_official_ones_is_not_offered(client, analyst, both):
    """An article whose official text left one provision with our summary (made by hand here:
    the sample import leaves none): that one is neither in the drop-down nor linked, and asked
    for by its address it is refused with the reason while the others stay open."""
    Provision.objects.filter(eid="art_6__para_3").update(
        is_official_text=False, text="Our summary of the accession paragraph."
    )
    client.force_login(analyst)
    assert offered_on_article_page(text_of(client.get("/convention/articles/6/"))) == {
        "art_6",
        "art_6__para_1",
        "art_6__para_2",
    }
    html = text_of(client.get("/convention/articles/6/annotate/?eid=art_6__para_3"))
    assert "Article 6(3) still shows our editorial summary" in html
    assert 'value="art_6__para_3"' not in html
    assert 'value="art_6" selected' in html and "Our summary of the accession" not in html
    typed = {"provision": "art_6__para_3", "body": "Kept note", "action": "draft"}
    html = text_of(client.post("/convention/articles/6/annotate/", typed))
    assert html.count("Article 6(3) still shows our editorial summary") == 1
    assert "Kept note</textarea>" in html
    assert not Annotation.objects.filter(body="Kept note").exists()


def test_reanchoring_records_the_text_the_words_now_come_from(analyst, editor):
    on_summary = annotate(analyst, "art_1", "preventing and combating cybercrime")
    import_sample("convention-sample.txt")
    orphan = fresh(on_summary)
    # The sample's official Article 1 does not have these words of our summary: the note keeps
    # showing them, and keeps saying they were our summary's.
    assert orphan.anchor_state == Annotation.Anchor.ORPHANED
    assert (orphan.quote_source, orphan.quote_source_official) == (SUMMARY_LABEL, False)
    # An editor anchors it on words of the official text: it now quotes the treaty.
    picked = anchor_pick(
        annotation=orphan,
        editor=editor,
        version=orphan.version,
        provision=orphan.provision,
        exact="The purposes of this Convention are:",
    )
    assert (picked.quote_source, picked.quote_source_official) == (DEFAULT_LABEL, True)

    # On the official text: words re-found elsewhere by a later version are that version's;
    # words still where they were keep the version they were taken from (they are in both).
    moved = annotate(
        analyst,
        "art_6__para_2",
        "Instruments of ratification shall be deposited with the sample depositary.",
    )
    kept = annotate(analyst, "art_6__para_3", OFFICIAL_WORDS)
    import_sample("convention-sample-v2.txt", V2)
    moved, kept = fresh(moved), fresh(kept)
    assert moved.provision.eid == "art_6__para_3"
    assert (moved.quote_source, moved.quote_source_official) == (V2, True)
    assert (kept.quote_source, kept.quote_source_official) == (DEFAULT_LABEL, True)


# --- Where it is shown ------------------------------------------------------------------------


def summary_box(html: str, words: str) -> bool:
    return bool(
        re.search(
            r'<figure class="quote-figure quote-summary">\s*<figcaption class="quote-source">'
            r'<strong class="quote-kind">From our editorial summary</strong>'
            rf" \(<cite>{SUMMARY_LABEL}</cite>\)[^<]*</figcaption>\s*"
            rf'<p class="quote-words" lang="en">{re.escape(words)}</p>',
            html,
        )
    )


def official_quote(html: str, words: str) -> bool:
    return bool(
        re.search(
            rf'<blockquote class="quote" lang="en">{re.escape(words)}</blockquote>\s*'
            r'<figcaption class="quote-source">From the official text: '
            rf"<cite>{re.escape(DEFAULT_LABEL)}</cite></figcaption>",
            html,
        )
    )


def test_permalinks_name_the_source_and_cite_it(client, both):
    summary, official = both
    html = client.get(summary.get_absolute_url()).content.decode()
    assert summary_box(html, SUMMARY_WORDS)
    assert f'<blockquote class="quote" lang="en">{SUMMARY_WORDS}' not in html
    assert "quoting TreatyWatch's editorial summary, not the official text" in html
    html = client.get(official.get_absolute_url()).content.decode()
    assert official_quote(html, OFFICIAL_WORDS)
    assert f"quoting {DEFAULT_LABEL}" in html


def test_article_pages_and_briefs_name_the_source(client, both):
    for path in ("/convention/articles/24/", "/convention/articles/24/brief/"):
        assert summary_box(client.get(path).content.decode(), SUMMARY_WORDS), path
    for path in ("/convention/articles/6/", "/convention/articles/6/brief/"):
        assert official_quote(client.get(path).content.decode(), OFFICIAL_WORDS), path


def test_search_results_name_the_source(client, both):
    html = client.get("/search/", {"q": "Quokkasummary"}).content.decode()
    assert summary_box(html, SUMMARY_WORDS)
    html = client.get("/search/", {"q": "Quokkaofficial"}).content.decode()
    assert official_quote(html, OFFICIAL_WORDS)


def test_the_feed_names_the_source(client, both):
    feed = client.get("/feeds/latest.atom").content.decode()
    assert "From our editorial summary" in feed and "From the official text" in feed
    assert f'&lt;blockquote class="quote" lang="en"&gt;{SUMMARY_WORDS}' not in feed
    assert f'&lt;blockquote class="quote" lang="en"&gt;{OFFICIAL_WORDS}' in feed


def test_csv_and_json_exports_carry_quote_source(client, both):
    summary, official = both
    rows = {
        int(row["id"]): row
        for row in csv.DictReader(
            io.StringIO(
                b"".join(client.get("/export/annotations.csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    }
    assert (rows[summary.pk]["quote_source"], rows[summary.pk]["quote_source_official"]) == (
        SUMMARY_LABEL,
        "false",
    )
    assert (rows[official.pk]["quote_source"], rows[official.pk]["quote_source_official"]) == (
        DEFAULT_LABEL,
        "true",
    )
    document = json.loads(b"".join(client.get("/export/dataset.json").streaming_content))
    records = {a["id"]: a for a in document["annotations"]}
    assert records[summary.pk]["quote_source"] == SUMMARY_LABEL
    assert records[summary.pk]["quote_source_official"] is False
    assert records[official.pk]["quote_source"] == DEFAULT_LABEL
    assert records[official.pk]["quote_source_official"] is True


def test_json_ld_and_the_api_name_the_source_version(client, both):
    summary, official = both
    expected = {
        summary.pk: {"label": SUMMARY_LABEL, "officialText": False},
        official.pk: {"label": DEFAULT_LABEL, "officialText": True},
    }
    collection = json.loads(b"".join(client.get("/export/annotations.jsonld").streaming_content))
    items = {
        item["id"].rstrip("/").rsplit("/", 1)[-1]: item for item in collection["first"]["items"]
    }
    for pk, version in expected.items():
        target = items[str(pk)]["target"]
        assert target["sourceVersion"] == version
        assert target["source"].startswith("http://testserver/convention/")
        data = client.get(f"/api/v1/annotations/{pk}").json()
        assert data["target"]["sourceVersion"] == version


def test_a_note_on_the_whole_provision_has_no_source_version(client, analyst, editor):
    note = annotate(analyst, "art_24")
    annotation_publish(annotation=note, editor=editor)
    data = client.get(f"/api/v1/annotations/{note.pk}").json()
    assert "sourceVersion" not in data["target"]


# --- Existing rows (migration 0014) ---------------------------------------------------------


def test_the_migration_fills_existing_rows_by_the_documented_rule(analyst):
    """Before an import every quote is the summary's; a note anchored on official text is that
    version's; an orphan is the version before the import that orphaned it."""
    from importlib import import_module

    from django.apps import apps

    fill = import_module("provisions.migrations.0014_annotation_quote_source").fill_quote_sources
    on_summary = annotate(analyst, "art_24", SUMMARY_WORDS)
    orphaned = annotate(analyst, "art_1", "preventing and combating cybercrime")
    import_sample("convention-sample.txt")
    official = annotate(analyst, "art_6__para_3", OFFICIAL_WORDS)
    gone_in_v2 = annotate(
        analyst, "art_3__para_2__subpara_b", "With the intent of obtaining test records"
    )
    import_sample("convention-sample-v2.txt", V2)
    # As rows were before the migration: nothing recorded.
    Annotation.objects.update(quote_source="", quote_source_official=True)
    fill(apps, None)
    notes = [on_summary, orphaned, official, gone_in_v2]
    found = {
        a.pk: (a.quote_source, a.quote_source_official)
        for a in Annotation.objects.filter(pk__in=[n.pk for n in notes])
    }
    assert fresh(orphaned).anchor_state == Annotation.Anchor.ORPHANED
    assert fresh(gone_in_v2).anchor_state == Annotation.Anchor.ORPHANED
    assert found == {
        on_summary.pk: (SUMMARY_LABEL, False),
        orphaned.pk: (SUMMARY_LABEL, False),
        official.pk: (V2, True),  # still anchored: the newest official version has its words
        gone_in_v2.pk: (DEFAULT_LABEL, True),  # orphaned by V2: taken from the version before
    }
