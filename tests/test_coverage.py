"""The coverage page: matrix counts, gap lists, cell links, chapter shares, and its query budget."""

import re

import pytest
from django.utils import timezone

from provisions.models import (
    Annotation,
    Article,
    Concern,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Statement,
)
from provisions.queries.coverage import coverage_matrix
from tests.helpers import make_member

pytestmark = pytest.mark.django_db

URL = "/coverage/"


@pytest.fixture
def author(db):
    return make_member("annie", "Analysts")


def _annotate(author, eid, *, status="published", concerns=(), demands=()):
    published = status == "published"
    annotation = Annotation.objects.create(
        provision=Provision.objects.get(eid=eid),
        author=author,
        body="x",
        body_html="<p>x</p>",
        status=status,
        published_at=timezone.now() if published else None,
    )
    annotation.concerns.add(*Concern.objects.filter(slug__in=concerns))
    annotation.demands.add(*SafeguardDemand.objects.filter(slug__in=demands))
    return annotation


def _link(eid, *, concern=None, demand=None, status="approved"):
    return ProvisionLink.objects.create(
        provision=Provision.objects.get(eid=eid),
        concern=Concern.objects.get(slug=concern) if concern else None,
        demand=SafeguardDemand.objects.get(slug=demand) if demand else None,
        # A kind belongs to its target (ProvisionLink.kinds_for).
        kind="safeguard_applies" if demand else "raises",
        rationale="test link",
        status=status,
        reviewed_at=None if status == "proposed" else timezone.now(),
    )


def _cell(matrix, slug, number):
    row = next(row for row in matrix if row.point.slug == slug)
    return next(cell for cell in row.cells if cell.article.number == number)


def _page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response, response.content.decode()


def _gap_numbers(context):
    return {a.number for _, articles in context["unanalysed_by_chapter"] for a in articles}


# The page and its markup


def test_page_is_public_accessible_and_in_the_navigation(client):
    response, html = _page(client)
    assert "Coverage of the analysis" in html
    assert 'href="/coverage/" aria-current="page"' in html
    # Wide tables scroll inside a focusable, labelled region; rows and columns have headers.
    assert html.count('<div class="table-scroll" tabindex="0" role="region" aria-label=') == 2
    assert html.count("<caption") == 3  # two matrices and the chapter bars
    assert '<th scope="colgroup" colspan="12"' in html  # Chapter IV spans its 12 articles
    assert html.count('<th scope="row"><a href="/concerns/') == 11
    assert html.count('<th scope="row"><a href="/safeguards/') == 6
    assert html.count('<td class="heat ') == (11 + 6) * 68
    assert "three or more" in html  # the legend


def test_page_has_no_inline_style_or_script_for_the_csp(client):
    _, html = _page(client)
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_empty_cells_are_marked_without_colour(client):
    _, html = _page(client)
    assert (
        '<td class="heat heat-0"><span aria-hidden="true">·</span>'
        '<span class="visually-hidden">Article 25: nothing linked or annotated</span></td>'
    ) in html


# Counts


def test_cell_counts_approved_links(client):
    response, html = _page(client)
    matrix = response.context["concern_matrix"]
    assert [row.point.slug for row in matrix][:2] == ["serious-crime-scope", "protected-activities"]
    cell = _cell(matrix, "serious-crime-scope", 23)
    assert (cell.links, cell.annotations, cell.total, cell.bucket) == (1, 0, 1, "1")
    assert _cell(matrix, "serious-crime-scope", 24).total == 0
    assert "Article 23: 1 link, 0 annotations" in html


def test_published_annotation_with_the_concern_adds_to_the_cell(client, author):
    _annotate(author, "art_23", concerns=["serious-crime-scope"])
    response, html = _page(client)
    cell = _cell(response.context["concern_matrix"], "serious-crime-scope", 23)
    assert (cell.links, cell.annotations, cell.total, cell.bucket) == (1, 1, 2, "2")
    assert "Article 23: 1 link, 1 annotation<" in html
    assert 'class="heat heat-2 chapter-start"' in html  # Article 23 opens Chapter IV


def test_annotation_on_a_paragraph_counts_for_its_article(client, author):
    article = Article.objects.get(number=23)
    Provision.objects.create(
        treaty=article.treaty,
        article=article,
        parent=Provision.objects.get(eid="art_23"),
        eid="art_23__para_1",
        kind="paragraph",
        label="1",
        position=10_000,
        text="A paragraph.",
    )
    _annotate(author, "art_23__para_1", concerns=["serious-crime-scope"])
    _annotate(author, "art_23", concerns=["serious-crime-scope"])
    response, _ = _page(client)
    assert _cell(response.context["concern_matrix"], "serious-crime-scope", 23).annotations == 2


def test_three_or_more_share_the_top_bucket(client, author):
    for _ in range(4):
        _annotate(author, "art_23", concerns=["serious-crime-scope"])
    response, html = _page(client)
    cell = _cell(response.context["concern_matrix"], "serious-crime-scope", 23)
    assert (cell.total, cell.bucket) == (5, "3")
    assert "Article 23: 1 link, 4 annotations" in html


def test_unapproved_links_and_unpublished_annotations_do_not_count(client, author):
    _link("art_23", concern="serious-crime-scope", status="proposed")
    _link("art_23", concern="serious-crime-scope", status="rejected")
    for status in ("draft", "submitted", "rejected"):
        _annotate(author, "art_23", status=status, concerns=["serious-crime-scope"])
    # Published, but tied to another concern: not this cell.
    _annotate(author, "art_23", concerns=["gender-risks"])
    response, _ = _page(client)
    matrix = response.context["concern_matrix"]
    assert _cell(matrix, "serious-crime-scope", 23).total == 1
    assert _cell(matrix, "gender-risks", 23).total == 1


def test_safeguard_matrix_uses_demand_links_and_annotations(client, author):
    # The test's own demand links, not the seed's (editors may correct or reject those).
    ProvisionLink.objects.filter(demand__isnull=False).delete()
    _link("art_40", demand="right-to-decline-cooperation")
    _link("art_35", demand="right-to-decline-cooperation", status="proposed")
    response, html = _page(client)
    matrix = response.context["demand_matrix"]
    assert len(matrix) == 6
    assert _cell(matrix, "right-to-decline-cooperation", 40).total == 1
    assert _cell(matrix, "right-to-decline-cooperation", 35).total == 0
    # Concern links never leak into the demand matrix.
    assert _cell(matrix, "consult-civil-society", 23).total == 0
    assert "Safeguard demands by article" in html

    _annotate(author, "art_40", demands=["right-to-decline-cooperation"])
    response, _ = _page(client)
    cell = _cell(response.context["demand_matrix"], "right-to-decline-cooperation", 40)
    assert (cell.links, cell.annotations) == (1, 1)


def test_matrix_helper_is_shared_by_concerns_and_demands():
    ProvisionLink.objects.filter(demand__isnull=False).delete()
    _link("art_40", demand="limit-cross-border-cooperation")
    articles = list(Article.objects.filter(number__in=[40, 41]).order_by("number"))
    concerns = coverage_matrix(
        Concern.objects.all(), articles, link_field="concern", annotation_field="concerns"
    )
    demands = coverage_matrix(
        SafeguardDemand.objects.all(), articles, link_field="demand", annotation_field="demands"
    )
    assert _cell(concerns, "cross-border-personal-data", 40).links == 1
    assert _cell(demands, "limit-cross-border-cooperation", 40).links == 1
    assert [cell.starts_chapter for cell in concerns[0].cells] == [True, False]


# Links from cells


def test_non_zero_cells_link_to_the_article_provision(client):
    _, html = _page(client)
    assert (
        '<td class="heat heat-1 chapter-start"><a href="/convention/articles/23/#art_23">' in html
    )
    for n in (2, 6, 24, 35, 40, 57):
        assert f'href="/convention/articles/{n}/#art_{n}"' in html


def test_zero_cells_do_not_link(client):
    _, html = _page(client)
    # Articles 25 and 60 have nothing: column headers and gap lists link them, cells do not.
    for n in (25, 60):
        assert f"#art_{n}" not in html
        assert f'href="/convention/articles/{n}/"' in html


# Gaps


def test_unanalysed_articles_of_chapters_iv_and_v_are_listed(client):
    response, html = _page(client)
    chapters = [chapter.number for chapter, _ in response.context["unanalysed_by_chapter"]]
    assert chapters == ["IV", "V"]
    gaps = _gap_numbers(response.context)
    assert {25, 26, 31, 32, 33, 34, 37, 52} <= gaps
    assert gaps.isdisjoint({23, 24, 27, 35, 40, 45})  # linked
    assert gaps.isdisjoint({1, 22, 60})  # other chapters are not listed
    assert "Articles of Chapters IV and V with no analysis" in html
    assert '<a href="/convention/articles/25/"><span class="art-no">25</span>' in html


def test_any_approved_link_or_published_annotation_closes_a_gap(client, author):
    _link("art_25", demand="consult-civil-society")
    _annotate(author, "art_26")  # an annotation tied to no concern is still analysis
    _link("art_31", concern="gender-risks", status="proposed")
    _annotate(author, "art_32", status="draft", concerns=["gender-risks"])
    response, html = _page(client)
    gaps = _gap_numbers(response.context)
    assert gaps.isdisjoint({25, 26})
    assert {31, 32} <= gaps
    assert '<a href="/convention/articles/25/"><span class="art-no">' not in html


def test_concern_without_an_approved_link_is_listed(client):
    response, html = _page(client)
    assert response.context["unlinked_concerns"] == []
    assert "Every concern is linked to at least one article." in html

    concern = Concern.objects.create(
        statement=Statement.objects.get(),
        slug="new-concern",
        title="A brand-new concern",
        position=99,
        point="Something new.",
    )
    _link("art_30", concern="new-concern", status="proposed")
    response, html = _page(client)
    assert response.context["unlinked_concerns"] == [concern]
    assert '<li><a href="/concerns/new-concern/">A brand-new concern</a></li>' in html

    _link("art_30", concern="new-concern")
    response, _ = _page(client)
    assert response.context["unlinked_concerns"] == []


def test_demand_without_an_approved_link_is_listed(client):
    # The test's own demand links: every demand linked but one, which has only a proposal.
    ProvisionLink.objects.filter(demand__isnull=False).delete()
    for demand in SafeguardDemand.objects.exclude(slug="consult-civil-society"):
        _link("art_40", demand=demand.slug)
    _link("art_57", demand="consult-civil-society", status="proposed")
    response, html = _page(client)
    assert [d.slug for d in response.context["unlinked_demands"]] == ["consult-civil-society"]
    assert '<li><a href="/safeguards/consult-civil-society/">' in html

    _link("art_57", demand="consult-civil-society")
    response, _ = _page(client)
    assert response.context["unlinked_demands"] == []


# Chapter shares


def _share(context, number):
    row = next(row for row in context["chapter_coverage"] if row["chapter"].number == number)
    return row["analysed"], row["total"], row["percent"]


def test_chapter_shares(client, author):
    response, html = _page(client)
    assert _share(response.context, "IV") == (6, 12, 50)
    assert _share(response.context, "V") == (5, 18, 28)
    assert _share(response.context, "VII") == (2, 3, 67)  # demand links count as analysis
    assert _share(response.context, "IX") == (0, 10, 0)
    assert response.context["analysed_count"] == 25
    assert "6 of 12" in html
    assert 'class="bar-fill" x="0" y="0" width="50"' in html

    _annotate(author, "art_25")
    response, html = _page(client)
    assert _share(response.context, "IV") == (7, 12, 58)
    assert "7 of 12" in html


def test_home_shows_the_same_chapter_shares(client):
    _link("art_25", demand="consult-civil-society")
    html = client.get("/").content.decode()
    assert "Coverage at a glance" in html
    assert "7 of 12" in html and "2 of 3" in html
    assert 'href="/coverage/"' in html


# Query budget


def _add_analysis(author, n):
    concerns = list(Concern.objects.all())
    demands = list(SafeguardDemand.objects.all())
    provisions = list(Provision.objects.filter(article__isnull=False))
    ProvisionLink.objects.bulk_create(
        ProvisionLink(
            provision=provisions[i % len(provisions)],
            concern=concerns[i % len(concerns)] if i % 2 else None,
            demand=None if i % 2 else demands[i % len(demands)],
            kind="raises" if i % 2 else "safeguard_applies",
            rationale=f"extra {i}",
            status="approved",
            reviewed_at=timezone.now(),
        )
        for i in range(n)
    )
    for i in range(n):
        annotation = _annotate(author, provisions[(i * 7) % len(provisions)].eid)
        annotation.concerns.add(concerns[i % len(concerns)], concerns[(i + 3) % len(concerns)])
        annotation.demands.add(demands[i % len(demands)])


def test_query_budget_does_not_grow_with_analysis(client, author, django_assert_max_num_queries):
    budget = 8  # articles with counts, concerns, demands, and two grouped counts per matrix
    with django_assert_max_num_queries(budget) as before:
        _page(client)
    _add_analysis(author, 100)
    with django_assert_max_num_queries(budget) as after:
        response, _ = _page(client)
    assert response.context["analysed_count"] == 68
    assert len(after.captured_queries) == len(before.captured_queries)
