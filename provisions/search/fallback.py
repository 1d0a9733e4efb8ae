"""The SQLite fallback's matching (development and most tests): every included term must occur
(case-insensitive substring) in one of the searched fields, no excluded term in any, and a
match ranks by the weight of the heaviest field each term occurs in (a stand-in for ts_rank).

Terms are looked for in the text as readers see it (`query.as_read`), as PostgreSQL's parser
reads it: a phrase such as "dual criminality" is found in an annotation's `*dual* criminality`,
`**dual criminality**` or `_dual_ criminality`, and across a line break. SQLite has no such
function: `reader_text` is given to every SQLite connection as one (provisions/signals.py
connects `add_sqlite_functions` in `ProvisionsConfig.ready`).
"""

from functools import reduce
from operator import add, or_

from django.db.models import Case, F, FloatField, Func, Model, Q, QuerySet, TextField, Value, When
from django.db.models.lookups import Contains

from provisions.search.query import Terms, as_read
from provisions.search.vectors import WEIGHTED_FIELDS

# The fallback's stand-in for ts_rank's default weights (A 1.0, B 0.4, C 0.2).
FALLBACK_WEIGHT = {"A": 1.0, "B": 0.4, "C": 0.2}
# The name of `reader_text` in SQL.
READER_TEXT = "treatywatch_reader_text"


def reader_text(value: str | None) -> str | None:
    """A field's text as readers see it, in one case: what terms are looked for in."""
    return None if value is None else as_read(value).casefold()


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    """Receiver of `connection_created`: gives a new SQLite connection `reader_text`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(READER_TEXT, 1, reader_text, deterministic=True)


class ReaderText(Func):
    function = READER_TEXT
    output_field = TextField()


def reads(name: str, term: str) -> Q:
    """The field `name` holds `term` (a term of `parse_terms`) as a reader sees the text."""
    return Q(Contains(ReaderText(F(name)), term.casefold()))


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
        (lambda term, name=name: reads(name, term), FALLBACK_WEIGHT[weight])
        for name, weight in WEIGHTED_FIELDS[model]
    ]
