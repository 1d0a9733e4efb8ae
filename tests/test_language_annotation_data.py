"""Which language's text a note quotes, in everything that carries annotations out and back in
(issue 14): the JSON API and the Web Annotation Protocol (W3C `language` and `textDirection` on
the target, never on the body), the API's writes, the CSV and JSON downloads and the dataset,
and the annotation import. The Arabic is synthetic test data (tests/helpers.py)."""

import csv
import io
import json

import pytest

from provisions.anchoring import make_selectors
from provisions.models import Annotation, Provision, TextVersion
from provisions.services import annotation_create
from provisions.services.annotation_import import annotation_import, annotation_import_plan
from tests.helpers import API, bearer, published_annotation, token_for

pytestmark = [pytest.mark.django_db, pytest.mark.openapi]

EID = "art_2__subpara_h"
ARABIC_H = "جملة تجريبية رقم 2-8؛"
QUOTE = "تجريبية رقم 2-8"
START = ARABIC_H.index(QUOTE)


def arabic_note(analyst, editor) -> Annotation:
    """Alice's published note on the Arabic words of Article 2(h)."""
    note = annotation_create(
        provision=Provision.objects.get(eid=EID),
        author=analyst,
        body="A note on the Arabic text, written in English.",
        selectors=make_selectors(ARABIC_H, START, START + len(QUOTE)),
        language="ar",
        status=Annotation.Status.SUBMITTED,
    )
    from provisions.services import annotation_publish

    return annotation_publish(annotation=note, editor=editor)


def test_the_api_says_the_target_is_the_arabic_text(client, analyst, editor, arabic):
    note = arabic_note(analyst, editor)
    english = published_annotation(analyst, editor, eid="art_2")
    reply = annotation_create(
        provision=note.provision, author=analyst, body="A reply.", in_reply_to=note
    )
    token = token_for(analyst)
    document = client.get(f"{API}annotations/{note.pk}").json()
    target = document["target"]
    assert target["language"] == "ar" and target["textDirection"] == "rtl"
    assert target["selector"][0]["exact"] == QUOTE
    assert target["sourceVersion"]["label"] == TextVersion.objects.get(language="ar").label
    # The note's own language is not known: nothing is said of the body's.
    assert "language" not in document["body"]
    english_target = client.get(f"{API}annotations/{english.pk}").json()["target"]
    assert english_target["language"] == "en" and english_target["textDirection"] == "ltr"
    # A reply quotes nothing: no language.
    replied = client.get(f"{API}annotations/{reply.pk}", **bearer(token)).json()
    assert "language" not in replied["target"]
    wap = client.get(f"{API}annotations/{note.pk}/").json()
    assert wap["target"]["language"] == "ar" and wap["body"][0].get("language") is None


def _post(client, token, target, **extra):
    body = {"type": "Annotation", "bodyValue": "Through the API.", "target": target, **extra}
    return client.post(
        f"{API}annotations", json.dumps(body), content_type="application/json", **bearer(token)
    )


def test_the_api_annotates_the_arabic_text(client, analyst, arabic):
    token = token_for(analyst)
    quote = {"type": "TextQuoteSelector", "exact": QUOTE}
    response = _post(client, token, {"source": EID, "language": "ar", "selector": [quote]})
    assert response.status_code == 201, response.content
    note = Annotation.objects.get(pk=response.json()["id"].rsplit("/", 1)[1])
    assert note.language == "ar" and note.quote == QUOTE
    assert note.selector("TextPositionSelector")["start"] == START
    assert response.json()["target"]["language"] == "ar"

    # The Arabic words on the English text, or a language the Convention is not in: refused,
    # naming the field.
    refused = _post(client, token, {"source": EID, "selector": [quote]})
    assert refused.status_code == 422 and "target.selector" in refused.json()["error"]["fields"]
    other = _post(client, token, {"source": EID, "language": "de", "selector": [quote]})
    assert other.status_code == 422
    assert "zh-Hans" in other.json()["error"]["fields"]["target.language"][0]
    # No Arabic text of Article 24 here.
    missing = _post(client, token, {"source": "art_24", "language": "ar"})
    assert missing.status_code == 422 and "target.language" in missing.json()["error"]["fields"]

    # An edit may repeat the language, not change it.
    etag = f'"{note.pk}-v{note.version}"'
    url = f"{API}annotations/{note.pk}"
    moved = client.patch(
        url,
        json.dumps({"target": {"source": EID, "language": "en"}}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **bearer(token),
    )
    assert moved.status_code == 422 and "target.language" in moved.json()["error"]["fields"]
    kept = client.patch(
        url,
        json.dumps({"target": {"source": EID, "language": "ar"}, "bodyValue": "Edited."}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **bearer(token),
    )
    assert kept.status_code == 200, kept.content
    note.refresh_from_db()
    assert note.language == "ar" and note.body == "Edited."


def test_the_downloads_carry_the_text_language(client, analyst, editor, arabic):
    note = arabic_note(analyst, editor)
    annotation_create(provision=note.provision, author=analyst, body="A reply.", in_reply_to=note)
    english = published_annotation(analyst, editor, eid="art_2")
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/export/annotations.csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    languages = {row["id"]: row["text_language"] for row in rows}
    assert languages == {str(note.pk): "ar", str(english.pk): "en"}
    # Added as the last column: files read by position keep their columns.
    assert list(rows[0])[-1] == "text_language"
    dataset = json.loads(b"".join(client.get("/export/dataset.json").streaming_content))
    by_id = {a["id"]: a for a in dataset["annotations"]}
    assert by_id[note.pk]["text_language"] == "ar" and by_id[note.pk]["quote"] == QUOTE
    article = json.loads(
        b"".join(client.get("/convention/articles/2/export.json").streaming_content)
    )
    assert {a["text_language"] for a in article["annotations"]} == {"ar", "en"}


def _jsonld_of_article_2(client) -> bytes:
    response = client.get("/convention/articles/2/annotations.jsonld")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_treatywatch_export_comes_back_on_the_arabic_text(client, analyst, editor, arabic):
    note = arabic_note(analyst, editor)
    raw = _jsonld_of_article_2(client)
    plan = annotation_import_plan(raw=raw)
    assert plan.placed_count == 1 and plan.orphan_count == 0
    imported = annotation_import(plan=plan, importer=editor).created[0]
    assert imported.language == "ar" and imported.quote == QUOTE
    assert imported.anchor_state == Annotation.Anchor.ANCHORED
    assert imported.selectors == note.selectors
    assert imported.quote_source == TextVersion.objects.get(language="ar").label


def test_a_w3c_note_on_a_language_page_is_placed_in_that_language(analyst, arabic):
    """A W3C annotation made on /ar/… with `language` on its target's source (the W3C model
    allows it there too)."""
    note = {
        "type": "Annotation",
        "id": "https://notes.example.org/a/ar-1",
        "bodyValue": "Made elsewhere on the Arabic page.",
        "target": {
            "source": {
                "id": f"https://treatywatch.example.org/ar/convention/articles/2/#{EID}",
                "language": "ar",
            },
            "selector": {"type": "TextQuoteSelector", "exact": QUOTE},
        },
    }
    plan = annotation_import_plan(raw=json.dumps(note).encode(), source_urls=())
    assert plan.placed_count == 1, [p.orphan_reason for p in plan.notes]
    created = annotation_import(plan=plan, importer=analyst).created[0]
    assert created.language == "ar" and created.provision.eid == EID
    assert created.selector("TextPositionSelector")["start"] == START


def test_a_note_on_a_text_not_imported_here_waits_for_an_editor(analyst, official):
    note = {
        "type": "Annotation",
        "id": "https://notes.example.org/a/ru-1",
        "bodyValue": "On the Russian text.",
        "target": {
            "source": "https://treatywatch.example.org/convention/articles/2/",
            "language": "ru",
            "selector": {"type": "TextQuoteSelector", "exact": "слова"},
        },
    }
    plan = annotation_import_plan(raw=json.dumps(note).encode())
    assert plan.orphan_count == 1
    assert "Russian text, which has not been imported here" in plan.notes[0].orphan_reason
    created = annotation_import(plan=plan, importer=analyst).created[0]
    assert created.language == "ru" and created.anchor_state == Annotation.Anchor.ORPHANED


def test_a_language_the_convention_is_not_in_is_said_and_read_as_english(analyst, official):
    note = {
        "type": "Annotation",
        "bodyValue": "Auf Deutsch.",
        "target": {
            "source": "https://treatywatch.example.org/convention/articles/2/",
            "language": "de",
            "selector": {"type": "TextQuoteSelector", "exact": "nicht da"},
        },
    }
    plan = annotation_import_plan(raw=json.dumps(note).encode())
    planned = plan.notes[0]
    assert planned.language == "en"
    assert any("“de” is not one of the Convention's" in r for r in planned.note.remarks)
