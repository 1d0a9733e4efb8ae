"""Take-away: CSV / JSON / W3C JSON-LD downloads, printable briefs and the Atom feed.

Everything here is public and shows only public data (approved links, published annotations),
whoever is signed in; `provisions.exports` builds the rows and documents. Downloads are streamed
and kept as files until the public data changes (`provisions.downloads`); briefs and the feed
are cached like the reading pages.
"""

from collections.abc import Callable, Iterable, Iterator

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from provisions import exports
from provisions.access import public
from provisions.cache.scopes import ANALYSIS
from provisions.cache.serving import cache_public_page
from provisions.downloads import download
from provisions.feeds import LatestAnalysisFeed
from provisions.models import POINT_MODELS, Article, Statement
from provisions.queries.translations import ANNOTATION_POINTS, LINK_POINTS, with_translations

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"


def _csv(filename: str, columns: list[str], records: Callable[[], Iterable[dict]]):
    return download(
        filename=filename,
        content_type=CSV_CONTENT_TYPE,
        pieces=lambda: exports.csv_pieces(columns, records()),
    )


def _json(filename: str, document: Callable[[], dict], content_type=JSON_CONTENT_TYPE):
    return download(
        filename=filename,
        content_type=content_type,
        pieces=lambda: exports.json_pieces(document()),
    )


def _records(absolute, links, annotations) -> Iterator[dict]:
    """One article's or one point's CSV rows: its links, then its annotations."""
    for link in exports.in_batches(links):
        yield exports.link_record(link, absolute)
    for annotation in exports.in_batches(annotations):
        yield exports.annotation_record(annotation, absolute)


# --- One article ---------------------------------------------------------------------------


def _article(number: int) -> Article:
    return get_object_or_404(Article.objects.for_rendering(), number=number)


def _article_content(article: Article):
    links = exports.public_links().filter(provision__article=article)
    return links, exports.public_annotations().for_article(article)


@public
@require_safe
def article_csv(request, number: int):
    article = get_object_or_404(Article, number=number)
    return _csv(
        f"treatywatch-article-{number}.csv",
        exports.COMBINED_COLUMNS,
        lambda: _records(request.build_absolute_uri, *_article_content(article)),
    )


@public
@require_safe
def article_json(request, number: int):
    article = get_object_or_404(Article, number=number)
    return _json(
        f"treatywatch-article-{number}.json",
        lambda: exports.article_document(
            _article(number), *_article_content(article), request.build_absolute_uri
        ),
    )


@public
@require_safe
def article_annotations_jsonld(request, number: int):
    article = get_object_or_404(Article, number=number)
    return _json(
        f"treatywatch-article-{number}-annotations.jsonld",
        lambda: exports.annotation_collection(
            exports.public_annotations().for_article(article),
            request=request,
            label=_("Published annotations on Article %(number)s") % {"number": number},
        ),
        content_type=exports.JSONLD_CONTENT_TYPE,
    )


# --- One concern or safeguard demand -----------------------------------------------------------


def _point_content(point):
    links = exports.public_links().filter(**{point.point_kind: point})
    annotations = exports.public_annotations().filter(**{point.annotations_field: point})
    return links, annotations


def _point(kind: str, slug: str):
    return get_object_or_404(POINT_MODELS[kind], slug=slug)


# `kind` ("concern" / "demand", POINT_MODELS) comes from the URL pattern; file names keep the
# public word ("safeguard").
@public
@require_safe
def point_csv(request, kind: str, slug: str):
    point = _point(kind, slug)
    return _csv(
        f"treatywatch-{point.public_name}-{slug}.csv",
        exports.COMBINED_COLUMNS,
        lambda: _records(request.build_absolute_uri, *_point_content(point)),
    )


@public
@require_safe
def point_json(request, kind: str, slug: str):
    point = _point(kind, slug)
    return _json(
        f"treatywatch-{point.public_name}-{slug}.json",
        lambda: exports.point_document(point, *_point_content(point), request.build_absolute_uri),
    )


# --- The whole public dataset --------------------------------------------------------------------


@public
@require_safe
def dataset_json(request):
    return _json(
        "treatywatch-dataset.json",
        lambda: exports.public_dataset_document(request.build_absolute_uri),
    )


@public
@require_safe
def links_csv(request):
    return _csv(
        "treatywatch-links.csv",
        exports.LINK_COLUMNS,
        lambda: (
            exports.link_record(link, request.build_absolute_uri)
            for link in exports.in_batches(exports.public_links())
        ),
    )


@public
@require_safe
def annotations_csv(request):
    return _csv(
        "treatywatch-annotations.csv",
        exports.ANNOTATION_COLUMNS,
        lambda: (
            exports.annotation_record(a, request.build_absolute_uri)
            for a in exports.in_batches(exports.public_annotations())
        ),
    )


@public
@require_safe
def annotations_jsonld(request):
    return _json(
        "treatywatch-annotations.jsonld",
        lambda: exports.annotation_collection(
            exports.public_annotations(),
            request=request,
            label=_("Published annotations on the UN Convention against Cybercrime"),
        ),
        content_type=exports.JSONLD_CONTENT_TYPE,
    )


# --- Printable briefs ----------------------------------------------------------------------------


def _brief_content(links, annotations):
    """A brief is a page readers see in their language: the concerns and demands of its links
    and annotations in it (the downloads stay English: the same rows, without this)."""
    return (
        with_translations(links, *LINK_POINTS),
        with_translations(annotations, *ANNOTATION_POINTS),
    )


def _brief_context(request, *, page_link: str, **context) -> dict:
    """What every brief shows: when it was made, where it lives, whose statement it quotes.

    Addresses are printed in full, because on paper a link is only as good as its text.
    """
    return {
        "generated_at": timezone.now(),
        "statement": Statement.objects.first(),
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "page_url": request.build_absolute_uri(),
        "page_link": page_link,
        **context,
    }


@public
@require_safe
@cache_public_page("article:{number}")
def article_brief(request, number: int):
    article = get_object_or_404(with_translations(Article.objects.for_rendering()), number=number)
    links, annotations = _brief_content(*_article_content(article))
    context = _brief_context(
        request,
        page_link=article.get_absolute_url(),
        article=article,
        provisions=article.provisions.all(),  # for_rendering() prefetches current ones
        concern_links=[link for link in links if link.concern_id],
        demand_links=[link for link in links if link.demand_id],
        annotations=annotations,
    )
    return render(request, "provisions/brief_article.html", context)


@public
@require_safe
@cache_public_page("{kind}:{slug}")
def point_brief(request, kind: str, slug: str):
    point = get_object_or_404(with_translations(POINT_MODELS[kind].objects.all()), slug=slug)
    links, annotations = _brief_content(*_point_content(point))
    links = with_translations(links, "provision__article")  # its summary, as the text shown
    context = _brief_context(
        request,
        page_link=point.get_absolute_url(),
        point=point,
        kind=point.public_name,
        links=links,
        annotations=annotations,
    )
    return render(request, "provisions/brief_point.html", context)


# --- Feed ----------------------------------------------------------------------------------------


@public
@require_safe
@cache_public_page(ANALYSIS)
def latest_feed(request):
    # A fresh Feed per request: it keeps the request to build absolute entry ids.
    return LatestAnalysisFeed()(request)
