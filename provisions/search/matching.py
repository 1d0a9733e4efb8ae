"""Which articles, concerns, demands and annotations match a query: QuerySets annotated with
`rank`, by full-text search on PostgreSQL and by the fallback (provisions/search/fallback.py)
on SQLite. Visibility of annotations is decided by `Annotation.objects.visible_to(user)`.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from provisions.models import (
    Annotation,
    Article,
    Concern,
    Provision,
    ProvisionText,
    SafeguardDemand,
)
from provisions.models.treaty import ENGLISH
from provisions.search.fallback import FALLBACK_WEIGHT, fallback_filter, field_lookups, reads
from provisions.search.query import parse_terms
from provisions.search.vectors import LANGUAGE_CONFIGS, SEARCH_CONFIG, is_postgres

# Added to the rank of a match in the reader's language, so that it comes before matches in
# English alone (ranks are at most 1 on PostgreSQL; the fallback's heaviest weight is 1).
READER_FIRST = 1.0


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


def current_texts(language: str) -> QuerySet:
    """The rows of the newest version in `language` (a subquery per row: no query of its own)."""
    return ProvisionText.objects.newest_in(language)


def articles_matching(query: str, language: str = ENGLISH) -> QuerySet:
    """Articles whose title or summary, or any of whose provisions, match; with `rank`. With
    another `language`, articles whose text in that language matches too, ranked first: the
    reader's language is searched first (docs/languages.md)."""
    if is_postgres():
        ts_query = websearch_query(query)
        own_rank = Coalesce(SearchRank(F("search_vector"), ts_query), 0.0)
        provision_rank = Coalesce(Subquery(best_provisions(ts_query).values("rank")[:1]), 0.0)
        condition = Q(search_vector=ts_query) | Exists(
            Provision.objects.current().filter(article=OuterRef("pk"), search_vector=ts_query)
        )
        rank = Greatest(own_rank, provision_rank)
        if language != ENGLISH:
            in_language = language_query(query, language)
            texts = current_texts(language).filter(
                provision__article=OuterRef("pk"), search_vector=in_language
            )
            best = texts.annotate(r=SearchRank(F("search_vector"), in_language)).order_by("-r")
            condition |= Exists(texts)
            rank = Greatest(
                rank,
                Case(
                    When(Exists(texts), then=Subquery(best.values("r")[:1]) + READER_FIRST),
                    default=Value(0.0),
                    output_field=FloatField(),
                ),
            )
        return Article.objects.filter(condition).annotate(rank=rank)
    in_provisions = (
        lambda term: Q(
            Exists(Provision.objects.current().filter(reads("text", term), article=OuterRef("pk")))
        ),
        FALLBACK_WEIGHT["B"],
    )
    lookups = [*field_lookups(Article), in_provisions]
    if language != ENGLISH:
        in_language = (
            lambda term: Q(
                Exists(
                    current_texts(language).filter(
                        reads("text", term), provision__article=OuterRef("pk")
                    )
                )
            ),
            FALLBACK_WEIGHT["A"] + READER_FIRST,
        )
        lookups = [in_language, *lookups]  # heaviest first
    return fallback_filter(Article.objects.all(), parse_terms(query), lookups)


def language_query(query: str, language: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=LANGUAGE_CONFIGS[language])


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
