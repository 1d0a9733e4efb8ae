"""The search vectors on PostgreSQL: every searchable row carries a weighted `search_vector`
(titles A, summaries and provision text B, annotation bodies C; English stemming), GIN-indexed by
migration 0003. An annotation's vector is kept by the database itself (a trigger, migration
0018: set on every insert and every write of the body, so creating a note is one INSERT, not an
INSERT and an UPDATE); for the other rows the write services call `update_search_vectors` after
they change searchable text. On SQLite there are no vectors and these functions do nothing.
"""

from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Model, QuerySet

from provisions.models import (
    Annotation,
    Article,
    Concern,
    Provision,
    ProvisionText,
    SafeguardDemand,
)

SEARCH_CONFIG = "english"
# The text-search configuration of each language version's text (ProvisionText). PostgreSQL has
# no stemmer for Arabic or Chinese: 'simple' indexes their words as written, so a search finds
# only the exact word form (and Chinese, written without spaces, only runs of text between
# punctuation): docs/languages.md.
LANGUAGE_CONFIGS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "simple",
    "zh": "simple",
}

# What goes into each searchable row's vector, with its weight. Migration 0003 fills existing
# rows with the same expressions in SQL.
WEIGHTED_FIELDS = {
    Article: (("title", "A"), ("summary", "B")),
    Provision: (("text", "B"),),
    Concern: (("title", "A"), ("point", "B")),
    SafeguardDemand: (("title", "A"), ("point", "B")),
    Annotation: (("body", "C"),),
}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_vector_for(model: type[Model]) -> SearchVector:
    return reduce(
        add,
        (
            SearchVector(name, weight=weight, config=SEARCH_CONFIG)
            for name, weight in WEIGHTED_FIELDS[model]
        ),
    )


def _rows(model: type[Model], objects) -> QuerySet:
    """A queryset, one object or an iterable of objects / primary keys → a plain queryset."""
    if isinstance(objects, QuerySet):
        return model.objects.filter(pk__in=objects.values("pk"))
    if isinstance(objects, Model):
        return model.objects.filter(pk=objects.pk)
    return model.objects.filter(pk__in=[getattr(item, "pk", item) for item in objects])


def update_search_vectors(*, articles=None, provisions=None, concerns=None, demands=None) -> None:
    """Recompute the search vectors of the given rows (one UPDATE per model; no-op on SQLite).

    Each argument is a queryset, an object or an iterable of objects or primary keys; None
    leaves that model alone. Called by the write services after they change searchable text.
    Annotations need no call: the database's trigger keeps theirs.
    """
    if not is_postgres():
        return
    for model, objects in (
        (Article, articles),
        (Provision, provisions),
        (Concern, concerns),
        (SafeguardDemand, demands),
    ):
        if objects is not None:
            _rows(model, objects).update(search_vector=search_vector_for(model))


def language_vector(language: str) -> SearchVector:
    config = LANGUAGE_CONFIGS[language]
    return SearchVector("title", weight="A", config=config) + SearchVector(
        "text", weight="B", config=config
    )


def update_language_vectors(rows) -> None:
    """Recompute the vectors of language-version texts (ProvisionText objects or a queryset),
    each with its own language's configuration; no-op on SQLite."""
    if not is_postgres():
        return
    pks = [row.pk for row in rows]
    by_language = ProvisionText.objects.filter(pk__in=pks).values_list(
        "text_version__language", flat=True
    )
    for language in set(by_language):
        ProvisionText.objects.filter(pk__in=pks, text_version__language=language).update(
            search_vector=language_vector(language)
        )


def rebuild_search_index() -> dict[str, int]:
    """Recompute every search vector; returns the number of rows per model (empty on SQLite)."""
    if not is_postgres():
        return {}
    counts = {}
    for model in WEIGHTED_FIELDS:
        counts[str(model._meta.verbose_name_plural)] = model.objects.update(
            search_vector=search_vector_for(model)
        )
    texts = ProvisionText.objects.all()
    update_language_vectors(texts)
    counts[str(ProvisionText._meta.verbose_name_plural)] = texts.count()
    return counts
