"""The Convention's own headings and preamble in the reader's language (issue 14).

Every file here is synthetic test data built by tests/helpers.synthetic_convention: numbered
filler titles, sentences and recitals in each language's layout, never the Convention's words.
An Arabic version holds Articles 1–15 and the preamble; a French one is partial (Articles 1–3,
with the preamble), so that the other articles fall back to English."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from provisions.importing.parser import parse_convention
from provisions.models import Article, Chapter, ProvisionText, TextVersion
from provisions.public_names import public_name
from tests.helpers import import_synthetic_english, published_annotation, synthetic_convention

pytestmark = pytest.mark.django_db

RECITALS = 3
ARABIC_TITLE_2 = "عنوان مادة تجريبي 2"
ARABIC_CHAPTER_1 = "عنوان فصل تجريبي 1"
FRENCH_TITLE_2 = "Titre d’essai 2"
FRENCH_CHAPTER_1 = "Titre de chapitre d’essai 1"


def _in(language, english):
    """The catalogue's words for `english` in `language` (they must differ from the English)."""
    with translation.override(language):
        words = translation.gettext(english)
    assert words != english, f"{english!r} is not translated into {language}"
    return words


def _import(language, articles=range(1, 16), recitals=RECITALS, tmp_path=None):
    """Through the command, as an operator would: `import_convention FILE --language X
    --partial`; returns its report."""
    path = tmp_path / f"{language}-{articles[0]}-{articles[-1]}.txt"
    path.write_text(synthetic_convention(language, articles, recitals), encoding="utf-8")
    out = StringIO()
    call_command(
        "import_convention",
        str(path),
        "--language",
        language,
        "--partial",
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def _page(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def _title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S)[1]


# --- Importing the preamble ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ar", "zh", "fr", "ru", "es"])
def test_each_language_preamble_is_read_by_its_shape(language):
    convention = parse_convention(
        synthetic_convention(language, recitals=RECITALS), language=language, partial=True
    )
    assert [p.eid for p in convention.preamble] == [
        "preamble",
        *(f"preamble__recital_{n}" for n in range(1, RECITALS + 1)),
    ]
    assert convention.preamble[2].text.rstrip(",،，").endswith("2")
    assert convention.preamble_closing.endswith((":", "："))


def test_a_file_without_a_closing_formula_has_no_preamble():
    """Blocks ending with commas but no closing formula before Chapter I: not a preamble."""
    text = synthetic_convention("ar", recitals=RECITALS).replace("عبارة ختامية تجريبية:", "")
    assert parse_convention(text, language="ar", partial=True).preamble == []


def test_the_language_preamble_is_imported_with_the_articles(titled_versions):
    rows = {
        row.provision.eid: row.text
        for row in ProvisionText.objects.filter(
            text_version__language="ar", provision__article__isnull=True
        ).select_related("provision")
    }
    assert rows == {
        "preamble": "عبارة افتتاحية تجريبية،",
        "preamble__recital_1": "فقرة ديباجة تجريبية رقم 1،",
        "preamble__recital_2": "فقرة ديباجة تجريبية رقم 2،",
        "preamble__recital_3": "فقرة ديباجة تجريبية رقم 3،",
    }
    assert TextVersion.objects.get(language="fr").chapter_titles == {"I": FRENCH_CHAPTER_1}


def test_the_report_says_the_preamble_was_imported_and_a_second_run_changes_nothing(db, tmp_path):
    import_synthetic_english(recitals=RECITALS)
    out = _import("ar", tmp_path=tmp_path)
    assert "It holds the preamble too: the opening words and 3 recitals." in out
    again = _import("ar", tmp_path=tmp_path)
    assert "No changes" in again
    assert ProvisionText.objects.filter(provision__article__isnull=True).count() == 4


def test_a_later_partial_file_without_the_preamble_keeps_it(db, tmp_path):
    import_synthetic_english(recitals=RECITALS)
    _import("ar", range(1, 4), tmp_path=tmp_path)
    out = _import("ar", range(4, 8), recitals=0, tmp_path=tmp_path)
    assert "extended" in out
    version = TextVersion.objects.get(language="ar")
    assert version.provision_texts.filter(provision__eid="preamble__recital_3").exists()


def test_a_preamble_that_does_not_align_is_left_out_and_the_report_says_why(db, tmp_path):
    import_synthetic_english(recitals=RECITALS)
    out = _import("ar", recitals=2, tmp_path=tmp_path)
    assert (
        "The file's preamble was not imported: its recitals do not align with the English text "
        "(in the file: 2; in English: 3)"
    ) in out
    assert not ProvisionText.objects.filter(provision__article__isnull=True).exists()
    assert TextVersion.objects.get(language="ar").articles == list(range(1, 16))


def test_a_preamble_needs_the_english_one_first(db, tmp_path):
    import_synthetic_english()
    out = _import("ar", tmp_path=tmp_path)
    assert "the English official text of the preamble has not been imported" in out
    assert not ProvisionText.objects.filter(provision__article__isnull=True).exists()


# --- Reading: every surface that names an article or a chapter ------------------------------------


def test_table_of_contents_in_arabic(client, titled_versions, compiled_catalogues):
    html = _page(client, "/ar/convention/")
    assert f'<span lang="ar" dir="rtl">{ARABIC_TITLE_2}</span>' in html
    assert f'<span lang="ar" dir="rtl">{ARABIC_CHAPTER_1}</span>' in html
    # Articles 16–68 are not in the Arabic version: English, marked, with a note saying so.
    english_24 = Article.objects.get(number=24).title
    assert f'<span class="art-no">24</span> <span lang="en" dir="ltr">{english_24}</span>' in html
    note = _in(
        "ar", "Titles whose text in %(language)s has not been imported yet are shown in English."
    )
    assert note % {"language": _in("ar", "Arabic")} in html
    # The preamble in Arabic, each part marked.
    assert '<span lang="ar" dir="rtl">فقرة ديباجة تجريبية رقم 2،</span>' in html
    assert "Noting synthetic recital 2," not in html


def test_table_of_contents_in_french_falls_back_for_what_the_partial_version_lacks(
    client, titled_versions, compiled_catalogues
):
    html = _page(client, "/fr/convention/")
    assert f'<span lang="fr" dir="ltr">{FRENCH_TITLE_2}</span>' in html
    assert f'<span lang="fr" dir="ltr">{FRENCH_CHAPTER_1}</span>' in html
    # Article 5 is in the French sample's Chapter I but not in the French version (1–3).
    assert '<span lang="en" dir="ltr">Synthetic title 5</span>' in html
    assert '<span lang="en" dir="ltr">Synthetic chapter title 2</span>' in html
    assert '<span lang="fr" dir="ltr">Considérant d’essai 1,</span>' in html


def test_a_language_without_a_version_shows_the_english_preamble_with_a_note(
    client, titled_versions, compiled_catalogues
):
    html = _page(client, "/ru/convention/")
    assert '<span lang="en" dir="ltr">Noting synthetic recital 1,</span>' in html
    note = "The preamble is shown in English: its text in %(language)s has not been imported yet."
    assert _in("ru", note) % {"language": _in("ru", "Russian")} in html
    assert '<span lang="en" dir="ltr">Synthetic title 2</span>' in html


def test_an_english_reader_sees_english_headings_unmarked(client, titled_versions):
    html = _page(client, "/convention/")
    assert '<span class="art-no">2</span> Synthetic title 2</a>' in html
    assert "Noting synthetic recital 2," in html
    assert ARABIC_TITLE_2 not in html and "language-note" not in html


def test_article_page_heading_title_breadcrumb_contents_and_neighbours(
    client, titled_versions, compiled_catalogues
):
    html = _page(client, "/ar/convention/articles/2/")
    assert ARABIC_TITLE_2 in _title(html)
    h1 = re.search(r'<h1 id="article-title">(.*?)</h1>', html, re.S)[1]
    assert f'<span lang="ar" dir="rtl">{ARABIC_TITLE_2}</span>' in h1
    breadcrumb = html[html.index('class="breadcrumb"') :]
    breadcrumb = breadcrumb[: breadcrumb.index("</nav>")]
    assert f'<span lang="ar" dir="rtl">{ARABIC_CHAPTER_1}</span>' in breadcrumb
    contents = html[html.index('<nav class="contents"') :]
    contents = contents[: contents.index("</nav>")]
    assert '<span lang="ar" dir="rtl">عنوان مادة تجريبي 3</span>' in contents
    assert '<span lang="en" dir="ltr">Synthetic title 2</span>' not in html
    flow = html[html.index('rel="next"') :]
    assert flow.index('<span lang="ar" dir="rtl">عنوان مادة تجريبي 3</span>') < 300

    html = _page(client, "/fr/convention/articles/5/")  # not in the partial French version
    assert "Synthetic title 5" in _title(html)
    h1 = re.search(r'<h1 id="article-title">(.*?)</h1>', html, re.S)[1]
    assert '<span lang="en" dir="ltr">Synthetic title 5</span>' in h1
    assert '<span lang="fr" dir="ltr">Titre d’essai 3</span>' in html  # the contents


def test_compare_view_heading_and_title(client, titled_versions, compiled_catalogues):
    html = _page(client, "/fr/convention/articles/2/compare/?left=fr&right=en")
    assert FRENCH_TITLE_2 in _title(html)
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
    assert f'<span lang="fr" dir="ltr">{FRENCH_TITLE_2}</span>' in h1
    html = _page(client, "/ar/convention/articles/2/compare/?left=ar&right=en")
    assert f'<span lang="ar" dir="rtl">{ARABIC_TITLE_2}</span>' in html


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_compare_form_labels_are_whole_phrases(
    client, titled_versions, compiled_catalogues, language
):
    """Each language choice has a label of its own, one whole translated phrase, tied to it."""
    html = _page(client, f"/{language}/convention/articles/2/compare/?left=ar&right=en")
    form = html[html.index('<form method="get" class="versions-form compare-form"') :]
    form = form[: form.index("</form>")]
    labels = re.findall(r'<label for="([^"]+)">(.*?)</label>', form)
    assert labels == [
        ("id_left", _in(language, "Language of the first column")),
        ("id_right", _in(language, "Language of the second column")),
    ]
    assert '<select id="id_left" name="left">' in form
    assert '<select id="id_right" name="right">' in form


def test_search_result_and_citation_headings(client, titled_versions, compiled_catalogues):
    html = _page(client, "/ar/search/?q=synthetic")
    assert (
        f'<span class="art-no">2.</span> <span lang="ar" dir="rtl">{ARABIC_TITLE_2}</span></a></h3>'
        in html
    )
    assert f'<span lang="ar" dir="rtl">{ARABIC_CHAPTER_1}</span></span>' in html  # its chapter
    html = _page(client, "/fr/search/?q=synthetic")
    assert (
        f'<span class="art-no">2.</span> <span lang="fr" dir="ltr">{FRENCH_TITLE_2}</span>' in html
    )
    # Article 5 is not in the partial French version: its English title, highlighted and marked.
    assert (
        '<span class="art-no">5.</span> <span lang="en" dir="ltr"><mark>Synthetic</mark> title 5'
        in html
    )
    html = _page(client, "/fr/search/?q=art.+2(h)")  # a citation: straight to the provision
    cited = html[html.index("result-citation") :]
    assert f'<span lang="fr" dir="ltr">{FRENCH_TITLE_2}</span>' in cited[: cited.index("</div>")]


def test_annotation_search_result_names_the_article_in_the_readers_language(
    client, titled_versions, analyst, editor, compiled_catalogues
):
    published_annotation(analyst, editor, "A zebrafish note.", eid="art_2")
    published_annotation(analyst, editor, "Another zebrafish note.", eid="art_5")
    html = _page(client, "/ar/search/?q=zebrafish")
    headings = re.findall(r'<li class="result result-annotation">.*?<h3>(.*?)</h3>', html, re.S)
    assert len(headings) == 2
    assert any(f'<span lang="ar" dir="rtl">{ARABIC_TITLE_2}</span>' in h for h in headings)
    html = _page(client, "/fr/search/?q=zebrafish")
    headings = re.findall(r'<li class="result result-annotation">.*?<h3>(.*?)</h3>', html, re.S)
    assert any(f'<span lang="fr" dir="ltr">{FRENCH_TITLE_2}</span>' in h for h in headings)
    assert any('<span lang="en" dir="ltr">Synthetic title 5</span>' in h for h in headings)
    html = _page(client, "/search/?q=zebrafish")  # English: as before, unmarked
    assert "On Article 2. Synthetic title 2</a></h3>" in html


def test_brief_headings(client, titled_versions, compiled_catalogues):
    html = _page(client, "/ar/convention/articles/2/brief/")
    assert ARABIC_TITLE_2 in _title(html)
    assert f'<span lang="ar" dir="rtl">{ARABIC_TITLE_2}</span>' in html
    assert f'<span lang="ar" dir="rtl">{ARABIC_CHAPTER_1}</span>' in html


# --- Query budgets ------------------------------------------------------------------------------

BUDGET_PAGES = [
    "/ar/convention/",
    "/ar/convention/articles/2/",
    "/ar/convention/articles/2/compare/?left=ar&right=en",
    "/ar/convention/articles/2/brief/",
    "/ar/search/?q=synthetic",
    # Concerns only, no article: the chapter filter alone asks for the headings.
    "/ar/search/?q=journalism",
    "/ar/coverage/",
]


def _counts(client) -> dict[str, int]:
    counts = {}
    for address in BUDGET_PAGES:
        _page(client, address)  # warm: sessions, the catalogue
        with CaptureQueriesContext(connection) as queries:
            _page(client, address)
        counts[address] = len(queries)
    return counts


def test_pages_cost_the_same_with_and_without_a_language_version(client, db, tmp_path):
    """An Arabic reader's pages cost the same queries whether Arabic has no version, a small
    partial one (Articles 1–3) or a larger one (1–15, with the preamble): the headings are one
    query however many a page shows, and the text one per language."""
    import_synthetic_english(recitals=RECITALS)
    without = _counts(client)
    _import("ar", range(1, 4), recitals=0, tmp_path=tmp_path)
    small = _counts(client)
    _import("ar", range(4, 16), tmp_path=tmp_path)
    assert TextVersion.objects.filter(language="ar").last().articles == list(range(1, 16))
    large = _counts(client)
    assert without == small == large, (without, small, large)


def test_a_search_without_articles_names_its_chapters_in_the_readers_language(
    client, titled_versions, compiled_catalogues
):
    html = _page(client, "/ar/search/?q=journalism")
    assert 'class="result result-article"' not in html
    arabic = _in("ar", "Chapter %(number)s. %(title)s")
    labels = _chapter_filter_labels(html)
    assert labels and all(label.startswith(arabic.split("%")[0]) for label in labels), labels
    assert all('<span lang="' in label for label in labels), labels


def _chapter_filter_labels(html):
    """The labels of the search page's chapter filter, as marked up."""
    fieldsets = re.findall(r'<fieldset class="facet">(.*?)</fieldset>', html, re.S)
    (chapters,) = [f for f in fieldsets if 'name="chapter"' in f]
    return re.findall(r'<span class="facet-label">(.*?)</span> <span class="count">', chapters)


def test_search_chapter_filter_names_chapters_in_the_readers_language(
    client, titled_versions, compiled_catalogues
):
    """The chapter filter's labels follow the rule of the results: one sentence of the
    interface's language, the chapter's heading in the reader's language, marked; the English
    heading, marked, where the reader's version has none (French holds Chapter I only)."""
    arabic = _in("ar", "Chapter %(number)s. %(title)s")
    assert _chapter_filter_labels(_page(client, "/ar/search/?q=synthetic")) == [
        arabic % {"number": n, "title": f'<span lang="ar" dir="rtl">{title}</span>'}
        for n, title in (("I", ARABIC_CHAPTER_1), ("II", ARABIC_CHAPTER_1[:-1] + "2"))
    ]
    french = _in("fr", "Chapter %(number)s. %(title)s")
    english_2 = Chapter.objects.get(number="II").title
    assert _chapter_filter_labels(_page(client, "/fr/search/?q=synthetic")) == [
        french % {"number": "I", "title": f'<span lang="fr" dir="ltr">{FRENCH_CHAPTER_1}</span>'},
        french % {"number": "II", "title": f'<span lang="en" dir="ltr">{english_2}</span>'},
    ]
    # English: the same sentence, the titles unmarked.
    titles = Chapter.objects.filter(number__in=["I", "II"]).order_by("position")
    titles = titles.values_list("number", "title")  # the chapters of Articles 1–15
    assert _chapter_filter_labels(_page(client, "/search/?q=synthetic")) == [
        f"Chapter {n}. {title}" for n, title in titles
    ]


def test_feed_entries_name_provisions_by_their_citation_in_the_feeds_language(
    client, titled_versions, analyst, editor, compiled_catalogues
):
    """The language-prefixed Atom feed's entry titles name a provision by its citation in the
    feed's language ("المادة 2"), never by an article's title, so no English title shows."""
    note = published_annotation(analyst, editor, "A zebrafish note.", eid="art_2")
    with translation.override("ar"):
        expected = translation.gettext("%(author)s on %(where)s") % {
            "author": public_name(note.author),
            "where": translation.gettext("Article %(number)s") % {"number": 2},
        }
    assert "المادة" in expected
    feed = _page(client, "/ar/feeds/latest.atom")
    titles = re.findall(r"<entry>.*?<title>(.*?)</title>", feed, re.S)
    assert expected in titles
    assert "Synthetic title 2" not in feed
