"""Reading the text in the reader's language, and two languages side by side (issue 14).

The Arabic version here is synthetic test data (tests/helpers.synthetic_convention): numbered
filler in the layout of a UN Arabic text, not the Convention's words."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

pytestmark = pytest.mark.django_db

# The reader's language is the address's prefix (/ar/…); unprefixed addresses are English.
ARABIC = "ar"


def _in(language, english):
    """The catalogue's words for `english` in `language` (they must differ: a page that showed
    the English words would otherwise pass)."""
    with translation.override(language):
        words = translation.gettext(english)
    assert words != english, f"{english!r} is not translated into {language}"
    return words


# Literal addresses: reverse() would prefix the language a previous request left active.
def _article(client, number, language=None):
    prefix = f"/{language}" if language else ""
    return client.get(f"{prefix}/convention/articles/{number}/")


def _compare(client, number, query="", language=None):
    prefix = f"/{language}" if language else ""
    return client.get(f"{prefix}/convention/articles/{number}/compare/{query}")


def test_an_arabic_reader_reads_the_arabic_text_right_to_left(client, arabic, compiled_catalogues):
    html = _article(client, 2, ARABIC).content.decode()
    assert '<p class="provision-text" lang="ar" dir="rtl">جملة تجريبية رقم 2-8؛</p>' in html
    assert '<span lang="ar" dir="rtl">عنوان مادة تجريبي 2</span>' in html
    # Article 2(h) is labelled as the Arabic text letters it: (ح).
    assert '<span class="provision-label" lang="ar" dir="rtl">(ح)</span>' in html
    assert _in("ar", "This version holds only some articles.") in html
    assert "A/RES/79/243 annex (official)" not in html  # the Arabic version's label instead
    assert "/ar/convention/articles/2/compare/?left=ar&amp;right=en" in html


def test_an_article_the_version_does_not_hold_is_english_with_a_note(
    client, arabic, compiled_catalogues
):
    html = _article(client, 24, ARABIC).content.decode()
    note = "This article is shown in English: its text in %(language)s has not been imported yet."
    with translation.override("ar"):
        arabic_name = translation.gettext("Arabic")
    assert _in("ar", note) % {"language": arabic_name} in html
    assert 'class="provision-text" lang="en" dir="ltr"' in html
    assert 'class="provision-text" lang="ar"' not in html


def test_a_language_without_a_version_is_english_with_a_note(client, arabic, compiled_catalogues):
    html = _article(client, 2, "ru").content.decode()
    note = "This article is shown in English: its text in %(language)s has not been imported yet."
    assert _in("ru", note).split("%(language)s")[0] in html
    assert "Synthetic sentence 2-8" in html


def test_an_english_reader_sees_the_page_as_before(client, arabic):
    html = _article(client, 2).content.decode()
    assert "جملة" not in html and "language-note" not in html
    assert "Synthetic sentence 2-8" in html


def test_compare_shows_two_languages_paragraph_by_paragraph(client, arabic):
    response = _compare(client, 2, "?left=ar&right=en")
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<li class="compare-row[^"]*" id="([a-z0-9_]+)"', html)
    assert rows[:3] == ["art_2", "art_2__subpara_a", "art_2__subpara_b"] and len(rows) == 11
    assert ">Article 2(h)</a>" in html
    row = html[html.index('id="art_2__subpara_h"') :]
    row = row[: row.index("</li>")]
    arabic_column, english_column = row.split('<div class="compare-column"')[1:]
    assert arabic_column.startswith(' lang="ar" dir="rtl"')
    assert "(ح)" in arabic_column and "جملة تجريبية رقم 2-8؛" in arabic_column
    assert english_column.startswith(' lang="en" dir="ltr"')
    assert "(h)" in english_column and "Synthetic sentence 2-8" in english_column


def test_compare_defaults_to_the_readers_language_beside_english(client, arabic):
    html = _compare(client, 3, language=ARABIC).content.decode()
    assert '<option value="ar" selected>' in html and '<option value="en" selected>' in html
    html = _compare(client, 3).content.decode()  # English reader: English beside Arabic
    assert html.index('lang="en" dir="ltr"><p class="compare-language"') < html.index(
        'lang="ar" dir="rtl"><p class="compare-language"'
    )


def test_compare_a_language_that_lacks_the_article_says_so(client, arabic):
    html = _compare(client, 24, "?left=ar&right=en").content.decode()
    assert "This article's text in Arabic has not been imported yet" in html  # English reader


@pytest.mark.parametrize("query", ["?left=xx", "?right=%3Cscript%3E", "?left=en&right=de"])
def test_compare_refuses_unknown_languages(client, arabic, query):
    response = _compare(client, 2, query)
    assert response.status_code == 400
    assert b"not one of the Convention's languages" in response.content
    assert b"<script>" not in response.content


def test_compare_of_an_unknown_article_is_404(client, arabic):
    assert _compare(client, 99).status_code == 404


def test_compare_query_budget(client, arabic, django_assert_num_queries):
    # Article, the language versions, the provisions, the rows of each language but English:
    # the same whether that language's version holds the article or not.
    with django_assert_num_queries(4):
        assert _compare(client, 2, "?left=ar&right=en").status_code == 200
    with django_assert_num_queries(4):  # English beside a language that lacks the article
        assert _compare(client, 24, "?left=fr&right=en").status_code == 200


def test_article_page_costs_the_same_with_or_without_a_version_in_the_readers_language(
    client, arabic
):
    """Another language reads the article's words in its newest version (one query) and the
    headings (one more), whether or not it has a version: Russian has none here. English reads
    neither."""
    counts, texts = {}, {}
    for language in (ARABIC, "ru", None, ARABIC, "ru", None):  # again, once sessions are warm
        with CaptureQueriesContext(connection) as queries:
            assert _article(client, 2, language).status_code == 200
        counts[language] = len(queries)
        texts[language] = [q["sql"] for q in queries if "provisions_provisiontext" in q["sql"]]
    assert counts[ARABIC] == counts["ru"]
    for language in (ARABIC, "ru"):
        assert len(texts[language]) == 2  # the words, and the headings (article and chapters)
        assert sum(" UNION " in sql for sql in texts[language]) == 1
    assert texts[None] == []
