"""Take-away: CSV / JSON / W3C JSON-LD downloads, printable briefs and the Atom feed.

Everything here is public and shows only public data (approved links, published annotations),
whoever is signed in; `provisions.exports` builds the rows and documents.
"""

import io

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from provisions import exports
from provisions.feeds import LatestAnalysisFeed
from provisions.models import Article, Concern, SafeguardDemand, Statement
from provisions.views.access import public

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_response(filename: str, columns: list[str], records) -> HttpResponse:
    buffer = io.StringIO()
    # A byte-order mark lets spreadsheet programs recognise UTF-8.
    buffer.write("\ufeff")
    exports.write_csv(buffer, columns, records)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=CSV_CONTENT_TYPE), filename)


def _json_response(filename: str, document: dict, content_type="application/json"):
    response = JsonResponse(
        document, content_type=content_type, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    return _attachment(response, filename)


# --- One article ---------------------------------------------------------------------------


def _article(number: int) -> Article:
    return get_object_or_404(Article.objects.for_rendering(), number=number)


def _article_content(article: Article):
    links = list(exports.public_links().filter(provision__article=article))
    annotations = list(exports.public_annotations().for_article(article))
    return links, annotations


@public
@require_safe
def article_csv(request, number: int):
    article = _article(number)
    links, annotations = _article_content(article)
    absolute = request.build_absolute_uri
    records = [exports.link_record(link, absolute) for link in links]
    records += [exports.annotation_record(a, absolute) for a in annotations]
    return _csv_response(f"treatywatch-article-{number}.csv", exports.COMBINED_COLUMNS, records)


@public
@require_safe
def article_json(request, number: int):
    article = _article(number)
    links, annotations = _article_content(article)
    document = exports.article_document(article, links, annotations, request.build_absolute_uri)
    return _json_response(f"treatywatch-article-{number}.json", document)


@public
@require_safe
def article_annotations_jsonld(request, number: int):
    article = get_object_or_404(Article, number=number)
    collection = exports.annotation_collection(
        exports.public_annotations().for_article(article),
        request=request,
        label=_("Published annotations on Article %(number)s") % {"number": number},
    )
    return _json_response(
        f"treatywatch-article-{number}-annotations.jsonld",
        collection,
        content_type=exports.JSONLD_CONTENT_TYPE,
    )


# --- One concern or safeguard demand -----------------------------------------------------------


def _point_content(point):
    if isinstance(point, Concern):
        links = exports.public_links().filter(concern=point)
        annotations = exports.public_annotations().filter(concerns=point)
    else:
        links = exports.public_links().filter(demand=point)
        annotations = exports.public_annotations().filter(demands=point)
    return list(links), list(annotations)


def _point_csv(request, point, filename: str):
    links, annotations = _point_content(point)
    absolute = request.build_absolute_uri
    records = [exports.link_record(link, absolute) for link in links]
    records += [exports.annotation_record(a, absolute) for a in annotations]
    return _csv_response(filename, exports.COMBINED_COLUMNS, records)


def _point_json(request, point, kind: str, filename: str):
    links, annotations = _point_content(point)
    document = exports.point_document(point, kind, links, annotations, request.build_absolute_uri)
    return _json_response(filename, document)


@public
@require_safe
def concern_csv(request, slug: str):
    concern = get_object_or_404(Concern, slug=slug)
    return _point_csv(request, concern, f"treatywatch-concern-{slug}.csv")


@public
@require_safe
def concern_json(request, slug: str):
    concern = get_object_or_404(Concern, slug=slug)
    return _point_json(request, concern, "concern", f"treatywatch-concern-{slug}.json")


@public
@require_safe
def safeguard_csv(request, slug: str):
    demand = get_object_or_404(SafeguardDemand, slug=slug)
    return _point_csv(request, demand, f"treatywatch-safeguard-{slug}.csv")


@public
@require_safe
def safeguard_json(request, slug: str):
    demand = get_object_or_404(SafeguardDemand, slug=slug)
    return _point_json(request, demand, "safeguard_demand", f"treatywatch-safeguard-{slug}.json")


# --- The whole public dataset --------------------------------------------------------------------


@public
@require_safe
def dataset_json(request):
    document = exports.public_dataset_document(request.build_absolute_uri)
    return _json_response("treatywatch-dataset.json", document)


@public
@require_safe
def links_csv(request):
    records = (
        exports.link_record(link, request.build_absolute_uri) for link in exports.public_links()
    )
    return _csv_response("treatywatch-links.csv", exports.LINK_COLUMNS, records)


@public
@require_safe
def annotations_csv(request):
    records = (
        exports.annotation_record(a, request.build_absolute_uri)
        for a in exports.public_annotations()
    )
    return _csv_response("treatywatch-annotations.csv", exports.ANNOTATION_COLUMNS, records)


@public
@require_safe
def annotations_jsonld(request):
    collection = exports.annotation_collection(
        exports.public_annotations(),
        request=request,
        label=_("Published annotations on the UN Convention against Cybercrime"),
    )
    return _json_response(
        "treatywatch-annotations.jsonld", collection, content_type=exports.JSONLD_CONTENT_TYPE
    )


# --- Printable briefs ----------------------------------------------------------------------------


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
def article_brief(request, number: int):
    article = _article(number)
    links, annotations = _article_content(article)
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


def _point_brief(request, point, kind: str):
    links, annotations = _point_content(point)
    context = _brief_context(
        request,
        page_link=point.get_absolute_url(),
        point=point,
        kind=kind,
        links=links,
        annotations=annotations,
    )
    return render(request, "provisions/brief_point.html", context)


@public
@require_safe
def concern_brief(request, slug: str):
    return _point_brief(request, get_object_or_404(Concern, slug=slug), "concern")


@public
@require_safe
def safeguard_brief(request, slug: str):
    return _point_brief(request, get_object_or_404(SafeguardDemand, slug=slug), "safeguard")


# --- Feed ----------------------------------------------------------------------------------------


@public
@require_safe
def latest_feed(request):
    # A fresh Feed per request: it keeps the request to build absolute entry ids.
    return LatestAnalysisFeed()(request)
