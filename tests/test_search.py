"""Search at /search/: what it finds, for whom, how it highlights, filters and pages.

Most tests run on either database (SQLite uses the fallback search); the ones marked
`postgres` check what only PostgreSQL's full-text search does: stemming, websearch syntax,
ranking by weight, ts_headline snippets and the GIN index.
"""

import random
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection

from provisions.models import Annotation, Provision
from provisions.search import annotation_matches
from provisions.search.facets import FACETS
from provisions.search.matching import annotations_matching
from provisions.search.outcome import search as run_search
from provisions.search.vectors import search_vector_for
from provisions.services import annotation_create, annotation_publish, annotation_update
from tests.helpers import ANONYMOUS_BUDGET, postgres, result_links

pytestmark = pytest.mark.django_db


# A member adds the session, the user and their groups, and the layout's workspace badges.
MEMBER_BUDGET = ANONYMOUS_BUDGET + 6


def annotate(author, body, *, eid="art_24", status="draft", **relations) -> Annotation:
    return annotation_create(
        provision=Provision.objects.get(eid=eid),
        author=author,
        body=body,
        status=status,
        **relations,
    )


def publish(author, editor, body, **kwargs) -> Annotation:
    annotation = annotate(author, body, status="submitted", **kwargs)
    return annotation_publish(annotation=annotation, editor=editor)


def run(query, user=None, **selected):
    return run_search(query, user=user or AnonymousUser(), selected=selected)


def facet_counts(outcome, name) -> dict[str, int]:
    facet = next((f for f in outcome.facets if f.name == name), None)
    return {option.value: option.count for option in facet.options} if facet else {}


# --- The page ----------------------------------------------------------------------------


def test_empty_query_shows_help_with_websearch_examples(client):
    response = client.get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "How to search" in html
    assert "&quot;traffic data&quot;" in html  # a quoted phrase
    assert "extradition OR" in html
    assert "data -personal" in html
    assert '<ol class="results"' not in html


def test_search_is_in_the_main_navigation_and_marked_current(client):
    html = client.get("/search/").content.decode()
    assert '<a href="/search/" aria-current="page">Search</a>' in html
    assert '<a href="/search/">Search</a>' in client.get("/about/").content.decode()


def test_search_input_updates_results_as_you_type(client):
    html = client.get("/search/?q=data").content.decode()
    field = re.search(r'<input type="search"[^>]*>', html, re.S).group()
    assert 'name="q"' in field and 'value="data"' in field
    assert 'data-hx-get="/search/"' in field
    assert 'data-hx-trigger="input changed delay:300ms, search"' in field
    assert 'data-hx-target="#search-results"' in field
    assert 'data-hx-push-url="true"' in field
    # Without JavaScript the same form submits to the same address.
    assert re.search(r'<form id="search-form"[^>]*method="get" action="/search/"', html)
    # The count is announced politely.
    status = re.search(r'<p id="search-status"[^>]*>(.*?)</p>', html, re.S)
    assert 'aria-live="polite"' in status.group()
    assert re.search(r"\d+ results for “data”", status.group(1))


def test_htmx_request_returns_only_the_results_fragment(client):
    response = client.get("/search/?q=preservation", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "site-header" not in html
    assert 'href="/convention/articles/25/#art_25"' in html
    # The count is swapped into the live region outside the fragment.
    assert re.search(r'<p id="search-status" data-hx-swap-oob="innerHTML">\d+ results', html)
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client):
    response = client.get(
        "/search/?q=preservation",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_too_long_query_is_refused_with_a_message(client):
    response = client.get("/search/", {"q": "surveillance " * 20})
    html = response.content.decode()
    assert response.status_code == 200
    assert "That search is too long: use at most 200 characters." in html
    assert '<ol class="results"' not in html


@pytest.mark.parametrize(
    "query",
    [
        "\x00data\x07",
        "da\u200bta\u202e",  # zero-width space, right-to-left override
        "𝔡𝔞𝔱𝔞 🙂 دادہ",
        '"',
        '""" -- - OR OR',
        "%_\\ ' ; DROP TABLE provisions_article; --",
        "<script>alert(1)</script>",
    ],
)
def test_odd_input_is_harmless(client, query):
    response = client.get("/search/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html


def test_bytes_that_are_not_utf8_are_harmless(client):
    # A lone surrogate (ED A0 80) and stray bytes: not UTF-8 at all.
    assert client.get("/search/?q=%ED%A0%80%FF%FEdata").status_code == 200


def test_control_characters_are_dropped_before_searching(client):
    html = client.get("/search/", {"q": "\x00preserva\u200btion\x07"}).content.decode()
    assert 'href="/convention/articles/25/#art_25"' in html
    assert 'value="preservation"' in html


# --- What is found -------------------------------------------------------------------------


def test_finds_articles_by_title_and_links_to_the_matching_provision(client):
    html = client.get("/search/?q=extradition").content.decode()
    assert 'href="/convention/articles/37/#art_37"' in html
    assert "<mark>Extradition</mark>" in html


def test_finds_articles_by_summary(client):
    # "points of contact" is only in the summary of Article 41 (the 24/7 network).
    html = client.get('/search/?q="points of contact"').content.decode()
    assert 'href="/convention/articles/41/#art_41"' in html


def test_finds_concerns_and_safeguard_demands(client):
    html = client.get("/search/?q=whistleblowers").content.decode()
    assert 'href="/concerns/security-researchers/"' in html
    html = client.get("/search/?q=decline").content.decode()
    assert 'href="/safeguards/right-to-decline-cooperation/"' in html


def test_finds_published_annotations_and_links_to_their_permalink(client, analyst, editor):
    annotation = publish(analyst, editor, "A kaleidoscopic reading of the safeguards.")
    html = client.get("/search/?q=kaleidoscopic").content.decode()
    assert result_links(html) == [f"/annotations/{annotation.pk}/"]
    assert "On Article 24. Conditions and safeguards" in html
    assert "<mark>kaleidoscopic</mark>" in html


def test_snippets_escape_everything_but_the_highlight(client, analyst, editor):
    publish(
        analyst,
        editor,
        'Kaleidoscopic <script>alert("x")</script> & <b onmouseover="steal()">bold</b>',
    )
    html = client.get("/search/?q=kaleidoscopic").content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<script" not in snippet and "<b " not in snippet
    # The reader sees the text they wrote, never markup.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in snippet
    assert "&amp;" in snippet
    assert "<mark>Kaleidoscopic</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_unpublished_work_is_never_found_by_readers(client, analyst, other_analyst, editor):
    draft = annotate(analyst, "Kaleidoscopic draft thoughts.")
    submitted = annotate(analyst, "Kaleidoscopic submitted thoughts.", status="submitted")
    links = {f"/annotations/{draft.pk}/", f"/annotations/{submitted.pk}/"}

    assert not set(result_links(client.get("/search/?q=kaleidoscopic").content.decode()))

    client.force_login(analyst)  # the author finds both, marked as not published
    html = client.get("/search/?q=kaleidoscopic").content.decode()
    assert set(result_links(html)) == links
    assert "Draft" in html and "Submitted for review" in html

    client.force_login(other_analyst)  # a colleague sees what was submitted, not the draft
    assert set(result_links(client.get("/search/?q=kaleidoscopic").content.decode())) == {
        f"/annotations/{submitted.pk}/"
    }
    assert not run("kaleidoscopic").total


# --- Facets and pages ----------------------------------------------------------------------


def test_facet_counts_match_what_each_filter_returns():
    outcome = run("data")
    kinds = facet_counts(outcome, "kind")
    assert kinds["article"] > 5 and kinds["concern"] >= 1
    assert sum(kinds.values()) == outcome.total
    for kind, count in kinds.items():
        assert run("data", kind=[kind]).total == count
    chapters = facet_counts(outcome, "chapter")
    assert run("data", chapter=["IV"]).total == chapters["IV"]


SELECTIONS = [
    {},
    {"concern": ["serious-crime-scope"]},
    {"concern": ["serious-crime-scope", "protected-activities"], "tag": ["zf-one"]},
    {"chapter": ["IV"], "demand": ["consult-civil-society"]},
    {"kind": ["annotation"], "tag": ["zf-two", "zf-three"], "chapter": ["II", "V"]},
    {"kind": ["article"]},
    {"kind": ["concern", "annotation"], "demand": ["limit-cross-border-cooperation"]},
]


@pytest.mark.parametrize("selected", SELECTIONS, ids=lambda s: "&".join(sorted(s)) or "none")
def test_annotation_facets_counted_in_the_database_equal_a_count_by_hand(
    selected, analyst, other_analyst, editor
):
    """The database counts annotations' facets (it may hold 100,000): the same numbers and
    the same results as counting by hand over every match, for any combination of selections."""
    rng = random.Random(6)
    concerns = ["serious-crime-scope", "protected-activities", "security-researchers"]
    demands = ["consult-civil-society", "limit-cross-border-cooperation"]
    tags = ["zf one", "zf two", "zf three", "zf four"]
    for n in range(30):
        relations = {
            "concerns": rng.sample(concerns, rng.randint(0, 2)),
            "demands": rng.sample(demands, rng.randint(0, 1)),
            "tags": rng.sample(tags, rng.randint(0, 3)),
        }
        eid = f"art_{rng.choice([1, 9, 17, 25, 33, 41, 49, 57])}"
        body = f"Zebrafinch note {n}."
        if n % 5 == 4:  # a draft: never counted for readers
            annotate(other_analyst, body, eid=eid, **relations)
        else:
            publish(analyst, editor, body, eid=eid, **relations)

    def values(annotation):
        return {
            "chapter": {annotation.provision.article.chapter.number},
            "concern": {c.slug for c in annotation.concerns.all()},
            "demand": {d.slug for d in annotation.demands.all()},
            "tag": {t.slug for t in annotation.tags.all()},
            "kind": {"annotation"},
        }

    matches = [
        values(a) | {"pk": a.pk}
        for a in Annotation.objects.published()
        .filter(body__contains="Zebrafinch")
        .select_related("provision__article__chapter")
    ]

    def passes(match, but=None):
        return all(match[name] & set(wanted) for name, wanted in selected.items() if name != but)

    outcome = run("zebrafinch", **selected)
    for name in FACETS:
        expected = Counter()
        for match in matches:
            if passes(match, but=name):
                expected.update(match[name])
        shown = {value: count for value, count in expected.items() if count}
        shown |= {value: expected[value] for value in selected.get(name, [])}
        assert facet_counts(outcome, name) == shown, name
    passing = [match["pk"] for match in matches if passes(match)]
    assert outcome.total == len(passing)
    found = [result.object.pk for result in outcome.page]
    assert found == sorted(passing, reverse=True)[:20]  # equal rank: newest first


def _zebrafinches(analyst, editor, n=24) -> list[Annotation]:
    rng = random.Random(7)
    notes = []
    for index in range(n):
        notes.append(
            publish(
                analyst,
                editor,
                f"Zebrafinch capped note {index}.",
                eid=f"art_{rng.choice([1, 9, 17, 25, 33, 41, 49, 57])}",
                concerns=rng.sample(["serious-crime-scope", "protected-activities"], 1),
                tags=rng.sample(["zf one", "zf two"], rng.randint(0, 2)),
            )
        )
    return notes


def _hand_counts(notes, name) -> Counter:
    counts = Counter()
    for note in notes:
        if name == "chapter":
            counts[note.provision.article.chapter.number] += 1
        else:
            counts.update(item.slug for item in getattr(note, f"{name}s").all())
    return counts


def test_facet_counts_over_more_matches_than_the_cap_are_lower_bounds(
    analyst, editor, monkeypatch, client
):
    """Past COUNT_CAP matches, the database counts only the first COUNT_CAP it finds: the work
    stays bounded, each count is at most the count by hand, the counted matches are exactly
    COUNT_CAP (each annotation has one chapter), and the page says "8+"."""
    notes = _zebrafinches(analyst, editor)
    monkeypatch.setattr(annotation_matches, "COUNT_CAP", 8)
    outcome = run("zebrafinch")
    assert outcome.capped and outcome.total == 8
    assert sum(facet_counts(outcome, "chapter").values()) == 8
    assert facet_counts(outcome, "kind") == {"annotation": 8}
    for name in ("chapter", "concern", "tag"):
        by_hand = _hand_counts(notes, name)
        for value, count in facet_counts(outcome, name).items():
            assert 0 < count <= by_hand[value], (name, value)
        assert all(option.at_least for facet in outcome.facets for option in facet.options)
    selected = run("zebrafinch", concern=["serious-crime-scope"])
    assert selected.capped and selected.total <= 8
    assert selected.total <= _hand_counts(notes, "concern")["serious-crime-scope"]
    html = client.get("/search/?q=zebrafinch").content.decode()
    assert "8+ results for" in html
    assert "only the 8 most recently added are counted and ranked" in html
    assert "Annotations are counted among the 8 most recently added that match" in html
    assert re.search(r'class="count">\d+\+<', html)


def test_facet_counts_up_to_the_cap_are_exact(analyst, editor, monkeypatch, client):
    notes = _zebrafinches(analyst, editor)
    monkeypatch.setattr(annotation_matches, "COUNT_CAP", len(notes))
    outcome = run("zebrafinch")
    assert not outcome.capped and outcome.total == len(notes)
    for name in ("chapter", "concern", "tag"):
        assert facet_counts(outcome, name) == dict(_hand_counts(notes, name)), name
    html = client.get("/search/?q=zebrafinch").content.decode()
    assert f"{len(notes)} results for" in html and "+ results" not in html


def _ranked_zebrafinches(analyst, editor, n=14) -> list[Annotation]:
    """n matching notes whose ranks (on PostgreSQL: how often the word occurs) are shuffled
    against their age, so that ranking the newest is not the same as taking the newest."""
    rng = random.Random(9)
    repeats = [1 + index % 4 for index in range(n)]
    rng.shuffle(repeats)
    return [
        publish(
            analyst,
            editor,
            " ".join(["Zebrafinch seen."] * times) + f" Note {index}.",
            eid=f"art_{rng.choice([1, 9, 17, 25, 33])}",
            concerns=rng.sample(["serious-crime-scope", "protected-activities"], 1),
        )
        for index, times in enumerate(repeats)
    ]


def _every_page(query, **selected):
    """The outcome of page 1 and the annotations of every page, in order."""
    listed, number = [], 1
    while True:
        outcome = run_search(query, user=AnonymousUser(), selected=selected, page=number)
        listed += [result.object.pk for result in outcome.page if result.kind == "annotation"]
        if not outcome.page.has_next():
            return outcome, listed
        number += 1


@pytest.mark.parametrize("selected", [{}, {"concern": ["serious-crime-scope"]}], ids=["all", "one"])
def test_past_the_cap_the_newest_matches_are_ranked_as_by_hand(
    selected, analyst, editor, monkeypatch
):
    """With more matches than COUNT_CAP, the database ranks only the newest COUNT_CAP: the
    results, over every page, are exactly those matches that pass the selection, ordered by
    rank then newest first, computed here by hand from every match's rank."""
    notes = _ranked_zebrafinches(analyst, editor)
    rank = dict(annotations_matching("zebrafinch", AnonymousUser()).values_list("pk", "rank"))
    assert set(rank) == {note.pk for note in notes}
    if connection.vendor == "postgresql":
        assert len(set(rank.values())) == 4  # ts_rank tells the notes apart, not only their age
    monkeypatch.setattr(annotation_matches, "COUNT_CAP", 8)
    newest = sorted(rank, reverse=True)[:8]
    wanted = {
        note.pk
        for note in notes
        if not selected or note.concerns.filter(slug__in=selected["concern"]).exists()
    }
    by_hand = sorted((pk for pk in newest if pk in wanted), key=lambda pk: (-rank[pk], -pk))
    outcome, listed = _every_page("zebrafinch", **selected)
    assert outcome.capped and outcome.total == len(by_hand) > 0
    assert listed == by_hand
    # Not simply the best of every match: an older, better note is left out.
    best_of_all = sorted((pk for pk in rank if pk in wanted), key=lambda pk: (-rank[pk], -pk))
    if connection.vendor == "postgresql":
        assert listed != best_of_all[: len(listed)]


def test_up_to_the_cap_every_match_is_ranked_as_before(analyst, editor, monkeypatch):
    """Below the cap the bound changes nothing: the order is that of ranking every match in
    the database (rank, then newest first), the statement the search ran before the bound."""
    notes = _ranked_zebrafinches(analyst, editor)
    every_match = annotations_matching("zebrafinch", AnonymousUser()).order_by("-rank", "-pk")
    for cap in (len(notes), 1_000):
        monkeypatch.setattr(annotation_matches, "COUNT_CAP", cap)
        outcome, listed = _every_page("zebrafinch")
        assert not outcome.capped and outcome.total == len(notes)
        assert listed == list(every_match.values_list("pk", flat=True))


def test_pages_of_many_annotations_follow_each_other_without_gaps(analyst, editor):
    for n in range(45):
        publish(analyst, editor, f"Quokka note {n}.", eid=f"art_{n % 60 + 1}")
    pages = [
        run_search("quokka", user=AnonymousUser(), selected={}, page=number) for number in (1, 2, 3)
    ]
    seen = [result.object.pk for outcome in pages for result in outcome.page]
    assert len(seen) == len(set(seen)) == 45 == pages[0].total
    assert seen == sorted(seen, reverse=True)
    assert [len(outcome.page) for outcome in pages] == [20, 20, 5]


def test_facets_combine_or_within_and_across(client):
    both = run("data", kind=["concern", "article"])
    assert both.total == sum(facet_counts(run("data"), "kind")[k] for k in ("concern", "article"))
    narrowed = run("data", kind=["article"], chapter=["IV"])
    articles = [result.object for result in narrowed.page]
    assert articles and all(a.chapter.number == "IV" for a in articles)
    # Counts of a facet ignore its own selection, so other values stay visible to add: the
    # kind counts are those of the other facets' selection alone, a concern among them.
    assert facet_counts(narrowed, "kind") == facet_counts(run("data", chapter=["IV"]), "kind")
    assert facet_counts(narrowed, "kind")["concern"] > 0
    assert "chapter" in {f.name for f in narrowed.facets}


def test_concern_facet_finds_linked_articles_the_concern_and_tagged_annotations(analyst, editor):
    annotation = publish(
        analyst, editor, "Stored data kept far too long.", concerns=["cross-border-personal-data"]
    )
    outcome = run("data", concern=["cross-border-personal-data"])
    found = {(r.kind, r.object.pk) for r in outcome.page}
    assert ("annotation", annotation.pk) in found
    assert ("concern", annotation.concerns.get().pk) in found
    # Article 36 (protection of personal data) carries an approved link to this concern.
    assert ("article", Provision.objects.get(eid="art_36").article_id) in found
    assert all(kind in {"article", "concern", "annotation"} for kind, _pk in found)


def test_tag_facet_lists_tags_of_matching_annotations(client, analyst, editor):
    tagged = publish(analyst, editor, "Judicial data oversight missing.", tags=["oversight"])
    publish(analyst, editor, "More data, no tag.")
    html = client.get("/search/?q=data").content.decode()
    assert 'name="tag" value="oversight"' in html
    html = client.get("/search/?q=data&tag=oversight").content.decode()
    assert result_links(html) == [f"/annotations/{tagged.pk}/"]
    assert re.search(r'value="oversight" id="facet-tag-oversight" checked', html)


def test_tag_facet_works_for_tags_in_any_script(client, analyst, editor):
    tagged = publish(analyst, editor, "Data kept without oversight.", tags=["مراقبة"])
    publish(analyst, editor, "More data, another tag.", tags=["other"])
    html = client.get("/search/?q=data").content.decode()
    assert 'name="tag" value="مراقبة"' in html and ">#مراقبة<" in html.replace("\n", "")
    html = client.get("/search/", {"q": "data", "tag": "مراقبة"}).content.decode()
    assert result_links(html) == [f"/annotations/{tagged.pk}/"]


def test_facet_checkboxes_belong_to_the_search_form(client):
    html = client.get("/search/?q=data&kind=concern").content.decode()
    checkbox = re.search(r'<input type="checkbox"[^>]*value="concern"[^>]*>', html).group()
    assert 'form="search-form"' in checkbox and "checked" in checkbox
    assert all("result-concern" in item for item in re.findall(r'<li class="result [^"]+"', html))
    assert 'type="submit" form="search-form"' in html  # "Apply filters" without JavaScript


def test_unknown_facet_values_are_ignored(client):
    plain = run("data").total
    assert run("data", chapter=["XLII"], concern=["no-such-concern"], kind=["x"]).total == plain
    assert client.get("/search/?q=data&page=abc&chapter=%00").status_code == 200


def test_pagination_keeps_query_and_facets(client, analyst, editor):
    for n in range(25):
        publish(analyst, editor, f"Kaleidoscopic note number {n}.", eid=f"art_{n + 1}")
    html = client.get("/search/?q=kaleidoscopic&kind=annotation").content.decode()
    assert len(result_links(html)) == 20
    assert "25 results for “kaleidoscopic” · page 1 of 2" in html
    assert 'href="?q=kaleidoscopic&amp;kind=annotation&amp;page=2"' in html
    html = client.get("/search/?q=kaleidoscopic&kind=annotation&page=2").content.decode()
    assert len(result_links(html)) == 5
    assert '<ol class="results" start="21">' in html
    assert 'rel="prev" href="?q=kaleidoscopic&amp;kind=annotation&amp;page=1"' in html


def test_query_budget_does_not_grow_with_results(
    client, analyst, editor, django_assert_max_num_queries
):
    def add(numbers):
        for n in numbers:
            publish(
                analyst,
                editor,
                f"Data note {n}.",
                eid=f"art_{n + 1}",
                concerns=["cross-border-personal-data"],
                tags=[f"tag {n}"],
            )

    add(range(2))
    with django_assert_max_num_queries(ANONYMOUS_BUDGET) as few:
        assert client.get("/search/?q=data").status_code == 200
    add(range(2, 30))
    with django_assert_max_num_queries(ANONYMOUS_BUDGET) as many:
        response = client.get("/search/?q=data")
    assert response.status_code == 200
    assert "52 results" in response.content.decode() or connection.vendor == "postgresql"
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(ANONYMOUS_BUDGET):
        client.get("/search/?q=data&page=2&tag=tag-3", headers={"HX-Request": "true"})
    client.force_login(analyst)
    with django_assert_max_num_queries(MEMBER_BUDGET):
        assert client.get("/search/?q=data").status_code == 200


def test_ranking_puts_title_hits_first(analyst, editor):
    publish(analyst, editor, "Extradition is also mentioned in this note.")
    outcome = run("extradition")
    first = next(iter(outcome.page))
    assert (first.kind, first.object.number) == ("article", 37)
    assert [r.kind for r in outcome.page][-1] == "annotation"


def test_rebuild_command(db):
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    if connection.vendor == "postgresql":
        assert "68 articles" in out.getvalue()
    else:
        assert "search fallback" in out.getvalue()


# --- PostgreSQL full-text search ------------------------------------------------------------


@postgres
def test_pg_ranks_title_matches_above_annotation_bodies(analyst, editor):
    note = publish(analyst, editor, "The interception powers worry us; interception again.")
    outcome = run("interception")
    ranked = [(r.kind, r.object.pk) for r in outcome.page]
    titles = [pk for kind, pk in ranked if kind == "article"]
    assert ranked.index(("annotation", note.pk)) > ranked.index(("article", titles[0]))
    # Articles 8, 30 and 46 have "interception" in their titles (weight A).
    assert {r.object.number for r in list(outcome.page)[:3]} == {8, 30, 46}


@postgres
def test_pg_stemming(client, analyst, editor):
    html = client.get("/search/?q=surveil").content.decode()
    assert 'href="/concerns/surveillance-secure-communications/"' in html
    assert "<mark>surveillance</mark>" in html
    note = publish(analyst, editor, "These records were preserved for ten years.")
    links = result_links(client.get("/search/?q=preservation&kind=annotation").content.decode())
    assert links == [f"/annotations/{note.pk}/"]


@postgres
def test_pg_websearch_syntax(analyst, editor):
    phrase = publish(analyst, editor, "Kaleidoscopic rules on traffic data.")
    reversed_words = publish(analyst, editor, "Kaleidoscopic data about traffic.")
    zebra = publish(analyst, editor, "Kaleidoscopic zebra crossings.")

    def found(query):
        return {r.object.pk for r in run(query, kind=["annotation"]).page}

    assert found('kaleidoscopic "traffic data"') == {phrase.pk}
    assert found("kaleidoscopic -zebra") == {phrase.pk, reversed_words.pk}
    assert found("zebra OR traffic") == {phrase.pk, reversed_words.pk, zebra.pk}


@postgres
def test_pg_snippet_is_a_highlighted_headline(client, analyst, editor):
    publish(
        analyst,
        editor,
        "Intro words. " * 30 + 'Interception of "content" & metadata if 5 < 7. ' + "More. " * 30,
    )
    html = client.get("/search/?q=intercepted&kind=annotation").content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<mark>Interception</mark>" in snippet
    assert "&quot;content&quot; &amp; metadata if 5 &lt; 7" in snippet
    assert len(snippet) < 600  # an excerpt, not the whole body


@postgres
def test_pg_services_keep_vectors_current(analyst):
    note = annotate(analyst, "Kaleidoscopic first version.")
    assert Annotation.objects.filter(pk=note.pk, search_vector__isnull=False).exists()
    annotation_update(annotation=note, user=analyst, version=note.version, body="Zebra now.")
    assert run("zebra", user=analyst).total == 1
    assert run("kaleidoscopic", user=analyst).total == 0


@postgres
def test_pg_the_database_keeps_annotation_vectors_as_the_app_defines_them(analyst, editor):
    """The trigger (migration 0018) writes the vector provisions.search.vectors describes, on
    insert (bulk too) and whenever the body is written, and leaves it alone otherwise."""
    note = publish(analyst, editor, "Kaleidoscopic *surveillance* of journalists.")
    Annotation.objects.bulk_create(
        [Annotation(provision=note.provision, author=analyst, body="Bulk zebras.", status="draft")]
    )
    annotation_update(annotation=note, user=editor, version=note.version, body="Ocelots now.")
    expected = Annotation.objects.annotate(expected=search_vector_for(Annotation))
    rows = list(expected.values_list("search_vector", "expected"))
    assert rows and all(kept == wanted for kept, wanted in rows)
    assert run("ocelots").total == 1 and run("kaleidoscopic").total == 0


@postgres
def test_pg_annotation_search_uses_the_gin_index(analyst, editor):
    note = publish(analyst, editor, "Kaleidoscopic.")
    # Many published annotations without the word: the status index alone would not narrow.
    Annotation.objects.bulk_create(
        Annotation(
            provision=note.provision,
            author=analyst,
            body=f"Note {n} about nothing in particular.",
            status="published",
            published_at=note.published_at,
        )
        for n in range(1000)
    )
    # No call to update the vectors: the database's trigger wrote them on insert.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE provisions_annotation")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = annotations_matching("kaleidoscopic", AnonymousUser()).explain()
    # The planner may prefer the status index for the full visible-annotations query on a
    # small table; the full-text condition on its own must be answerable from the GIN index.
    query = SearchQuery("kaleidoscopic", search_type="websearch", config="english")
    match_plan = Annotation.objects.filter(search_vector=query).explain()
    assert "provisions_annotation_search_gin" in plan + match_plan
    assert "provisions_annotation_search_gin" in match_plan


def test_annotation_snippets_show_text_not_markdown(client, analyst, editor):
    publish(analyst, editor, "A **kaleidoscopic** view, see [the report](https://example.org/r).")
    html = client.get("/search/?q=kaleidoscopic").content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<mark>kaleidoscopic</mark>" in snippet and "the report" in snippet
    assert "**" not in snippet and "https://example.org" not in snippet


@postgres
def test_pg_connections_run_without_jit(db):
    """The facet count over many matches looks costly to the planner, which would spend longer
    compiling it (JIT) than running it: the app's connections turn JIT off."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
