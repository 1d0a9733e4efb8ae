"""The in-page annotator's words (static/js/annotator.js) come from the page, in its language:
the article page renders provisions/annotator.py's strings through the catalogues into
#annotator-strings, and the script has no English of its own to fall back on. Also: on a page
showing another language's text, the script is offered that text, and the form it opens keeps
the language."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from provisions.annotator import annotator_strings
from provisions.models import Annotation
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "annotator.js"
ARABIC_H = "جملة تجريبية رقم 2-8؛"
QUOTE = "تجريبية رقم 2-8"


def _code() -> str:
    """The script without its comments (a comment may quote English; the code may not)."""
    source = SCRIPT.read_text()
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", source)


def _keys_asked_for(code: str) -> set[str]:
    """The keys the script passes to t() or status(), including both arms of a `? :`."""
    keys = set()
    for call in re.finditer(r"\b(?:t|status)\(([^()]*?)(?:,|\))", code):
        keys.update(re.findall(r'"(\w+)"', call.group(1)))
    return keys


def _strings_in(html: str) -> dict:
    tag = '<script id="annotator-strings" type="application/json">'
    found = re.search(re.escape(tag) + "(.*?)</script>", html)
    assert found, "no #annotator-strings on the page"
    return json.loads(found.group(1))


def test_the_script_asks_for_exactly_the_strings_the_page_gives():
    asked = _keys_asked_for(_code())
    assert asked == set(annotator_strings()), asked ^ set(annotator_strings())


def test_the_script_holds_no_words_a_reader_sees():
    code = _code()
    english = annotator_strings()
    for text in english.values():
        assert text not in code
    # Every literal of two or more plain words (not class names, selectors or event names) is a
    # message for developers, in the console.
    for literal in re.finditer(r'"([^"\\]*(?:\\.[^"\\]*)*)"', code):
        words = [w for w in literal.group(1).split() if re.fullmatch(r"[A-Za-z]+[,.;:]?", w)]
        if len(words) >= 2 and literal.group(1) != "use strict":
            before = code[: literal.start()].rstrip()
            assert before.endswith(("console.error(", "new Error(")), literal.group(0)
    # Text reaches the page only through t().
    assert re.findall(r"\.textContent\s*=(?!\s*t\()", code) == []
    assert re.findall(r"\.innerHTML\s*=(?!\s*\"\")", code) == []


@pytest.mark.parametrize(
    ("prefix", "language", "annotate"),
    [("/fr", "fr", "Annoter"), ("/ar", "ar", "علِّق"), ("", "en", "Annotate")],
)
def test_the_article_page_gives_the_strings_in_its_language(
    client, analyst, compiled_catalogues, prefix, language, annotate
):
    client.force_login(analyst)
    given = _strings_in(text_of(client.get(f"{prefix}/convention/articles/24/")))
    with translation.override(language):
        expected = annotator_strings()
    assert given == expected
    assert given["annotate"] == annotate
    if language != "en":
        with translation.override("en"):
            english = annotator_strings()
        assert all(given[key] != english[key] for key in english), "untranslated"


def test_readers_get_neither_the_script_nor_its_strings(client):
    html = text_of(client.get("/fr/convention/articles/24/"))
    assert "annotator-strings" not in html and "annotator.js" not in html


def test_a_page_in_arabic_offers_the_arabic_text_to_the_script(client, analyst, arabic):
    client.force_login(analyst)
    html = text_of(client.get("/ar/convention/articles/2/"))
    row = html[html.index('id="art_2__subpara_h"') :]
    row = row[: row.index("</section>")]
    assert (
        f'<p class="provision-text" lang="ar" dir="rtl" data-eid="art_2__subpara_h">{ARABIC_H}</p>'
        in row
    )
    link = re.search(r'<a class="annotate-link" data-eid="art_2__subpara_h"[^>]*>', row).group(0)
    assert 'href="/ar/convention/articles/2/annotate/?eid=art_2__subpara_h&amp;language=ar"' in link
    assert 'data-citation="' in link


def test_the_inline_form_keeps_the_language_and_saves_on_the_arabic_text(client, analyst, arabic):
    """What the script does: GET the link with the selection, then post the form it got."""
    client.force_login(analyst)
    start = ARABIC_H.index(QUOTE)
    selection = {"quote": QUOTE, "start": start, "end": start + len(QUOTE)}
    htmx = {"HX-Request": "true", "HX-Target": "annotate-slot-art_2__subpara_h"}
    url = "/ar/convention/articles/2/annotate/"
    form = text_of(
        client.get(url, {"eid": "art_2__subpara_h", "language": "ar", **selection}, headers=htmx)
    )
    assert '<input type="hidden" name="language" value="ar">' in form
    assert f"{QUOTE}</textarea>" in form
    sent = {
        "provision": "art_2__subpara_h",
        "language": "ar",
        "inline": "1",
        "body": "Inline, on the Arabic words",
        "action": "draft",
        **selection,
    }
    response = client.post(url, sent, headers=htmx)
    assert response.headers.get("HX-Trigger") == "annotation-saved", text_of(response)[:2000]
    note = Annotation.objects.get(body="Inline, on the Arabic words")
    assert note.language == "ar" and note.quote == QUOTE
    assert note.selector("TextPositionSelector") == {
        "type": "TextPositionSelector",
        "start": start,
        "end": start + len(QUOTE),
    }


def test_a_language_outside_the_convention_s_is_read_as_english(client, analyst, arabic):
    """The worst `language` a script or a person can send: never reflected, never a language
    we do not hold; the note is then placed on the English text, where Arabic words are not."""
    client.force_login(analyst)
    start = ARABIC_H.index(QUOTE)
    selection = {"quote": QUOTE, "start": start, "end": start + len(QUOTE)}
    htmx = {"HX-Request": "true", "HX-Target": "annotate-slot-art_2__subpara_h"}
    url = "/ar/convention/articles/2/annotate/"
    for hostile in ('"><script>alert(1)</script>', "de", "AR", "ar\x00"):
        form = client.get(url, {"eid": "art_2__subpara_h", "language": hostile, **selection})
        assert form.status_code == 200
        html = form.content.decode()
        assert "<script>alert(1)" not in html
        assert 'name="language" value="ar"' not in html
        sent = {
            "provision": "art_2__subpara_h",
            "language": hostile,
            "inline": "1",
            "body": f"On {hostile!r}",
            "action": "draft",
            **selection,
        }
        response = client.post(url, sent, headers=htmx)
        assert response.headers.get("HX-Trigger") != "annotation-saved"
    assert not Annotation.objects.filter(author=analyst).exists()
