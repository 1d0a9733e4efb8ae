"""Search reads citations, stop-words and signs the way people type them, on either database.

"article 24", "art. 24", "Art 24(2)", "24(2)(b)" go straight to that provision, shown first with
its citation and a direct link; a citation naming more than exists falls back to what does, and
says so. A query of stop-words or signs alone gets a message, not every row. A `*` or `_` is not a
wildcard over an annotation's raw Markdown. Phrases are found in every kind of text.
"""

import time

import pytest
from django.db import connection

from provisions.citations import Citation, parse_citation, resolve_citation
from provisions.models import Article, Concern, Provision, SafeguardDemand
from provisions.search.query import STOP_WORDS
from provisions.search.vectors import update_search_vectors
from tests.helpers import ANONYMOUS_BUDGET, postgres, published_annotation, result_links

pytestmark = pytest.mark.django_db


def child(parent_eid: str, eid: str, kind: str, label: str, text: str) -> Provision:
    parent = Provision.objects.get(eid=parent_eid)
    return Provision.objects.create(
        treaty=parent.treaty,
        article=parent.article,
        parent=parent,
        eid=eid,
        kind=kind,
        label=label,
        position=parent.position + 1,
        text=text,
    )


@pytest.fixture
def article_24_2_b():
    child("art_24", "art_24__para_2", "paragraph", "2", "Conditions shall include review.")
    return child(
        "art_24__para_2", "art_24__para_2__subpara_b", "subparagraph", "b", "Judicial review."
    )


# --- The parser (no database) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "article", "pinpoints"),
    [
        ("article 24", 24, ()),
        ("Article 24", 24, ()),
        ("ARTICLE  24", 24, ()),
        ("art. 24", 24, ()),
        ("art 24", 24, ()),
        ("Art.24", 24, ()),
        ("Art 24(2)", 24, ("2",)),
        ("Article 24(2)(b)", 24, ("2", "b")),
        ("article 24 (2) (B)", 24, ("2", "b")),
        ("24(2)(b)", 24, ("2", "b")),
        ("24(2)", 24, ("2",)),
        ("art 24 para 2", 24, ("2",)),
        ("article 24 paragraph 2 (b)", 24, ("2", "b")),
        ("Art. 24 para. 2 b", 24, ("2", "b")),
        ("Art. 2(h)", 2, ("h",)),
        ("2(h)", 2, ("h",)),
    ],
)
def test_citations_people_type_are_read(query, article, pinpoints):
    assert parse_citation(query) == Citation(article, pinpoints)


@pytest.mark.parametrize(
    "query",
    [
        "24",  # a bare number is a word to search for, not a citation
        "2024",
        "article",
        "article 24 surveillance",
        "articles 24",
        "art 0",
        "article 24(b)(2)",  # paragraphs are numbers, sub-paragraphs letters
        "24(2) para 3",
        "article 24(02)",
        "article 24(2)(b)(i)(ii)",
        "dual criminality",
        "",
    ],
)
def test_other_queries_are_not_citations(query):
    assert parse_citation(query) is None


@pytest.mark.parametrize(
    "hostile", ["article " + "(2)" * 5000, "art " * 5000 + "x", "24" + " (b" * 5000, "("]
)
def test_parser_refuses_long_or_hostile_input_quickly(hostile):
    """Guards against catastrophic backtracking. A refusal takes microseconds; backtracking over
    these inputs would take minutes, so the bound is generous enough for a loaded machine."""
    started = time.perf_counter()
    assert parse_citation(hostile) is None
    assert time.perf_counter() - started < 5


def test_citation_eids_deepest_first():
    assert Citation(24, ("2", "b")).eids() == [
        "art_24__para_2__subpara_b",
        "art_24__para_2",
        "art_24",
    ]
    assert Citation(2, ("h",)).eids() == ["art_2__subpara_h", "art_2"]


# --- Resolving -----------------------------------------------------------------------------


def test_resolves_to_the_deepest_existing_provision(article_24_2_b):
    found = resolve_citation(Citation(24, ("2", "b")))
    assert (found.provision, found.note) == (article_24_2_b, "")
    assert found.label == "Article 24(2)(b)"
    assert found.url == "/convention/articles/24/#art_24__para_2__subpara_b"


def test_falls_back_to_what_exists_and_says_what_is_missing(article_24_2_b):
    Provision.objects.filter(eid="art_24").update(is_official_text=True)
    found = resolve_citation(Citation(24, ("9",)))
    assert found.provision.eid == "art_24"
    assert found.note == "Article 24 has no paragraph 9."
    found = resolve_citation(Citation(24, ("2", "z")))
    assert found.provision.eid == "art_24__para_2"
    assert found.note == "Article 24(2) has no sub-paragraph (z)."


def test_an_article_that_does_not_exist_is_named():
    found = resolve_citation(Citation(999))
    assert found.provision is None
    assert found.note == "The Convention has no Article 999."


# --- The page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "link", "label"),
    [
        ("article 24", "/convention/articles/24/#art_24", "Article 24"),
        ("art. 24", "/convention/articles/24/#art_24", "Article 24"),
        ("Art 24(2)", "/convention/articles/24/#art_24__para_2", "Article 24(2)"),
        ("24(2)(b)", "/convention/articles/24/#art_24__para_2__subpara_b", "Article 24(2)(b)"),
        (
            "art 24 para 2 b",
            "/convention/articles/24/#art_24__para_2__subpara_b",
            "Article 24(2)(b)",
        ),
    ],
)
def test_a_citation_is_the_first_result_with_a_direct_link(
    client, article_24_2_b, query, link, label
):
    html = client.get("/search/", {"q": query}).content.decode()
    assert result_links(html)[0] == link
    assert f'<h3><a href="{link}">{label}</a></h3>' in html
    assert "Nothing matches" not in html


def test_the_help_shows_how_to_cite(client):
    html = client.get("/search/").content.decode()
    assert '<a href="?q=art.%2024%282%29"><code>art. 24(2)</code></a>' in html
    assert "goes straight to that provision" in html


def test_a_definition_is_cited_by_its_letter(client):
    child("art_2", "art_2__subpara_h", "subparagraph", "h", "“Electronic data” means …")
    html = client.get("/search/", {"q": "Art. 2(h)"}).content.decode()
    assert result_links(html)[0] == "/convention/articles/2/#art_2__subpara_h"
    assert ">Article 2(h)</a>" in html


def test_a_missing_paragraph_falls_back_to_the_article_with_a_note(client):
    Provision.objects.filter(eid="art_24").update(is_official_text=True)
    html = client.get("/search/", {"q": "Article 24(9)"}).content.decode()
    assert result_links(html)[0] == "/convention/articles/24/#art_24"
    assert "Article 24 has no paragraph 9." in html


@pytest.mark.parametrize("query", ["2(h)", "Article 2(h)", "art. 2 (h)"])
def test_before_the_official_text_a_definition_goes_to_the_summary_saying_why(client, query):
    """The seeded summaries have no text per definition (and TreatyWatch writes none): "2(h)"
    is Article 2's summary, and the note does not pretend that (h) is missing."""
    html = client.get("/search/", {"q": query}).content.decode()
    assert result_links(html)[0] == "/convention/articles/2/#art_2"
    assert "has no sub-paragraph" not in html
    assert (
        "Article 2 is shown as our editorial summary, which is not divided into paragraphs or "
        "definitions; once the official text is imported, Article 2(h), if the Convention has "
        "it, gets a place of its own."
    ) in html


def test_a_missing_article_is_said_plainly(client):
    html = client.get("/search/", {"q": "article 999"}).content.decode()
    assert "The Convention has no Article 999." in html
    assert "/convention/articles/999/" not in html


def test_a_citation_costs_one_query_more_than_any_search(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(ANONYMOUS_BUDGET + 1):
        assert client.get("/search/", {"q": "Art 24(2)"}).status_code == 200


# --- Stop-words and signs --------------------------------------------------------------------


@pytest.mark.parametrize("query", ["AND", "a", "the and of", '"the"', "*", "**", "# _ *", "-"])
def test_stop_words_or_signs_alone_get_a_message_not_every_result(client, query):
    html = client.get("/search/", {"q": query}).content.decode()
    assert "Search leaves out very common words" in html
    assert '<ol class="results"' not in html
    assert "The search was not run." in html


def test_a_stop_word_beside_a_real_word_changes_nothing(client):
    words = result_links(client.get("/search/", {"q": "surveillance"}).content.decode())
    assert words
    assert (
        result_links(client.get("/search/", {"q": "the surveillance AND a"}).content.decode())
        == words
    )


def test_star_is_not_a_wildcard_over_raw_markdown(client, analyst, editor):
    """`*` and `_` are Markdown syntax in the stored source, not text a reader sees."""
    marked = published_annotation(
        analyst, editor, "A **bold** point about _emphasis_ in preservation orders."
    )
    plain = result_links(client.get("/search/", {"q": "preservation"}).content.decode())
    assert marked.get_absolute_url() in plain
    # Signs beside a word are left out: the same results as the word alone.
    assert result_links(client.get("/search/", {"q": "preservation *"}).content.decode()) == plain
    assert result_links(client.get("/search/", {"q": "preservation*"}).content.decode()) == plain
    # Raw syntax finds nothing it would not find as words.
    html = client.get("/search/", {"q": "**bold**"}).content.decode()
    assert marked.get_absolute_url() in result_links(html)
    html = client.get("/search/", {"q": "** preservation"}).content.decode()
    assert result_links(html) == plain


@postgres
def test_the_stop_words_are_postgresqls():
    """Both databases agree on what cannot be searched for."""
    with connection.cursor() as cursor:
        for word in sorted(STOP_WORDS):
            cursor.execute("SELECT to_tsvector('english', %s)::text", [word])
            assert cursor.fetchone()[0] == "", word


# --- Phrases everywhere ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["dual criminality", '"dual criminality"', "Dual Criminality"])
def test_a_phrase_is_found_in_summaries_concerns_demands_and_annotations(
    client, analyst, editor, query
):
    """The seeded texts do not use the phrase, so each kind of text is given it here."""
    article = Article.objects.get(number=40)
    article.summary += " Assistance may be refused for lack of dual criminality."
    article.save()
    concern = Concern.objects.order_by("position").first()
    concern.point += " Dual criminality is not required."
    concern.save()
    demand = SafeguardDemand.objects.order_by("position").first()
    demand.point += " Insist on dual criminality."
    demand.save()
    note = published_annotation(
        analyst, editor, "Here *dual* criminality is optional.", eid="art_40"
    )
    update_search_vectors(articles=[article], concerns=[concern], demands=[demand])
    links = result_links(client.get("/search/", {"q": query}).content.decode())
    expected = {
        article.get_absolute_url(),
        concern.get_absolute_url(),
        demand.get_absolute_url(),
    }
    assert {link.split("#")[0] for link in links} >= expected
    assert note.get_absolute_url() in links  # "*dual* criminality" reads "dual criminality"


@pytest.mark.parametrize(
    "body",
    [
        "The *dual* criminality rule.",
        "The **dual criminality** rule.",
        "The _dual_ criminality rule.",
        "The `dual` ~~criminality~~ rule.",
        "The [dual criminality](https://example.org/dc) rule.",
        "The dual\ncriminality rule.",
        "The dual, criminality rule.",
        "The dual (criminality) rule.",
        "The dual " + "*" * 5000 + " criminality rule.",
    ],
)
def test_markdown_signs_and_line_breaks_do_not_break_a_phrase(client, analyst, editor, body):
    """On either database a phrase is looked for in the text as readers see it, not in the
    Markdown source; words that are there but apart are not the phrase."""
    note = published_annotation(analyst, editor, body)
    apart = published_annotation(analyst, editor, "Criminality that is not dual.")

    def notes(query):
        links = result_links(client.get("/search/", {"q": query}).content.decode())
        return {link for link in links if link.startswith("/annotations/")}

    assert notes('"dual criminality"') == {note.get_absolute_url()}
    assert notes('criminality -"dual criminality"') == {apart.get_absolute_url()}
    assert notes("dual criminality") == {note.get_absolute_url(), apart.get_absolute_url()}
