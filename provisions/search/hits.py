"""Hits: one light record per matching article, concern or demand (kind, id, rank, facet
values), enough to sort, filter and count facets in Python before any page is loaded. They are
few; annotations, which can be many, are counted by the database (annotation_matches.py).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from provisions.models import ProvisionLink
from provisions.search.matching import articles_matching, concerns_matching, demands_matching

KINDS = ("article", "concern", "demand", "annotation")


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


def article_hits(query: str, language: str = "en") -> list[Hit]:
    hits = {
        pk: Hit("article", pk, rank or 0.0, number, chapter={chapter_id})
        for pk, rank, number, chapter_id in articles_matching(query, language).values_list(
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


def point_hits(query: str) -> list[Hit]:
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
