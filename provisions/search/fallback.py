"""The SQLite fallback's matching (development and most tests): every included term must occur
(case-insensitive substring) in one of the searched fields, no excluded term in any, and a
match ranks by the weight of the heaviest field each term occurs in (a stand-in for ts_rank).
"""

from functools import reduce
from operator import add, or_

from django.db.models import Case, FloatField, Model, Q, QuerySet, Value, When

from provisions.search.query import Terms
from provisions.search.vectors import WEIGHTED_FIELDS

# The fallback's stand-in for ts_rank's default weights (A 1.0, B 0.4, C 0.2).
FALLBACK_WEIGHT = {"A": 1.0, "B": 0.4, "C": 0.2}


def fallback_filter(queryset: QuerySet, terms: Terms, lookups) -> QuerySet:
    """Every included term in one of the lookups, no excluded term in any, rank = Σ best weight.

    lookups: [(term → Q, weight)], heaviest first; a term scores its heaviest matching lookup.
    """
    if not terms.include:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))

    def anywhere(term):
        return reduce(or_, (build(term) for build, _weight in lookups))

    condition = Q()
    for term in terms.include:
        condition &= anywhere(term)
    for term in terms.exclude:
        condition &= ~anywhere(term)
    rank = reduce(
        add,
        (
            Case(
                *(When(build(term), then=Value(weight)) for build, weight in lookups),
                default=Value(0.0),
                output_field=FloatField(),
            )
            for term in terms.include
        ),
    )
    return queryset.filter(condition).annotate(rank=rank)


def field_lookups(model: type[Model]):
    return [
        (lambda term, name=name: Q(**{f"{name}__icontains": term}), FALLBACK_WEIGHT[weight])
        for name, weight in WEIGHTED_FIELDS[model]
    ]
