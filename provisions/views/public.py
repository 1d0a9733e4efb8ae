"""Reading pages for everyone: overview, table of contents, articles, concerns, safeguards."""

from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from provisions import roles
from provisions.access import public
from provisions.anchoring import position_of
from provisions.cache import ANALYSIS, cache_public_page
from provisions.forms import ReplyForm
from provisions.highlight import highlight
from provisions.models import (
    Annotation,
    Article,
    Chapter,
    Commitment,
    Concern,
    Declaration,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Statement,
    Treaty,
)

# A concern's page lists the published analysis tied to it this many at a time.
POINT_ANNOTATIONS_PER_PAGE = 25


def _treaty():
    return Treaty.objects.get()


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


@public
@require_safe
@cache_public_page(ANALYSIS)
def home(request):
    context = {
        "treaty": _treaty(),
        "statement": Statement.objects.prefetch_related("signatories").first(),
        "concerns": Concern.objects.with_link_counts(),
        "coverage": chapter_coverage(chapters_with_articles()),
        "latest": Annotation.objects.published()
        .top_level()
        .for_display()
        .order_by("-published_at")[:5],
    }
    return render(request, "provisions/home.html", context)


@public
@require_safe
@cache_public_page(ANALYSIS)
def toc(request):
    # The preamble belongs to no article: it is read here, where its provisions' links point.
    preamble = Provision.objects.current().filter(article__isnull=True).order_by("position")
    chapters = chapters_with_articles()
    context = {
        "treaty": _treaty(),
        "chapters": chapters,
        "preamble": list(preamble),
        "has_unconfirmed_titles": any(
            not article.title_confirmed for _chapter, articles in chapters for article in articles
        ),
    }
    return render(request, "provisions/toc.html", context)


def article_annotations(article, user) -> list[Annotation]:
    """Top-level annotations on an article that `user` may see, with their visible replies."""
    visible = Annotation.objects.visible_to(user)
    replies = visible.select_related("author__member").order_by("created_at")
    return list(
        visible.top_level()
        .for_article(article)
        .for_display()
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .order_by("provision__position", "created_at")
    )


def highlighted_provisions(provisions, annotations) -> list:
    """Provisions with `.highlighted` text; only anchored annotations are marked in the text."""
    spans: dict[int, list] = {}
    for annotation in annotations:
        position = position_of(annotation.selectors)
        if position and annotation.anchor_state == Annotation.Anchor.ANCHORED:
            spans.setdefault(annotation.provision_id, []).append((*position, annotation.pk))
    for provision in provisions:
        provision.highlighted = highlight(provision.text, spans.get(provision.pk, []))
    return provisions


def table_of_contents(treaty) -> list[tuple[Chapter, list[Article]]]:
    """[(chapter, [articles])] in reading order, for the contents beside an article: one query,
    which also gives the article its previous and next."""
    articles = (
        Article.objects.filter(treaty=treaty)
        .select_related("chapter")
        .only("number", "title", "chapter__number", "chapter__title", "chapter__position")
        .order_by("chapter__position", "number")
    )
    return [(chapter, list(items)) for chapter, items in groupby(articles, key=lambda a: a.chapter)]


@public
@require_safe
@cache_public_page("article:{number}")
@vary_on_headers("HX-Request")
def article(request, number: int):
    article = get_object_or_404(Article.objects.for_rendering(), number=number)
    annotations = article_annotations(article, request.user)
    anchored = [a for a in annotations if a.anchor_state == Annotation.Anchor.ANCHORED]
    links = list(
        ProvisionLink.objects.public()
        .filter(provision__article=article)
        .select_related("provision", "concern", "demand")
        .order_by("provision__position", "concern__position", "demand__position")
    )
    contents = table_of_contents(article.treaty)
    by_number = {a.number: a for _chapter, articles in contents for a in articles}
    provisions = highlighted_provisions(list(article.provisions.all()), anchored)
    for provision in provisions:
        # Each note sits beside (on a phone: below) the provision it is about.
        provision.notes = [a for a in anchored if a.provision_id == provision.pk]
    context = {
        "treaty": article.treaty,
        "article": article,
        "contents": contents,
        "provisions": provisions,
        "annotations": anchored,
        "unanchored": [a for a in annotations if a.anchor_state != Annotation.Anchor.ANCHORED],
        "concern_links": [link for link in links if link.concern_id],
        "demand_links": [link for link in links if link.demand_id],
        # Lazy: read only by the full page, not by its htmx fragment.
        "declarations": Declaration.objects.filter(provisions__article=article)
        .select_related("party")
        .distinct()
        .order_by("date", "pk"),
        "previous": by_number.get(number - 1),
        "next": by_number.get(number + 1),
    }
    template = "provisions/article.html#annotations" if request.htmx else "provisions/article.html"
    return render(request, template, context)


def _kept_reply(request, root) -> str:
    """A reply refused a moment ago comes back into the form, so nothing typed is lost."""
    kept = request.session.pop("reply_draft", None) if request.user.is_authenticated else None
    return kept["body"] if kept and kept.get("parent") in (root.pk, None) else ""


@public
@require_safe
def annotation_detail(request, pk: int):
    visible = Annotation.objects.visible_to(request.user)
    annotation = get_object_or_404(
        visible.for_display()
        .with_parent_for(request.user)
        .select_related("provision__article__chapter"),
        pk=pk,
    )
    # A reply whose first note this reader may not see (back in its author's drafts) is shown
    # alone: no thread, no link to it, no reply form.
    root = annotation if annotation.in_reply_to_id is None else annotation.in_reply_to
    replies = (
        visible.filter(in_reply_to=root).select_related("author__member").order_by("created_at")
        if root is not None
        else Annotation.objects.none()
    )
    context = {
        "annotation": annotation,
        "root": root,
        "replies": replies,
        "can_reply": root is not None
        and roles.is_analyst(request.user)
        and root.status in (Annotation.Status.SUBMITTED, Annotation.Status.PUBLISHED),
        "is_author": annotation.author_id == request.user.pk,
        "reply_form": ReplyForm(initial={"body": _kept_reply(request, root or annotation)}),
    }
    return render(request, "provisions/annotation_detail.html", context)


def _links_by_chapter(point_filter: Q):
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


@public
@require_safe
@cache_public_page(ANALYSIS)
def concern_list(request):
    return render(
        request,
        "provisions/concern_list.html",
        {"concerns": Concern.objects.with_link_counts(), "statement": Statement.objects.first()},
    )


def _point_page(request, point, *, annotations, links: Q, siblings, template: str, extra=None):
    """A concern's or a safeguard demand's page: its links by chapter and, a page at a time,
    the published annotations tied to it (there can be thousands)."""
    annotations = annotations.published().for_display().order_by("provision__position", "-pk")
    context = {
        "point": point,
        "links_by_chapter": _links_by_chapter(links),
        "annotations": Paginator(annotations, POINT_ANNOTATIONS_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "siblings": siblings.only("slug", "title"),
        **(extra or {}),
    }
    return render(request, template, context)


@public
@require_safe
@cache_public_page("concern:{slug}")
def concern_detail(request, slug: str):
    concern = get_object_or_404(Concern, slug=slug)
    return _point_page(
        request,
        concern,
        annotations=concern.annotations,
        links=Q(concern=concern),
        siblings=Concern.objects,
        template="provisions/concern_detail.html",
    )


@public
@require_safe
@cache_public_page(ANALYSIS)
def safeguard_list(request):
    return render(
        request,
        "provisions/safeguard_list.html",
        {
            "demands": SafeguardDemand.objects.with_link_counts(),
            "statement": Statement.objects.first(),
        },
    )


@public
@require_safe
@cache_public_page("demand:{slug}")
def safeguard_detail(request, slug: str):
    demand = get_object_or_404(SafeguardDemand, slug=slug)
    return _point_page(
        request,
        demand,
        annotations=demand.annotations,
        links=Q(demand=demand),
        siblings=SafeguardDemand.objects,
        template="provisions/safeguard_detail.html",
        extra={"commitments_by_level": _commitments_by_level(demand)},
    )


def _commitments_by_level(demand) -> list:
    """[(level, label, [the parties' latest published commitments at that level])] for the
    levels a party can be listed under (committed, partly, none, contrary)."""
    from provisions.treaty_status import latest_published_commitments

    latest = latest_published_commitments(demand=demand)
    parties = sorted(latest.values(), key=lambda c: c.party.name)
    return [
        (level, label, [c for c in parties if c.level == level])
        for level, label in Commitment.Level.choices
        if level != Commitment.Level.UNKNOWN
    ]


@public
@require_safe
@cache_public_page()
def about(request):
    context = {
        "treaty": _treaty(),
        "statement": Statement.objects.prefetch_related("signatories").first(),
        "chapters": Chapter.objects.all(),
    }
    return render(request, "provisions/about.html", context)
