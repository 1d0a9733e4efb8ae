"""Reading pages for everyone: overview, table of contents, articles, concerns, safeguards."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from provisions import roles
from provisions.access import public
from provisions.anchoring import position_of
from provisions.cache.scopes import ANALYSIS
from provisions.cache.serving import cache_public_page
from provisions.forms import ReplyForm
from provisions.highlight import highlight
from provisions.models import (
    POINT_MODELS,
    Annotation,
    Article,
    Chapter,
    Concern,
    Declaration,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Statement,
    Treaty,
)
from provisions.models.treaty import ENGLISH
from provisions.queries.articles import (
    article_annotations,
    chapters_with_articles,
    public_links_by_chapter,
    table_of_contents,
)
from provisions.queries.coverage import chapter_coverage
from provisions.queries.headings import HeadingTitles
from provisions.queries.languages import preamble_for_reader, text_for_reader
from provisions.queries.review import refused_action_for
from provisions.queries.translations import ANNOTATION_POINTS, with_translations
from provisions.services.annotations import quote_refusals
from provisions.treaty_status import commitments_by_level

# A concern's page lists the published analysis tied to it this many at a time.
POINT_ANNOTATIONS_PER_PAGE = 25


def _treaty():
    return Treaty.objects.get()


@public
@require_safe
@cache_public_page(ANALYSIS)
def home(request):
    context = {
        "treaty": _treaty(),
        "statement": Statement.objects.prefetch_related("signatories").first(),
        "concerns": with_translations(Concern.objects.with_link_counts()),
        "coverage": chapter_coverage(chapters_with_articles()),
        "latest": with_translations(
            Annotation.objects.published().top_level().for_display(), *ANNOTATION_POINTS
        ).order_by("-published_at")[:5],
    }
    return render(request, "provisions/home.html", context)


@public
@require_safe
@cache_public_page(ANALYSIS)
def toc(request):
    # The preamble belongs to no article: it is read here, where its provisions' links point.
    preamble = list(Provision.objects.current().filter(article__isnull=True).order_by("position"))
    chapters = chapters_with_articles()
    # Headings in the reader's language (one query, shared with the template's `heading` tags).
    headings = HeadingTitles(get_language())
    context = {
        "treaty": _treaty(),
        "chapters": chapters,
        "headings": headings,
        "english_titles": any(
            headings.of(article).fallback for _chapter, articles in chapters for article in articles
        ),
        "preamble": preamble,
        "preamble_shown": preamble_for_reader(preamble, get_language()),
        "has_unconfirmed_titles": any(
            not article.title_confirmed for _chapter, articles in chapters for article in articles
        ),
    }
    return render(request, "provisions/toc.html", context)


def _spans(annotations, language: str) -> dict[int, list]:
    """Where anchored notes made on `language`'s text sit in it, by provision id."""
    spans: dict[int, list] = {}
    for annotation in annotations:
        position = position_of(annotation.selectors)
        anchored = annotation.anchor_state == Annotation.Anchor.ANCHORED
        if position and anchored and annotation.language == language:
            spans.setdefault(annotation.provision_id, []).append((*position, annotation.pk))
    return spans


def highlighted_provisions(provisions, annotations, shown=None) -> list:
    """Provisions with `.highlighted` text (English) and, when `shown` is another language's
    text, `.shown_text` and `.shown_label` in it. Only anchored notes are marked, each in the
    text of the language it was made on; elsewhere it sits beside its provision, unmarked."""
    spans = _spans(annotations, ENGLISH)
    for provision in provisions:
        provision.highlighted = highlight(provision.text, spans.get(provision.pk, []))
    if shown is not None and not shown.is_fallback:
        spans = _spans(annotations, shown.language)
        for provision in provisions:
            text = shown.text_of(provision)
            provision.shown_text = highlight(text, spans.get(provision.pk, []))
            provision.shown_label = shown.label_of(provision)
    return provisions


@public
@require_safe
@cache_public_page("article:{number}")
@vary_on_headers("HX-Request")
def article(request, number: int):
    article = get_object_or_404(with_translations(Article.objects.for_rendering()), number=number)
    annotations = article_annotations(article, request.user)
    anchored = [a for a in annotations if a.anchor_state == Annotation.Anchor.ANCHORED]
    links = list(
        with_translations(
            ProvisionLink.objects.public()
            .filter(provision__article=article)
            .select_related("provision", "concern", "demand")
            .order_by("provision__position", "concern__position", "demand__position"),
            "concern",
            "demand",
        )
    )
    contents = table_of_contents(article.treaty)
    by_number = {a.number: a for _chapter, articles in contents for a in articles}
    # The text in the reader's language when its version holds the article, else English with
    # a note (two queries for another language, none for English).
    shown = text_for_reader(article, get_language())
    provisions = highlighted_provisions(list(article.provisions.all()), anchored, shown)
    # Analysts are offered to annotate only what the service would accept (readers: no query).
    refusals = quote_refusals(provisions) if roles.is_analyst(request.user) else {}
    for provision in provisions:
        # Each note sits beside (on a phone: below) the provision it is about.
        provision.notes = [a for a in anchored if a.provision_id == provision.pk]
        provision.annotate_refusal = refusals.get(provision.pk, "")
    context = {
        "treaty": article.treaty,
        "article": article,
        "shown": shown,
        "contents": contents,
        "provisions": provisions,
        "annotations": anchored,
        "some_annotatable": len(refusals) < len(provisions),
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
        with_translations(
            visible.for_display()
            .with_parent_for(request.user)
            .select_related("provision__article__chapter"),
            *ANNOTATION_POINTS,
        ),
        pk=pk,
    )
    # A reply whose first note this reader may not see (back in its author's drafts) is shown
    # alone: no thread, no link to it, no reply form.
    root = annotation if annotation.in_reply_to_id is None else annotation.in_reply_to
    replies = (
        visible.filter(in_reply_to=root)
        .select_related("author__member")
        .with_body_editor()
        .order_by("created_at")
        if root is not None
        else Annotation.objects.none()
    )
    # An editor's decision refused a moment ago comes back beside its form (review actions).
    for name, value in refused_action_for(request, annotation).items():
        setattr(annotation, name, value)
    context = {
        "annotation": annotation,
        "root": root,
        "replies": replies,
        "can_reply": root is not None
        and roles.is_analyst(request.user)
        and root.status in (Annotation.Status.SUBMITTED, Annotation.Status.PUBLISHED),
        "is_author": annotation.author_id == request.user.pk,
        # The one rule the edit and delete pages and their services apply.
        "can_edit": annotation.edit_refusal(request.user) is None,
        "can_delete": annotation.delete_refusal(request.user) is None,
        "reply_form": ReplyForm(initial={"body": _kept_reply(request, root or annotation)}),
    }
    return render(request, "provisions/annotation_detail.html", context)


@public
@require_safe
@cache_public_page(ANALYSIS)
def point_list(request, kind: str):
    """The concerns (/concerns/) or the safeguard demands (/safeguards/): `kind` comes from
    the URL pattern (POINT_MODELS)."""
    model = POINT_MODELS[kind]
    return render(
        request,
        f"provisions/{model.public_name}_list.html",
        {
            "points": with_translations(model.objects.with_link_counts()),
            "statement": Statement.objects.first(),
        },
    )


@public
@require_safe
@cache_public_page("{kind}:{slug}")
def point_detail(request, kind: str, slug: str):
    """A concern's or a safeguard demand's page: its links by chapter and, a page at a time,
    the published annotations tied to it (there can be thousands)."""
    model = POINT_MODELS[kind]
    point = get_object_or_404(with_translations(model.objects.all()), slug=slug)
    annotations = with_translations(
        point.annotations.published().for_display(), *ANNOTATION_POINTS
    ).order_by("provision__position", "-pk")
    context = {
        "point": point,
        "links_by_chapter": public_links_by_chapter(Q(**{kind: point})),
        "annotations": Paginator(annotations, POINT_ANNOTATIONS_PER_PAGE).get_page(
            request.GET.get("page")
        ),
    }
    if kind == SafeguardDemand.point_kind:
        context["commitments_by_level"] = commitments_by_level(point)
    return render(request, f"provisions/{model.public_name}_detail.html", context)


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
