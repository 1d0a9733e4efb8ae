"""The coverage page: which concerns and safeguard demands are tied to which articles, and gaps
(the counts: provisions/queries/coverage.py)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from provisions.access import public
from provisions.cache.scopes import ANALYSIS
from provisions.cache.serving import cache_public_page
from provisions.models import Concern, SafeguardDemand
from provisions.queries.articles import chapters_with_articles
from provisions.queries.coverage import chapter_coverage, coverage_matrix, is_analysed
from provisions.queries.translations import with_translations

# Articles whose gaps the page lists: the procedural and the cooperation chapters, where the
# coalition's concerns about surveillance powers and cross-border data concentrate.
GAP_CHAPTERS = ("IV", "V")


@public
@require_safe
@cache_public_page(ANALYSIS)
def coverage(request):
    chapters = chapters_with_articles()
    articles = [article for _, chapter_articles in chapters for article in chapter_articles]
    concern_matrix = coverage_matrix(
        with_translations(Concern.objects.all()),
        articles,
        link_field="concern",
        annotation_field="concerns",
    )
    demand_matrix = coverage_matrix(
        with_translations(SafeguardDemand.objects.all()),
        articles,
        link_field="demand",
        annotation_field="demands",
    )
    context = {
        "chapters": chapters,
        "concern_matrix": concern_matrix,
        "demand_matrix": demand_matrix,
        "chapter_coverage": chapter_coverage(chapters),
        "analysed_count": sum(1 for article in articles if is_analysed(article)),
        "article_count": len(articles),
        "unlinked_concerns": [row.point for row in concern_matrix if not row.link_count],
        "unlinked_demands": [row.point for row in demand_matrix if not row.link_count],
        "unanalysed_by_chapter": [
            (chapter, [a for a in chapter_articles if not is_analysed(a)])
            for chapter, chapter_articles in chapters
            if chapter.number in GAP_CHAPTERS
        ],
    }
    return render(request, "provisions/coverage.html", context)
