"""The JSON API's addresses, under /api/v1/ (each is described in openapi/ and docs/api.md)."""

from django.urls import path, re_path

from provisions.api import annotation_views, link_views, views, wap

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi_document, name="openapi"),
    path("treaty", views.treaty, name="treaty"),
    path("articles/<int:number>", views.article, name="article"),
    # Both kinds of statement point share their handlers; the kind is the code's name.
    path("concerns", views.concerns, {"kind": "concern"}, name="concerns"),
    path("concerns/<slug:slug>", views.concern, {"kind": "concern"}, name="concern"),
    path("safeguards", views.safeguards, {"kind": "demand"}, name="safeguards"),
    path("safeguards/<slug:slug>", views.safeguard, {"kind": "demand"}, name="safeguard"),
    path("states", views.states, name="states"),
    path("states/<str:code>", views.state, name="state"),
    path("links", link_views.links, name="links"),
    path("links/<int:pk>", link_views.link, name="link"),
    path("links/<int:pk>/approve", link_views.link_approve, name="link_approve"),
    path("annotations", annotation_views.annotations, name="annotations"),
    path("annotations/<int:pk>", annotation_views.annotation, name="annotation"),
    path(
        "annotations/<int:pk>/submit", annotation_views.annotation_submit, name="annotation_submit"
    ),
    path(
        "annotations/<int:pk>/publish",
        annotation_views.annotation_publish,
        name="annotation_publish",
    ),
    # The W3C Web Annotation Protocol (wap.py): the container ends in "/", as it requires.
    path("annotations/", wap.container, name="wap_container"),
    path("annotations/<int:pk>/", wap.annotation, name="wap_annotation"),
    path("context.jsonld", wap.context, name="context"),
    # Last: anything else under /api/v1/ is a JSON 404, not the HTML page.
    # [\s\S], not ".": a newline (/api/v1/a%0Ab) must not fall through to the HTML 404.
    re_path(r"^[\s\S]+$", views.not_found, name="not_found"),
]
