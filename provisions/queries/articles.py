"""The Convention's articles as the reading pages list them: in chapters, with how much analysis
each has, and an article's annotations as a given reader may see them."""

from itertools import groupby

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from provisions.models import Annotation, Article, Chapter, ProvisionLink
from provisions.queries.translations import ANNOTATION_POINTS, with_translations


def _count_subquery(queryset, outer_field: str):
    """A correlated COUNT(*) per outer row: cheaper than joining two fan-outs at once."""
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def articles_with_counts():
    """Articles with how many concerns/demands are linked and how many annotations published."""
    return Article.objects.for_toc().annotate(
        concern_count=_count_subquery(
            ProvisionLink.objects.approved().filter(concern__isnull=False), "provision__article"
        ),
        demand_count=_count_subquery(
            ProvisionLink.objects.approved().filter(demand__isnull=False), "provision__article"
        ),
        annotation_count=_count_subquery(Annotation.objects.published(), "provision__article"),
    )


def chapters_with_articles():
    """[(chapter, [articles with counts])] in reading order."""
    articles = list(articles_with_counts().order_by("chapter__position", "number"))
    return [(chapter, list(items)) for chapter, items in groupby(articles, key=lambda a: a.chapter)]


def table_of_contents(treaty) -> list[tuple[Chapter, list[Article]]]:
    """[(chapter, [articles])] in reading order, for the contents beside an article: one query,
    which also gives the article its previous and next."""
    articles = (
        Article.objects.filter(treaty=treaty)
        .select_related("chapter")
        .only(
            "number",
            "title",
            "chapter__treaty_id",
            "chapter__number",
            "chapter__title",
            "chapter__position",
        )
        .order_by("chapter__position", "number")
    )
    return [(chapter, list(items)) for chapter, items in groupby(articles, key=lambda a: a.chapter)]


def article_annotations(article, user) -> list[Annotation]:
    """Top-level annotations on an article that `user` may see, with their visible replies."""
    visible = Annotation.objects.visible_to(user)
    replies = visible.select_related("author__member").with_body_editor().order_by("created_at")
    return list(
        with_translations(
            visible.top_level().for_article(article).for_display(), *ANNOTATION_POINTS
        )
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .order_by("provision__position", "created_at")
    )


def public_links_by_chapter(point_filter: Q) -> list[tuple[Chapter, list[ProvisionLink]]]:
    """[(chapter, [approved links matching `point_filter`])] in reading order."""
    links = (
        ProvisionLink.objects.public()
        .filter(point_filter)
        .select_related("provision__article__chapter")
        .order_by("provision__position")
    )
    return [
        (chapter, list(items))
        for chapter, items in groupby(links, key=lambda link: link.provision.article.chapter)
    ]
