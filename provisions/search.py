"""Full-text search over the treaty text, summaries, concerns, safeguard demands and annotations.

On PostgreSQL every searchable row carries a weighted `search_vector` (titles A, summaries and
provision text B, annotation bodies C; English stemming), GIN-indexed by migration 0003: a
query is read with websearch syntax ("quoted phrase", OR, -exclude), matches are ranked with
ts_rank and snippets come from ts_headline. On SQLite (development and most tests) a fallback
gives the same results page: every word must occur (case-insensitive substring), title hits
rank first, snippets are a window of text around the first hit.

Articles, concerns and demands are few: a search collects a light hit (kind, id, rank, facet
values) for each, and counts and filters their facets in Python. Annotations can be tens of
thousands: the database counts their facets in one statement and returns only as many of the
best as the requested page needs. Only the current page is loaded in full. The number of
queries is the same whatever the number of matches.

Visibility of annotations is decided by `Annotation.objects.visible_to(user)` and nowhere else.
"""

import html
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import add, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from provisions.citations import CitationMatch, parse_citation, resolve_citation
from provisions.models import (
    Annotation,
    Article,
    Chapter,
    Concern,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Tag,
)

MAX_QUERY_CHARS = 200
RESULTS_PER_PAGE = 20
SEARCH_CONFIG = "english"
# At most this many values of one facet are read from a URL; more is not a person clicking.
MAX_FACET_VALUES = 30
# Tags are open-ended: the facet lists the most frequent ones (and any selected).
MAX_TAG_OPTIONS = 15

# What goes into each searchable row's vector, with its weight. Migration 0003 fills existing
# rows with the same expressions in SQL.
WEIGHTED_FIELDS = {
    Article: (("title", "A"), ("summary", "B")),
    Provision: (("text", "B"),),
    Concern: (("title", "A"), ("point", "B")),
    SafeguardDemand: (("title", "A"), ("point", "B")),
    Annotation: (("body", "C"),),
}
# The fallback's stand-in for ts_rank's default weights (A 1.0, B 0.4, C 0.2).
FALLBACK_WEIGHT = {"A": 1.0, "B": 0.4, "C": 0.2}

KINDS = ("article", "concern", "demand", "annotation")
KIND_LABELS = {
    "article": gettext_lazy("Articles"),
    "concern": gettext_lazy("Concerns"),
    "demand": gettext_lazy("Safeguard demands"),
    "annotation": gettext_lazy("Annotations"),
}
KIND_LABEL_ONE = {
    "article": gettext_lazy("Article"),
    "concern": gettext_lazy("Concern"),
    "demand": gettext_lazy("Safeguard demand"),
    "annotation": gettext_lazy("Annotation"),
}
FACETS = ("kind", "chapter", "concern", "demand", "tag")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Keeping the vectors current ----------------------------------------------------------


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


def update_search_vectors(
    *, articles=None, provisions=None, annotations=None, concerns=None, demands=None
) -> None:
    """Recompute the search vectors of the given rows (one UPDATE per model; no-op on SQLite).

    Each argument is a queryset, an object or an iterable of objects or primary keys; None
    leaves that model alone. Called by the write services after they change searchable text.
    """
    if not is_postgres():
        return
    for model, objects in (
        (Article, articles),
        (Provision, provisions),
        (Annotation, annotations),
        (Concern, concerns),
        (SafeguardDemand, demands),
    ):
        if objects is not None:
            _rows(model, objects).update(search_vector=search_vector_for(model))


def rebuild_search_index() -> dict[str, int]:
    """Recompute every search vector; returns the number of rows per model (empty on SQLite)."""
    if not is_postgres():
        return {}
    counts = {}
    for model in WEIGHTED_FIELDS:
        counts[str(model._meta.verbose_name_plural)] = model.objects.update(
            search_vector=search_vector_for(model)
        )
    return counts


# --- Reading the query ----------------------------------------------------------------------


def clean_query(raw) -> str:
    """NFC, control characters (newlines, NUL…) as spaces, invisible format characters dropped,
    whitespace collapsed. What remains is safe to hand to either database."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            kept.append(" ")
        elif category not in {"Cf", "Cs", "Cn"}:
            kept.append(ch)
    return " ".join("".join(kept).split())


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}.,;:!?"
# Markdown's syntax is not text: a `*` or `_` in a query must not find the raw `**bold**` of an
# annotation's source (PostgreSQL's parser drops these signs too). They separate words.
_MARKUP = re.compile(r"[*_`~#>|\\\[\]<=^]+")
_WORD = re.compile(r"\w+")

# The words PostgreSQL's english configuration ignores (its english.stop), so that both
# databases agree on what cannot be searched for; tests/test_search_citations.py checks them on
# PostgreSQL.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


@dataclass(frozen=True, slots=True)
class Terms:
    """The fallback's reading of a websearch query: words and phrases to find and to avoid."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]


def parse_terms(query: str) -> Terms:
    include, exclude = [], []
    for match in _TOKEN.finditer(query):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None:
            negated = word.startswith("-")
            word = word.lstrip("-")
            if word.lower() in STOP_WORDS:  # OR, and words PostgreSQL ignores as well
                continue
            phrase = word
        term = " ".join(_MARKUP.sub(" ", phrase).split()).strip(_EDGE_PUNCTUATION)
        if term:
            (exclude if negated else include).append(term)
    return Terms(tuple(dict.fromkeys(include)), tuple(dict.fromkeys(exclude)))


def has_searchable_words(query: str) -> bool:
    """Whether the query holds a word that is not a stop-word ("a", "AND", "the") and not only
    signs (`*`, `#`): without one, PostgreSQL finds nothing and a substring search everything,
    so the page explains instead of searching."""
    return any(word.lower() not in STOP_WORDS for word in _WORD.findall(_MARKUP.sub(" ", query)))


# --- Matching: QuerySets annotated with `rank` -------------------------------------------


def _ts_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def _fallback_filter(queryset: QuerySet, terms: Terms, lookups) -> QuerySet:
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


def _field_lookups(model: type[Model]):
    return [
        (lambda term, name=name: Q(**{f"{name}__icontains": term}), FALLBACK_WEIGHT[weight])
        for name, weight in WEIGHTED_FIELDS[model]
    ]


def _best_provisions(query: SearchQuery) -> QuerySet:
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
        ts_query = _ts_query(query)
        own_rank = Coalesce(SearchRank(F("search_vector"), ts_query), 0.0)
        provision_rank = Coalesce(Subquery(_best_provisions(ts_query).values("rank")[:1]), 0.0)
        return Article.objects.filter(
            Q(search_vector=ts_query)
            | Exists(
                Provision.objects.current().filter(article=OuterRef("pk"), search_vector=ts_query)
            )
        ).annotate(rank=Greatest(own_rank, provision_rank))
    in_provisions = (
        lambda term: Q(
            Exists(Provision.objects.current().filter(article=OuterRef("pk"), text__icontains=term))
        ),
        FALLBACK_WEIGHT["B"],
    )
    return _fallback_filter(
        Article.objects.all(), parse_terms(query), [*_field_lookups(Article), in_provisions]
    )


def _matching(queryset: QuerySet, query: str) -> QuerySet:
    if is_postgres():
        ts_query = _ts_query(query)
        return queryset.filter(search_vector=ts_query).annotate(
            rank=SearchRank(F("search_vector"), ts_query)
        )
    return _fallback_filter(queryset, parse_terms(query), _field_lookups(queryset.model))


def concerns_matching(query: str) -> QuerySet:
    return _matching(Concern.objects.all(), query)


def demands_matching(query: str) -> QuerySet:
    return _matching(SafeguardDemand.objects.all(), query)


def annotations_matching(query: str, user) -> QuerySet:
    """Only annotations the user may see: published ones for readers, more for members."""
    return _matching(Annotation.objects.visible_to(user), query)


# --- Hits and facets ---------------------------------------------------------------------


@dataclass(slots=True)
class Hit:
    """One match before its page is loaded: enough to sort, filter and count facets."""

    kind: str
    pk: int
    rank: float
    order: int  # tie-break within a kind: reading order, or newest first for annotations
    chapter: set = field(default_factory=set)
    concern: set = field(default_factory=set)
    demand: set = field(default_factory=set)
    tag: set = field(default_factory=set)

    def values(self, facet: str) -> set:
        return {self.kind} if facet == "kind" else getattr(self, facet)

    @property
    def sort_key(self):
        return (-round(self.rank, 6), KINDS.index(self.kind), self.order)


def _article_hits(query: str) -> list[Hit]:
    hits = {
        pk: Hit("article", pk, rank or 0.0, number, chapter={chapter_id})
        for pk, rank, number, chapter_id in articles_matching(query).values_list(
            "pk", "rank", "number", "chapter_id"
        )
    }
    if hits:
        links = (
            ProvisionLink.objects.public()
            .filter(provision__article__in=list(hits))
            .values_list("provision__article", "concern", "demand")
        )
        for article_id, concern_id, demand_id in links:
            if concern_id:
                hits[article_id].concern.add(concern_id)
            else:
                hits[article_id].demand.add(demand_id)
    return list(hits.values())


def _point_hits(query: str) -> list[Hit]:
    """Concerns and demands; each counts under itself and under the chapters it is linked to."""
    concerns = {
        pk: Hit("concern", pk, rank or 0.0, position, concern={pk})
        for pk, rank, position in concerns_matching(query).values_list("pk", "rank", "position")
    }
    demands = {
        pk: Hit("demand", pk, rank or 0.0, position, demand={pk})
        for pk, rank, position in demands_matching(query).values_list("pk", "rank", "position")
    }
    if concerns or demands:
        links = (
            ProvisionLink.objects.public()
            .filter(Q(concern__in=list(concerns)) | Q(demand__in=list(demands)))
            .filter(provision__article__isnull=False)
            .values_list("concern", "demand", "provision__article__chapter")
        )
        for concern_id, demand_id, chapter_id in links:
            hit = concerns.get(concern_id) or demands.get(demand_id)
            if hit:
                hit.chapter.add(chapter_id)
    return [*concerns.values(), *demands.values()]


class AnnotationMatches:
    """The annotations matching a query, counted and paged by the database.

    They can be many (one common word matches a tenth of 100,000 annotations), so unlike the
    few articles, concerns and demands they never become one Python object per match: one SQL
    statement counts every facet value at once (each facet ignoring its own selection), and
    the page reads only the best `stop` matches, ordered by rank.
    """

    def __init__(self, query: str, user):
        self.matches = annotations_matching(query, user).order_by()

    def _filtered(self, active: dict[str, set]) -> QuerySet:
        """The matches that pass every facet selection (OR within a facet, AND across)."""
        matches = self.matches
        if active["kind"] and "annotation" not in active["kind"]:
            return matches.none()
        if active["chapter"]:
            matches = matches.filter(provision__article__chapter__in=active["chapter"])
        for name in ("concern", "demand", "tag"):
            if active[name]:
                model, own, other = _through(name)
                rows = model.objects.filter(**{own: OuterRef("pk"), f"{other}__in": active[name]})
                matches = matches.filter(Exists(rows))
        return matches

    def best(self, active: dict[str, set], stop: int) -> list[Hit]:
        """The first `stop` matches passing the selection, best first (rank, then newest)."""
        rows = self._filtered(active).order_by("-rank", "-pk").values_list("pk", "rank")[:stop]
        return [Hit("annotation", pk, rank or 0.0, -pk) for pk, rank in rows]

    def facet_counts(self, active: dict[str, set]) -> tuple[dict[str, Counter], int]:
        """Per facet, matches that would remain with each value given the other facets; and the
        number of matches passing every facet. One statement, whatever the number of matches.

        `m` holds the matches, `rel` one row per (match, facet, value); with a selection, `ok`
        says per match which facets' selections it passes, and a value of facet F is counted
        over the matches that pass every facet but F.
        """
        quote = connection.ops.quote_name
        counts = {name: Counter() for name in FACETS}
        try:
            match_sql, params = self.matches.values_list(
                "pk", "provision__article__chapter"
            ).query.sql_with_params()
        except EmptyResultSet:  # a query that cannot match anything (only punctuation)
            return counts, 0
        relations = ["SELECT m.id, 'chapter', m.chapter FROM m WHERE m.chapter IS NOT NULL"]
        for name in ("concern", "demand", "tag"):
            model, own, other = map(quote, _through(name, table=True))
            relations.append(
                f"SELECT r.{own}, '{name}', r.{other} "  # noqa: S608 — names, not input
                f"FROM {model} r JOIN m ON m.id = r.{own}"
            )
        sql = (
            f"WITH m (id, chapter) AS ({match_sql}), "
            f"rel (id, facet, value) AS ({' UNION ALL '.join(relations)}) "
        )
        params = list(params)
        selecting = [name for name in _COUNTED_FACETS if active[name]]
        if not selecting:
            sql += (
                "SELECT facet, value, COUNT(*) FROM rel GROUP BY facet, value "
                "UNION ALL SELECT 'kind', NULL, COUNT(*) FROM m"
            )
        else:
            passes = []  # per facet: 1 when the match passes that facet's selection
            for name in _COUNTED_FACETS:
                if name in selecting:
                    marks = ", ".join(["%s"] * len(active[name]))
                    passes.append(
                        f"MAX(CASE WHEN rel.facet = '{name}' AND rel.value IN ({marks}) "
                        f"THEN 1 ELSE 0 END) AS ok_{name}"
                    )
                    params += sorted(active[name])
                else:
                    passes.append(f"1 AS ok_{name}")

            def passing(but=None):
                return " AND ".join(f"ok.ok_{name} = 1" for name in _COUNTED_FACETS if name != but)

            per_value = " OR ".join(
                f"(rel.facet = '{name}' AND {passing(but=name)})" for name in _COUNTED_FACETS
            )
            sql += (
                f", ok AS (SELECT m.id, {', '.join(passes)} FROM m "  # noqa: S608 — no input
                f"LEFT JOIN rel ON rel.id = m.id GROUP BY m.id) "
                f"SELECT rel.facet, rel.value, COUNT(*) FROM rel JOIN ok ON ok.id = rel.id "
                f"WHERE {per_value} GROUP BY rel.facet, rel.value "
                f"UNION ALL SELECT 'kind', NULL, COUNT(*) FROM ok WHERE {passing()}"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for facet, value, count in cursor.fetchall():
                if facet == "kind":
                    value = "annotation"
                if count:
                    counts[facet][value] = count
        if active["kind"] and "annotation" not in active["kind"]:
            # Annotations are filtered out: they still count under "kind", to be ticked back.
            return {name: counts["kind"] if name == "kind" else Counter() for name in FACETS}, 0
        return counts, counts["kind"]["annotation"]


# The facets counted over annotations' relations (kind is the same for every annotation).
_COUNTED_FACETS = ("chapter", "concern", "demand", "tag")


def _through(name: str, *, table=False):
    """The many-to-many model (or its table) behind the concern, demand or tag facet, its column
    for the annotation and its column for the other side (e.g. "safeguarddemand_id")."""
    field = Annotation._meta.get_field(f"{name}s")
    through = field.remote_field.through
    return (
        through._meta.db_table if table else through,
        field.m2m_column_name(),
        field.m2m_reverse_name(),
    )


@dataclass(slots=True)
class FacetOption:
    value: str  # as it appears in the URL
    label: str
    count: int
    selected: bool
    input_id: str


@dataclass(slots=True)
class Facet:
    name: str  # the URL parameter
    legend: str
    options: list[FacetOption]


def _passes(hit: Hit, selected: dict[str, set], ignore: str | None = None) -> bool:
    """AND across facets, OR within one; `ignore` leaves one facet out (for its own counts)."""
    return all(
        hit.values(name) & wanted for name, wanted in selected.items() if wanted and name != ignore
    )


def _facet_counts(hits: list[Hit], selected: dict[str, set]) -> dict[str, Counter]:
    """Per facet value: matches that would remain with that value, given the other facets."""
    counts = {name: Counter() for name in FACETS}
    for hit in hits:
        for name in FACETS:
            if _passes(hit, selected, ignore=name):
                counts[name].update(hit.values(name))
    return counts


def _options(name, choices, counts: Counter, selected: set, limit=None) -> list[FacetOption]:
    """choices: [(key, URL value, label)] in display order; empty unselected ones are left out."""
    shown = [
        (key, value, label)
        for key, value, label in choices
        if counts[key] or key in selected  # a selected value stays, so it can be unticked
    ]
    if limit is not None and len(shown) > limit:
        top = {key for key, _count in counts.most_common(limit)}
        shown = [choice for choice in shown if choice[0] in top or choice[0] in selected]
    return [
        FacetOption(
            value=value,
            label=label,
            count=counts[key],
            selected=key in selected,
            input_id=f"facet-{name}-{value}",
        )
        for key, value, label in shown
    ]


# --- Results of the current page -------------------------------------------------------------


@dataclass(slots=True)
class Result:
    kind: str
    url: str
    title: SafeString
    context: str  # where it belongs: "Chapter IV", "Article 24 · art_24__para_2"
    snippet: SafeString
    object: Model

    @property
    def kind_label(self) -> str:
        return KIND_LABEL_ONE[self.kind]


class _Highlighter:
    """Snippets where only <mark> is markup: everything from the database is escaped."""

    WINDOW_BEFORE = 70
    WINDOW_AFTER = 190

    def __init__(self, terms: Terms):
        # Unguessable per search, so that no stored text can pose as a highlight boundary.
        token = secrets.token_hex(6)
        self.start, self.stop = f"twhl{token}s", f"twhl{token}e"
        words = sorted(terms.include, key=len, reverse=True)
        self.pattern = (
            re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
            if words
            else None
        )

    def headline(self, field_name: str, ts_query: SearchQuery, *, whole=False) -> SearchHeadline:
        options = {"highlight_all": True} if whole else {"max_words": 40, "min_words": 20}
        return SearchHeadline(
            field_name,
            ts_query,
            config=SEARCH_CONFIG,
            start_sel=self.start,
            stop_sel=self.stop,
            **options,
        )

    def from_headline(self, headline: str | None, *, of_html=False) -> SafeString:
        """ts_headline output → escaped text with our sentinels turned into <mark>.

        of_html: the headline was taken from stored HTML; ts_headline has dropped its tags,
        its entities (&amp;, &lt;…) become the characters they stand for before escaping.
        """
        text = html.unescape(headline or "") if of_html else headline or ""
        html_text = escape(text).replace(self.start, "<mark>").replace(self.stop, "</mark>")
        return mark_safe(html_text)  # noqa: S308 — escaped above; only our <mark> tags added

    def finds(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text or ""))

    def snippet(self, text: str, *, whole=False) -> SafeString:
        """The fallback: a window around the first hit (or all of it), hits wrapped in <mark>."""
        text = " ".join((text or "").split())
        found = self.pattern.search(text) if self.pattern else None
        start, end = 0, len(text)
        if not whole:
            if found:
                start = max(0, found.start() - self.WINDOW_BEFORE)
                end = min(len(text), found.end() + self.WINDOW_AFTER)
            else:
                end = min(len(text), self.WINDOW_BEFORE + self.WINDOW_AFTER)
            # Cut at word boundaries.
            if start > 0:
                space = text.find(" ", start, found.start() if found else end)
                start = space + 1 if space != -1 else start
            if end < len(text):
                space = text.rfind(" ", found.end() if found else start, end)
                end = space if space != -1 else end
        window = text[start:end]
        pieces, last = [], 0
        for hit in self.pattern.finditer(window) if self.pattern else ():
            pieces += [escape(window[last : hit.start()]), "<mark>", escape(hit.group()), "</mark>"]
            last = hit.end()
        pieces.append(escape(window[last:]))
        marked = ("… " if start > 0 else "") + "".join(pieces) + (" …" if end < len(text) else "")
        return mark_safe(marked)  # noqa: S308 — every piece of text escaped; <mark> is ours


def _load_articles(ids, query: str, hl: _Highlighter) -> dict[int, Result]:
    articles = Article.objects.filter(pk__in=ids).select_related("chapter")
    results = {}
    if is_postgres():
        ts_query = _ts_query(query)
        best = _best_provisions(ts_query)
        articles = articles.annotate(
            match_eid=Subquery(best.values("eid")[:1]),
            match_headline=Subquery(
                best.annotate(headline=hl.headline("text", ts_query)).values("headline")[:1]
            ),
            summary_headline=hl.headline("summary", ts_query),
            title_headline=hl.headline("title", ts_query, whole=True),
        )
        for article in articles:
            results[article.pk] = _article_result(
                article,
                article.match_eid,
                hl.from_headline(article.title_headline),
                hl.from_headline(article.match_headline or article.summary_headline),
            )
        return results
    articles = articles.prefetch_related(
        Prefetch("provisions", queryset=Provision.objects.current().order_by("position"))
    )
    for article in articles:
        matched = next((p for p in article.provisions.all() if hl.finds(p.text)), None)
        results[article.pk] = _article_result(
            article,
            matched.eid if matched else None,
            hl.snippet(article.title, whole=True),
            hl.snippet(matched.text if matched else article.summary),
        )
    return results


def _article_result(article: Article, eid, title, snippet) -> Result:
    return Result(
        kind="article",
        url=article.get_absolute_url() + f"#{eid or article.eid}",
        title=title,
        context=_("Chapter %(number)s. %(title)s")
        % {"number": article.chapter.number, "title": article.chapter.title},
        snippet=snippet,
        object=article,
    )


def _load_points(model, kind: str, ids, query: str, hl: _Highlighter) -> dict[int, Result]:
    points = model.objects.filter(pk__in=ids)
    if is_postgres():
        ts_query = _ts_query(query)
        points = points.annotate(
            title_headline=hl.headline("title", ts_query, whole=True),
            point_headline=hl.headline("point", ts_query),
        )

    def rendered(point):
        if is_postgres():
            return hl.from_headline(point.title_headline), hl.from_headline(point.point_headline)
        return hl.snippet(point.title, whole=True), hl.snippet(point.point)

    context = _("The coalition's concern") if kind == "concern" else _("The coalition's demand")
    results = {}
    for point in points:
        title, snippet = rendered(point)
        results[point.pk] = Result(kind, point.get_absolute_url(), title, context, snippet, point)
    return results


def html_to_text(stored_html: str) -> str:
    """The text of sanitised stored HTML (tags become spaces), for snippets only."""
    return html.unescape(re.sub(r"<[^>]*>", " ", stored_html or ""))


def _load_annotations(ids, query: str, user, hl: _Highlighter) -> dict[int, Result]:
    annotations = (
        Annotation.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("provision__article", "author__member")
        .with_body_editor()
    )
    if is_postgres():
        annotations = annotations.annotate(
            # From the rendered body: the reader sees text, not Markdown syntax.
            body_headline=hl.headline("body_html", _ts_query(query))
        )
    results = {}
    for annotation in annotations:
        provision = annotation.provision
        if provision.article_id:
            where = _("Article %(number)s") % {"number": provision.article.number}
            title = _("On Article %(number)s. %(title)s") % {
                "number": provision.article.number,
                "title": provision.article.title,
            }
        else:
            where = title = _("On the preamble")
        snippet = (
            hl.from_headline(annotation.body_headline, of_html=True)
            if is_postgres()
            else hl.snippet(html_to_text(annotation.body_html))
        )
        results[annotation.pk] = Result(
            kind="annotation",
            url=annotation.get_absolute_url(),
            title=escape(title),
            context=f"{where} · {provision.citation}",
            snippet=snippet,
            object=annotation,
        )
    return results


# --- The whole search ----------------------------------------------------------------------


@dataclass(slots=True)
class SearchOutcome:
    total: int  # matches after the facets
    page: object  # django.core.paginator.Page of Result
    facets: list[Facet]
    any_selected: bool
    # When the query is a citation ("art. 24(2)"): the provision it names, shown first.
    cited: CitationMatch | None = None


def search(query: str, *, user, selected: dict[str, list[str]], page=1) -> SearchOutcome:
    """Run a (cleaned, non-empty) query for this user with facet selections from the URL.

    selected maps facet names ("kind", "chapter", "concern", "demand", "tag") to the values of
    the URL; unknown values are ignored.
    """
    citation = parse_citation(query)
    cited = resolve_citation(citation) if citation else None  # one query, citations only
    hits = [*_article_hits(query), *_point_hits(query)]  # the few: in Python
    annotations = AnnotationMatches(query, user)  # the many: in the database

    chapters = list(Chapter.objects.order_by("position").only("pk", "number", "title"))
    concerns = list(Concern.objects.order_by("position").only("pk", "slug", "title"))
    demands = list(SafeguardDemand.objects.order_by("position").only("pk", "slug", "title"))
    # Only tags the user may see on some annotation: a draft's tag is neither listed nor, when
    # named in the URL, kept as a selected facet (which would tell that it exists).
    tags = list(Tag.objects.visible_to(user).order_by("name"))
    # NUL is dropped: PostgreSQL refuses it in a query, and no slug or number holds one.
    wanted = {
        name: [str(v).replace("\x00", "")[:100] for v in selected.get(name, ())][:MAX_FACET_VALUES]
        for name in FACETS
    }
    choices = {
        "kind": [(kind, kind, str(KIND_LABELS[kind])) for kind in KINDS],
        "chapter": [(c.pk, c.number, f"{c.number}. {c.title}") for c in chapters],
        "concern": [(c.pk, c.slug, c.title) for c in concerns],
        "demand": [(d.pk, d.slug, d.title) for d in demands],
        "tag": [(t.pk, t.slug, f"#{t.name}") for t in tags],
    }
    active = {
        name: {key for key, value, _label in choices[name] if value in wanted[name]}
        for name in FACETS
    }
    counts = _facet_counts(hits, active)
    annotation_counts, annotation_total = annotations.facet_counts(active)
    for name in FACETS:
        counts[name].update(annotation_counts[name])
    legends = {
        "kind": _("Kind of result"),
        "chapter": _("Chapter"),
        "concern": _("Concern"),
        "demand": _("Safeguard demand"),
        "tag": _("Tag"),
    }
    facets = [
        Facet(
            name,
            legends[name],
            _options(
                name,
                choices[name],
                counts[name],
                active[name],
                limit=MAX_TAG_OPTIONS if name == "tag" else None,
            ),
        )
        for name in FACETS
    ]

    merged = _MergedHits(
        sorted((hit for hit in hits if _passes(hit, active)), key=lambda hit: hit.sort_key),
        annotations,
        active,
        annotation_total,
    )
    page_obj = Paginator(merged, RESULTS_PER_PAGE).get_page(page)
    page_obj.object_list = _load_page(list(page_obj.object_list), query, user)
    return SearchOutcome(
        total=len(merged),
        page=page_obj,
        facets=[facet for facet in facets if facet.options],
        any_selected=any(active.values()),
        cited=cited,
    )


class _MergedHits:
    """All results in order, for the paginator: the few hits in memory merged with the best
    annotations, of which only as many as the requested page needs are read."""

    def __init__(self, few: list[Hit], annotations: AnnotationMatches, active, annotation_total):
        self.few, self.annotations, self.active = few, annotations, active
        self.annotation_total = annotation_total

    def __len__(self) -> int:
        return len(self.few) + self.annotation_total

    def __getitem__(self, index: slice) -> list[Hit]:
        stop = min(index.stop, len(self))
        best = self.annotations.best(self.active, stop) if self.annotation_total else []
        return sorted([*self.few, *best], key=lambda hit: hit.sort_key)[index.start : stop]


def _load_page(hits: list[Hit], query: str, user) -> list[Result]:
    """The page's results in full: one query per kind present on the page."""
    hl = _Highlighter(parse_terms(query))
    ids = defaultdict(list)
    for hit in hits:
        ids[hit.kind].append(hit.pk)
    loaded = {}
    if ids["article"]:
        loaded["article"] = _load_articles(ids["article"], query, hl)
    if ids["concern"]:
        loaded["concern"] = _load_points(Concern, "concern", ids["concern"], query, hl)
    if ids["demand"]:
        loaded["demand"] = _load_points(SafeguardDemand, "demand", ids["demand"], query, hl)
    if ids["annotation"]:
        loaded["annotation"] = _load_annotations(ids["annotation"], query, user, hl)
    return [loaded[hit.kind][hit.pk] for hit in hits if hit.pk in loaded.get(hit.kind, {})]
