"""The annotations matching a query, counted and paged by the database: one SQL statement counts
every facet value at once over at most `COUNT_CAP` matches, and a page reads only as many of the
best matches as it needs.
"""

from collections import Counter

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Exists, OuterRef, QuerySet

from provisions.models import Annotation
from provisions.search.facets import COUNT_CAP, FACETS
from provisions.search.hits import Hit
from provisions.search.matching import annotations_matching


class AnnotationMatches:
    """The annotations matching a query, counted and paged by the database.

    They can be many (one common word matches a tenth of 100,000 annotations), so unlike the
    few articles, concerns and demands they never become one Python object per match: one SQL
    statement counts every facet value at once (each facet ignoring its own selection), and
    the page reads only the best `stop` matches, ordered by rank.
    """

    def __init__(self, query: str, user):
        self.matches = annotations_matching(query, user).order_by()

    @property
    def count_cap(self) -> int:
        """At most this many matches are counted (facets.COUNT_CAP)."""
        return COUNT_CAP

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

    def facet_counts(self, active: dict[str, set]) -> tuple[dict[str, Counter], int, bool]:
        """Per facet, matches that would remain with each value given the other facets; the
        number of matches passing every facet; and whether there were more than `COUNT_CAP`
        matches. One statement, whatever the number of matches.

        The work is bounded: `found` holds at most COUNT_CAP + 1 matches (the first the database
        finds, in no particular order), `m` the first COUNT_CAP of them: a common word at
        100,000 annotations costs what COUNT_CAP matches cost. When there were more, every
        count is over those COUNT_CAP matches, so it is a lower bound (the page says "1,000+").
        `rel` holds one row per (match, facet, value); with a selection, `ok` says per match
        which facets' selections it passes, and a value of facet F is counted over the matches
        that pass every facet but F.
        """
        quote = connection.ops.quote_name
        counts = {name: Counter() for name in FACETS}
        try:
            match_sql, params = self.matches.values_list(
                "pk", "provision__article__chapter"
            ).query.sql_with_params()
        except EmptyResultSet:  # a query that cannot match anything (only punctuation)
            return counts, 0, False
        relations = ["SELECT m.id, 'chapter', m.chapter FROM m WHERE m.chapter IS NOT NULL"]
        for name in ("concern", "demand", "tag"):
            model, own, other = map(quote, _through(name, table=True))
            relations.append(
                f"SELECT r.{own}, '{name}', r.{other} "  # noqa: S608 — names, not input
                f"FROM {model} r JOIN m ON m.id = r.{own}"
            )
        cap = int(self.count_cap)
        sql = (
            f"WITH found (id, chapter) AS ({match_sql} LIMIT %s), "  # noqa: S608 — the ORM's SQL
            "m (id, chapter) AS (SELECT id, chapter FROM found LIMIT %s), "
            f"rel (id, facet, value) AS ({' UNION ALL '.join(relations)}) "
        )
        params = [*params, cap + 1, cap]
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
        sql += " UNION ALL SELECT 'found', NULL, COUNT(*) FROM found"
        capped = False
        # Where the ORM reads the matches from (the read replica, for an anonymous reader).
        with connections[self.matches.db].cursor() as cursor:
            cursor.execute(sql, params)
            for facet, value, count in cursor.fetchall():
                if facet == "found":
                    capped = count > cap
                    continue
                if facet == "kind":
                    value = "annotation"
                if count:
                    counts[facet][value] = count
        if active["kind"] and "annotation" not in active["kind"]:
            # Annotations are filtered out: they still count under "kind", to be ticked back.
            only_kind = {name: counts["kind"] if name == "kind" else Counter() for name in FACETS}
            return only_kind, 0, capped
        return counts, counts["kind"]["annotation"], capped


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
