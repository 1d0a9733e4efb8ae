"""Search in the reader's language (issue 14), on SQLite's fallback and on PostgreSQL (with each
language's text-search configuration: 'simple' for Arabic). Synthetic Arabic test data only."""

import pytest

from provisions.importing.language_import import import_language_version
from provisions.importing.parser import parse_convention
from provisions.models import ProvisionText
from provisions.search.vectors import rebuild_search_index
from tests.helpers import import_synthetic_english, result_links, synthetic_convention

pytestmark = pytest.mark.django_db

# Two words put into the synthetic Arabic text only: a filler word of our own in Article 5, and
# the English word "Synthetic" in Article 7, which every English article also holds.
ARABIC_WORD = "حوسبة"


@pytest.fixture
def arabic_words(db):
    import_synthetic_english()
    text = synthetic_convention("ar")
    text = text.replace("جملة تجريبية رقم 5.", f"جملة {ARABIC_WORD} رقم 5.")
    text = text.replace("جملة تجريبية رقم 7-1.", "جملة Synthetic رقم 7-1.")
    convention = parse_convention(text, language="ar", partial=True)
    import_language_version(convention=convention, language="ar")


def _search(client, query, language=None):
    prefix = f"/{language}" if language else ""
    return result_links(client.get(f"{prefix}/search/", {"q": query}).content.decode())


def test_an_arabic_reader_finds_words_of_the_arabic_text(client, arabic_words):
    found = _search(client, ARABIC_WORD, "ar")
    assert found and found[0].startswith("/ar/convention/articles/5/")
    # An English reader searches the English text (and the analysis) only.
    assert not any("/articles/5/" in link for link in _search(client, ARABIC_WORD))


def test_the_snippet_is_the_arabic_text_marked_as_arabic(client, arabic_words):
    html = client.get("/ar/search/", {"q": ARABIC_WORD}).content.decode()
    assert f'<p class="snippet" lang="ar" dir="rtl">جملة <mark>{ARABIC_WORD}</mark> رقم 5.</p>' in (
        html
    )
    assert "/ar/convention/articles/5/#art_5" in html


def test_the_readers_language_is_searched_first(client, arabic_words):
    # "Synthetic" is in every English article, and in the Arabic text of Article 7 only.
    assert "/articles/7/" in _search(client, "Synthetic", "ar")[0]
    english = _search(client, "Synthetic")
    assert "/articles/7/" not in english[0]


def test_rebuilding_the_index_keeps_the_language_texts_searchable(client, arabic_words):
    counts = rebuild_search_index()
    if counts:  # PostgreSQL
        assert counts["provision texts"] == ProvisionText.objects.count()
    assert "/articles/5/" in _search(client, ARABIC_WORD, "ar")[0]
