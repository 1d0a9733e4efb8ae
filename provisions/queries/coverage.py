"""How much of the Convention the analysis covers: per chapter, and every concern (or safeguard
demand) against every article.

Every number comes from a handful of grouped COUNT queries, whatever the amount of analysis:
one per kind of count, never one per cell.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext, ngettext

from provisions.models import Annotation, Article, Concern, ProvisionLink, SafeguardDemand


def is_analysed(article) -> bool:
    """Any approved link (concern or demand) or published annotation counts as analysis."""
    return bool(article.concern_count or article.demand_count or article.annotation_count)


def chapter_coverage(chapters):
    """Per chapter of chapters_with_articles(): how many of its articles have any analysis."""
    coverage = []
    for chapter, articles in chapters:
        total = len(articles)
        analysed = sum(1 for a in articles if is_analysed(a))
        percent = round(100 * analysed / total) if total else 0
        coverage.append(
            {"chapter": chapter, "total": total, "analysed": analysed, "percent": percent}
        )
    return coverage


@dataclass(frozen=True, slots=True)
class Cell:
    """One concern (or demand) on one article: approved links and published annotations."""

    article: Article
    links: int
    annotations: int
    # The first article of its chapter: the table draws a chapter boundary before it.
    starts_chapter: bool = False

    @property
    def total(self) -> int:
        return self.links + self.annotations

    @property
    def bucket(self) -> str:
        """The colour class suffix: 0, 1, 2 or 3 (three or more)."""
        return str(min(self.total, 3))

    @property
    def label(self) -> str:
        """What the cell says to a screen reader, and to anyone who cannot tell the colours."""
        number = self.article.number
        if not self.total:
            return gettext("Article %(number)s: nothing linked or annotated") % {"number": number}
        links = ngettext("%(n)s link", "%(n)s links", self.links) % {"n": self.links}
        annotations = ngettext("%(n)s annotation", "%(n)s annotations", self.annotations) % {
            "n": self.annotations
        }
        return gettext("Article %(number)s: %(links)s, %(annotations)s") % {
            "number": number,
            "links": links,
            "annotations": annotations,
        }


@dataclass(frozen=True, slots=True)
class MatrixRow:
    point: Concern | SafeguardDemand
    cells: list[Cell]

    @property
    def link_count(self) -> int:
        return sum(cell.links for cell in self.cells)


def coverage_matrix(points, articles, *, link_field: str, annotation_field: str):
    """Rows of cells for statement points (concerns or demands) against articles.

    link_field is the ProvisionLink foreign key ("concern" / "demand"); annotation_field the
    Annotation many-to-many ("concerns" / "demands"). Two grouped queries fill every cell.
    """
    links = Counter(
        {
            (row[link_field], row["provision__article"]): row["n"]
            for row in ProvisionLink.objects.approved()
            .filter(**{f"{link_field}__isnull": False}, provision__article__isnull=False)
            .order_by()
            .values(link_field, "provision__article")
            .annotate(n=Count("pk"))
        }
    )
    annotations = Counter(
        {
            (row[annotation_field], row["provision__article"]): row["n"]
            for row in Annotation.objects.published()
            .filter(provision__article__isnull=False)
            .order_by()
            .values(annotation_field, "provision__article")
            .annotate(n=Count("pk"))
            # Annotations tied to no point come back grouped under None.
            if row[annotation_field] is not None
        }
    )
    chapter_starts = {
        article.pk
        for previous, article in zip([None, *articles], articles, strict=False)
        if previous is None or previous.chapter_id != article.chapter_id
    }
    return [
        MatrixRow(
            point=point,
            cells=[
                Cell(
                    article=article,
                    links=links[point.pk, article.pk],
                    annotations=annotations[point.pk, article.pk],
                    starts_chapter=article.pk in chapter_starts,
                )
                for article in articles
            ],
        )
        for point in points
    ]
