"""The JSON API's reads of the treaty and the coalition's points: the index, the OpenAPI
document, the treaty, an article, concerns, safeguard demands and the states; and the JSON 404.

Each address is one `endpoint(...)` with a handler per HTTP method (see endpoint.py). Links and
annotations have their own modules (link_views.py, annotation_views.py), which read through the
visibility QuerySets and write through the services, exactly as the pages do.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from provisions.api import serializers
from provisions.api.endpoint import endpoint, json_response
from provisions.api.errors import ApiError
from provisions.api.inputs import MAX_ID, check_id
from provisions.api.link_views import public_links
from provisions.api.openapi.document import build_document
from provisions.cache.scopes import ANALYSIS, article_scope
from provisions.exports import states_document
from provisions.models import POINT_MODELS, Article, Chapter, Treaty
from provisions.treaty_status import CACHE_SCOPE as STATES_SCOPE

# --- Index, OpenAPI, treaty ------------------------------------------------------------------


def get_index(request):
    def url(name):
        return request.build_absolute_uri(reverse(name))

    return json_response(
        {
            "name": "TreatyWatch API",
            "version": "1",
            "openapi": url("api:openapi"),
            "treaty": url("api:treaty"),
            "concerns": url("api:concerns"),
            "safeguards": url("api:safeguards"),
            "states": url("api:states"),
            "links": url("api:links"),
            "annotations": url("api:annotations"),
            # The W3C Web Annotation Protocol's container and TreatyWatch's JSON-LD context.
            "annotation_container": url("api:wap_container"),
            "context": url("api:context"),
        }
    )


def get_openapi(request):
    return json_response(build_document(request))


def get_treaty(request):
    treaty = Treaty.objects.first()
    if treaty is None:
        raise Http404
    articles_by_chapter: dict[int, list[Article]] = {}
    for article in Article.objects.filter(treaty=treaty).order_by("number"):
        articles_by_chapter.setdefault(article.chapter_id, []).append(article)
    chapters = [
        serializers.chapter_to_dict(chapter, articles_by_chapter.get(chapter.pk, []), request)
        for chapter in Chapter.objects.filter(treaty=treaty)
    ]
    return json_response(serializers.treaty_to_dict(treaty, chapters))


def get_article(request, number: int):
    article = get_object_or_404(Article.objects.for_rendering(), number=check_id(number))
    links = public_links().filter(provision__article=article).order_by("pk")
    return json_response(
        serializers.article_to_dict(article, list(article.provisions.all()), list(links), request)
    )


# --- Concerns and safeguards -----------------------------------------------------------------


# `kind` ("concern" / "demand", POINT_MODELS) comes from the URL pattern.
def get_points(request, kind: str):
    points = POINT_MODELS[kind].objects.with_link_counts()
    return json_response({"items": [serializers.point_to_dict(p, request) for p in points]})


def get_point(request, kind: str, slug: str):
    point = get_object_or_404(POINT_MODELS[kind].objects.with_link_counts(), slug=slug)
    links = public_links().filter(**{kind: point}).order_by("provision__position", "pk")
    return json_response(serializers.point_to_dict(point, request, links=links))


# --- Where the states stand -------------------------------------------------------------------


def get_states(request):
    return json_response(states_document(request))


def get_state(request, code: str):
    document = states_document(request, code.upper()) if len(code) == 3 else {"items": []}
    if not document["items"]:
        raise Http404
    return json_response({"summary": document["summary"], **document["items"][0]})


def get_not_found(request, **kwargs):
    raise ApiError(404, "not_found", _("There is no API endpoint at this address."))


# --- The views the URLs point to -------------------------------------------------------------

# Anonymous reads carry a shared ETag (endpoint.shared_etag) from the page cache's generations of
# the scopes their public data belongs to, so that If-None-Match is answered 304 without a
# query: the site alone for what only the code, imports, seeding and the admin change (the index,
# the OpenAPI document, the treaty's facts: all retire everything); one article's scope for its
# page, which holds its approved links; every public analysis for the concerns and safeguard
# demands with their approved links and link counts (a link's approval or retraction retires
# the analysis; a correction of the statement retires everything); the states' scope for where
# the states stand (status imports, published commitments). The one-point addresses use the
# analysis scope, not the point's own: a scope per slug would let any address create a counter.
index = endpoint(name="index", get=get_index, public_scopes=lambda: ())
openapi_document = endpoint(name="openapi_document", get=get_openapi, public_scopes=lambda: ())
treaty = endpoint(name="treaty", get=get_treaty, public_scopes=lambda: ())
article = endpoint(
    name="article",
    get=get_article,
    public_scopes=lambda number: (article_scope(number),) if number <= MAX_ID else None,
)


def _analysis(**_kwargs):
    return (ANALYSIS,)


def _states(**_kwargs):
    return (STATES_SCOPE,)


concerns = endpoint(name="concerns", get=get_points, public_scopes=_analysis)
concern = endpoint(name="concern", get=get_point, public_scopes=_analysis)
safeguards = endpoint(name="safeguards", get=get_points, public_scopes=_analysis)
safeguard = endpoint(name="safeguard", get=get_point, public_scopes=_analysis)
states = endpoint(name="states", get=get_states, public_scopes=_states)
state = endpoint(name="state", get=get_state, public_scopes=_states)
# Unknown addresses under /api/v1/ answer a JSON 404 to every method, not the HTML page.
not_found = endpoint(
    name="not_found",
    get=get_not_found,
    post=get_not_found,
    patch=get_not_found,
    delete=get_not_found,
)
