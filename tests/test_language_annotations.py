"""Annotations made on one language's text (issue 14): anchored in that text, shown with the
same provision in every language with the quote in its own language, and re-anchored only
against that language's text. The Arabic here is synthetic test data (tests/helpers.py)."""

import pytest
from django.core.exceptions import ValidationError

from provisions.anchoring import make_selectors
from provisions.importing.language_import import import_language_version
from provisions.importing.parser import parse_convention
from provisions.models import Annotation, Provision, TextVersion
from provisions.services import annotation_create
from tests.helpers import synthetic_convention

pytestmark = pytest.mark.django_db

ARABIC_H = "جملة تجريبية رقم 2-8؛"
QUOTE = "تجريبية رقم 2-8"


def _arabic_note(analyst, quote=QUOTE, eid="art_2__subpara_h", **kwargs) -> Annotation:
    provision = Provision.objects.get(eid=eid)
    start = ARABIC_H.index(quote)
    return annotation_create(
        provision=provision,
        author=analyst,
        body="An analyst's note on the Arabic text",
        selectors=make_selectors(ARABIC_H, start, start + len(quote)),
        language="ar",
        status=Annotation.Status.SUBMITTED,
        **kwargs,
    )


def _publish(note):
    from django.utils import timezone

    Annotation.objects.filter(pk=note.pk).update(
        status=Annotation.Status.PUBLISHED, published_at=timezone.now()
    )


def test_a_note_on_the_arabic_text_is_anchored_there(analyst, arabic):
    note = _arabic_note(analyst)
    assert note.language == "ar" and note.quote == QUOTE
    assert note.quote_source == TextVersion.objects.get(language="ar").label
    assert note.quote_source_official


def test_words_that_are_not_in_the_arabic_text_are_refused(analyst, arabic):
    provision = Provision.objects.get(eid="art_2__subpara_h")
    english = provision.text
    with pytest.raises(ValidationError):
        annotation_create(
            provision=provision,
            author=analyst,
            body="x",
            selectors=make_selectors(english, 0, 9),  # English words, Arabic text
            language="ar",
        )


def test_no_arabic_text_no_arabic_note(analyst, arabic):
    with pytest.raises(ValidationError, match="has not been imported"):
        annotation_create(
            provision=Provision.objects.get(eid="art_24"), author=analyst, body="x", language="ar"
        )


def test_every_language_shows_the_note_with_its_quote_in_arabic(client, analyst, arabic):
    note = _arabic_note(analyst)
    _publish(note)
    english = client.get("/convention/articles/2/").content.decode()
    row = english[english.index('id="art_2__subpara_h"') :]
    row = row[: row.index("</section>")]
    # Beside the provision, quote marked as Arabic; not highlighted in the English words.
    assert f'lang="ar" dir="rtl">{QUOTE}</blockquote>' in row
    assert f'id="hl-{note.pk}"' not in english
    arabic = client.get("/ar/convention/articles/2/").content.decode()
    assert f'id="hl-{note.pk}"' in arabic  # highlighted in the Arabic words it quotes


def test_an_english_import_leaves_arabic_notes_alone(analyst, arabic):
    from provisions.importing.importer import import_convention

    note = _arabic_note(analyst)
    changed = synthetic_convention("en").replace("Synthetic sentence 2-8;", "Changed words 2-8;")
    import_convention(convention=parse_convention(changed, 15), label="English corrigendum")
    note.refresh_from_db()
    assert note.anchor_state == Annotation.Anchor.ANCHORED and note.quote == QUOTE
    assert note.quote_source == TextVersion.objects.get(language="ar").label


def test_an_arabic_import_re_anchors_arabic_notes_in_the_new_arabic_words(analyst, arabic):
    kept = _arabic_note(analyst)
    text = synthetic_convention("ar").replace(ARABIC_H, "مقدمة " + ARABIC_H)
    report = import_language_version(
        convention=parse_convention(text, language="ar", partial=True),
        language="ar",
        label="Arabic corrigendum",
    )
    assert report.notes_anchored == 1 and report.notes_orphaned == 0
    kept.refresh_from_db()
    assert kept.anchor_state == Annotation.Anchor.ANCHORED and kept.quote_source == (
        "Arabic corrigendum"
    )
    start = kept.selector("TextPositionSelector")["start"]
    assert ("مقدمة " + ARABIC_H)[start : start + len(QUOTE)] == QUOTE

    gone = synthetic_convention("ar").replace(ARABIC_H, "نص آخر؛")
    report = import_language_version(
        convention=parse_convention(gone, language="ar", partial=True),
        language="ar",
        label="Arabic corrigendum 2",
    )
    assert report.notes_orphaned == 1
    kept.refresh_from_db()
    assert kept.anchor_state == Annotation.Anchor.ORPHANED


def test_the_no_javascript_form_annotates_the_arabic_text(client, analyst, arabic):
    client.force_login(analyst)
    url = "/convention/articles/2/annotate/"
    html = client.get(url, {"eid": "art_2__subpara_h", "language": "ar"}).content.decode()
    assert f'<p class="provision-shown-text" lang="ar" dir="rtl">{ARABIC_H}</p>' in html
    assert '<input type="hidden" name="language" value="ar">' in html
    response = client.post(
        url,
        {
            "provision": "art_2__subpara_h",
            "language": "ar",
            "quote": QUOTE,
            "body": "Through the form",
            "action": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = Annotation.objects.get(body="Through the form")
    assert note.language == "ar" and note.quote == QUOTE
