"""Which articles, concerns, demands and annotations match a query: QuerySets annotated with
`rank`, by full-text search on PostgreSQL and by the fallback (provisions/search/fallback.py)
on SQLite. Visibility of annotations is decided by `Annotation.objects.visible_to(user)`.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from provisions.models import Annotation, Article, Concern, Provision, SafeguardDemand
from provisions.search.fallback import FALLBACK_WEIGHT, fallback_filter, field_lookups, reads
from provisions.search.query import parse_terms
from provisions.search.vectors import SEARCH_CONFIG, is_postgres


def websearch_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def best_provisions(query: SearchQuery) -> QuerySet:
    """The article's provisions matching the query, best first (for correlated subqueries)."""
    return (
        Provision.objects.current()
        .filter(article=OuterRef("pk"), search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "position")
    )


def articles_matching(query: str) -> QuerySet:
    """Articles whose title or summary, or any of whose provisions, match; with `rank`."""
    if is_postgres():
        ts_query = websearch_query(query)
        own_rank = Coalesce(SearchRank(F("search_vector"), ts_query), 0.0)
        provision_rank = Coalesce(Subquery(best_provisions(ts_query).values("rank")[:1]), 0.0)
        return Article.objects.filter(
            Q(search_vector=ts_query)
            | Exists(
                Provision.objects.current().filter(article=OuterRef("pk"), search_vector=ts_query)
            )
        ).annotate(rank=Greatest(own_rank, provision_rank))
    in_provisions = (
        lambda term: Q(
            Exists(Provision.objects.current().filter(reads("text", term), article=OuterRef("pk")))
        ),
        FALLBACK_WEIGHT["B"],
    )
    return fallback_filter(
        Article.objects.all(), parse_terms(query), [*field_lookups(Article), in_provisions]
    )


def _matching(queryset: QuerySet, query: str) -> QuerySet:
    if is_postgres():
        ts_query = websearch_query(query)
        return queryset.filter(search_vector=ts_query).annotate(
            rank=SearchRank(F("search_vector"), ts_query)
        )
    return fallback_filter(queryset, parse_terms(query), field_lookups(queryset.model))


def concerns_matching(query: str) -> QuerySet:
    return _matching(Concern.objects.all(), query)


def demands_matching(query: str) -> QuerySet:
    return _matching(SafeguardDemand.objects.all(), query)


def annotations_matching(query: str, user) -> QuerySet:
    """Only annotations the user may see: published ones for readers, more for members."""
    return _matching(Annotation.objects.visible_to(user), query)
