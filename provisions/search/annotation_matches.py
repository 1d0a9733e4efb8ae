"""The annotations matching a query, counted and ranked by the database in one SQL statement,
over at most `COUNT_CAP` of them: the newest ones, when more match.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections

from provisions.models import Annotation
from provisions.search.facets import COUNT_CAP, FACETS
from provisions.search.hits import Hit
from provisions.search.matching import annotations_matching


@dataclass(slots=True)
class Counted:
    """What one statement says about the matching annotations for a facet selection."""

    counts: dict[str, Counter]  # per facet, matches that would remain with each value
    total: int  # matches passing every facet selection (among the counted ones)
    # More than COUNT_CAP annotations matched: only the newest COUNT_CAP were counted and
    # ranked, so `total` and every count are lower bounds.
    capped: bool
    # (pk, rank) of the matches passing every selection, best first (rank, then newest).
    ranked: list[tuple[int, float]]

    def best(self, stop: int) -> list[Hit]:
        return [Hit("annotation", pk, rank, -pk) for pk, rank in self.ranked[:stop]]


class AnnotationMatches:
    """The annotations matching a query, counted and ranked by the database.

    They can be many (one common word matches a tenth of 100,000 annotations), so unlike the
    few articles, concerns and demands they never become one Python object per match, and the
    work is bounded: one SQL statement takes the newest COUNT_CAP + 1 matches (`found`: the
    +1 only tells that there were more), ranks the newest COUNT_CAP of them (`m`) and counts
    every facet value over them (each facet ignoring its own selection). A common word at
    100,000 annotations costs what COUNT_CAP matches cost; with fewer matches every match is
    counted and ranked, in the order a ranking of every match would give.
    """

    def __init__(self, query: str, user):
        self.matches = annotations_matching(query, user).order_by()

    @property
    def count_cap(self) -> int:
        """At most this many matches are counted and ranked (facets.COUNT_CAP)."""
        return COUNT_CAP

    def counted(self, active: dict[str, set]) -> Counted:
        """Per facet, matches that would remain with each value given the other facets; the
        matches passing every facet, ranked; and whether more matched than were counted.

        `rel` holds one row per (match, facet, value); with a selection, `ok` says per match
        which facets' selections it passes, and a value of facet F is counted over the matches
        that pass every facet but F. The statement's rows are (what, value, count, rank): a
        facet value's count, the number of matches (`kind`), whether `found` overflowed, or
        one ranked match.
        """
        quote = connection.ops.quote_name
        counts = {name: Counter() for name in FACETS}
        cap = int(self.count_cap)
        newest = self.matches.order_by("-pk").values_list(
            "pk", "provision__article__chapter", "rank"
        )
        try:
            match_sql, params = newest[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a query that cannot match anything (only punctuation)
            return Counted(counts, 0, False, [])
        relations = ["SELECT m.id, 'chapter', m.chapter FROM m WHERE m.chapter IS NOT NULL"]
        for name in ("concern", "demand", "tag"):
            model, own, other = map(quote, _through(name, table=True))
            relations.append(
                f"SELECT r.{own}, '{name}', r.{other} "  # noqa: S608 — names, not input
                f"FROM {model} r JOIN m ON m.id = r.{own}"
            )
        sql = (
            f"WITH found (id, chapter, rank) AS ({match_sql}), "  # noqa: S608 — the ORM's SQL
            "m (id, chapter, rank) AS (SELECT id, chapter, rank FROM found ORDER BY id DESC "
            "LIMIT %s), "
            f"rel (id, facet, value) AS ({' UNION ALL '.join(relations)}) "
        )
        params = [*params, cap]
        selecting = [name for name in _COUNTED_FACETS if active[name]]
        if not selecting:
            sql += (
                "SELECT facet, value, COUNT(*), CAST(NULL AS double precision) FROM rel "
                "GROUP BY facet, value "
                "UNION ALL SELECT 'kind', NULL, COUNT(*), CAST(NULL AS double precision) FROM m "
                "UNION ALL SELECT 'ranked', id, NULL, CAST(rank AS double precision) FROM m"
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
                f", ok AS (SELECT m.id, m.rank, {', '.join(passes)} FROM m "  # noqa: S608
                f"LEFT JOIN rel ON rel.id = m.id GROUP BY m.id, m.rank) "
                "SELECT rel.facet, rel.value, COUNT(*), CAST(NULL AS double precision) FROM rel "
                f"JOIN ok ON ok.id = rel.id WHERE {per_value} GROUP BY rel.facet, rel.value "
                "UNION ALL SELECT 'kind', NULL, COUNT(*), CAST(NULL AS double precision) "
                f"FROM ok WHERE {passing()} "
                "UNION ALL SELECT 'ranked', ok.id, NULL, CAST(ok.rank AS double precision) "
                f"FROM ok WHERE {passing()}"
            )
        sql += (
            " UNION ALL SELECT 'found', NULL, COUNT(*), CAST(NULL AS double precision) FROM found"
        )
        capped, ranked = False, []
        # Where the ORM reads the matches from (the read replica, for an anonymous reader).
        with connections[self.matches.db].cursor() as cursor:
            cursor.execute(sql, params)
            for facet, value, count, rank in cursor.fetchall():
                if facet == "ranked":
                    ranked.append((value, rank or 0.0))
                elif facet == "found":
                    capped = count > cap
                elif count:
                    counts[facet]["annotation" if facet == "kind" else value] = count
        if active["kind"] and "annotation" not in active["kind"]:
            # Annotations are filtered out: they still count under "kind", to be ticked back.
            only_kind = {name: counts["kind"] if name == "kind" else Counter() for name in FACETS}
            return Counted(only_kind, 0, capped, [])
        # Best first, as ORDER BY rank DESC, id DESC would give (a UNION keeps no order).
        ranked.sort(key=lambda row: (-row[1], -row[0]))
        return Counted(counts, counts["kind"]["annotation"], capped, ranked)


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
