"""The W3C Web Annotation Protocol (https://www.w3.org/TR/annotation-protocol/), beside the API.

- `/api/v1/annotations/` is the container (an LDP BasicContainer and AnnotationCollection):
  GET pages through the annotations the caller may see, POST creates one;
- `/api/v1/annotations/<id>/` is one annotation: GET, PUT (replace), PATCH, DELETE;
- `/api/v1/context.jsonld` defines TreatyWatch's own terms.

Nothing here decides who may see or change what, nor what is valid: reads go through
`annotation_views.visible_annotations` / `.displayed_annotation` and writes through
`annotation_views.create_annotation` / `.update_annotation` and the services, as for the JSON API.
This module only translates between the protocol's documents and headers and the API's shapes.
"""

import hashlib
import json
import re
from math import ceil

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from provisions.api import annotation_views, w3c
from provisions.api.auth import token_required
from provisions.api.endpoint import (
    endpoint,
    json_response,
    not_modified,
    page_and_size,
    read_json,
)
from provisions.api.errors import ApiError
from provisions.api.inputs import annotation_id_from
from provisions.models import Annotation
from provisions.text import identity_iri

LDP_JSONLD = "http://www.w3.org/ns/ldp.jsonld"
CONTAINER_LINK = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
# Query parameters that choose a page, not which annotations: left out of the container's id.
PAGING_PARAMETERS = ("page", "page_size", "iris")
# What the server sets: sent back (as GET returned it), they are ignored, not refused.
SERVER_MANAGED = {
    "@context",
    "id",
    "created",
    "modified",
    "creator",
    "generator",
    "generated",
    "published",
    "version",
    "anchorState",
    "provision",
    "importedFrom",
}
_INCLUDE = re.compile(r'include\s*=\s*"([^"]*)"')


# --- Reading ---------------------------------------------------------------------------------


def _media_type(request) -> str:
    """The answer's media type from Accept: JSON-LD with the W3C profile, or plain JSON for a
    client that accepts only that; 406 when the client accepts neither."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return w3c.W3C_MEDIA_TYPE
    accepted = set()
    for item in header.split(","):
        media, *params = (part.strip().lower() for part in item.split(";"))
        quality = next((p.partition("=")[2] for p in params if p.startswith("q=")), "1")
        try:
            if float(quality) <= 0:
                continue
        except ValueError:
            continue
        accepted.add(media)
    if accepted & {"application/ld+json", "application/*", "*/*"}:
        return w3c.W3C_MEDIA_TYPE
    if "application/json" in accepted:
        return "application/json"
    raise ApiError(
        406,
        "not_acceptable",
        _("Annotations are served as application/ld+json (or application/json)."),
    )


def _preference(request) -> str:
    """What the client asked the container for (Prefer: return=representation;include="…")."""
    match = _INCLUDE.search(request.headers.get("Prefer", ""))
    included = match.group(1).split() if match else []
    for preference in (PREFER_MINIMAL, PREFER_IRIS):
        if preference in included:
            return preference
    return PREFER_DESCRIPTIONS


def _document_response(request, document: dict, media: str) -> HttpResponse:
    """A container or page answer: a weak ETag of its bytes (304 when the client has them)."""
    content = json.dumps(document, ensure_ascii=False).encode()
    etag = f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'
    response = not_modified(request, etag)
    if response is None:
        response = HttpResponse(content, content_type=media)
    response["ETag"] = etag
    response["Content-Location"] = document["id"]
    patch_vary_headers(response, ["Accept", "Prefer"])
    return response


def get_container(request):
    media = _media_type(request)
    page, size = page_and_size(request)
    annotations = annotation_views.visible_annotations(request)
    total = annotations.count()
    last = max(1, ceil(total / size))
    filters = request.GET.copy()
    for name in PAGING_PARAMETERS:
        filters.pop(name, None)
    container_id = request.build_absolute_uri(
        request.path + (f"?{filters.urlencode()}" if filters else "")
    )
    preference = _preference(request)
    iris = preference == PREFER_IRIS or request.GET.get("iris") == "1"

    def page_url(number: int) -> str:
        query = filters.copy()
        query["page"] = str(number)
        query["page_size"] = str(size)
        if iris:
            query["iris"] = "1"
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    def page_document(number: int) -> dict:
        start = (number - 1) * size
        rows = list(annotations[start : start + size]) if start < total else []
        document = {
            "id": page_url(number),
            "type": "AnnotationPage",
            "partOf": {"id": container_id, "total": total},
            "startIndex": start,
            "items": [
                w3c.wap_annotation_url(row.pk, request)
                if iris
                else w3c.annotation_to_wap(row, request)
                for row in rows
            ],
        }
        if number < last:
            document["next"] = page_url(number + 1)
        if number > 1:
            document["prev"] = page_url(min(number - 1, last))
        return document

    if "page" in request.GET:
        document = {"@context": w3c.W3C_CONTEXT, **page_document(page)}
    else:
        document = {
            "@context": [w3c.W3C_CONTEXT, LDP_JSONLD],
            "id": container_id,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": _("TreatyWatch annotations"),
            "total": total,
            "first": page_url(1) if preference == PREFER_MINIMAL else page_document(1),
            "last": page_url(last),
        }
    response = _document_response(request, document, media)
    if request.headers.get("Prefer"):
        response["Preference-Applied"] = "return=representation"
    return response


def _annotation_response(request, pk: int, *, status: int = 200, media=None) -> HttpResponse:
    annotation = annotation_views.displayed_annotation(request, pk)
    etag = w3c.annotation_etag(annotation)
    if status == 200 and (response := not_modified(request, etag)) is not None:
        return response
    response = json_response(
        w3c.annotation_to_wap(annotation, request),
        status=status,
        content_type=media or w3c.W3C_MEDIA_TYPE,
    )
    response["ETag"] = etag
    if status == 201:
        response["Location"] = w3c.wap_annotation_url(annotation.pk, request)
    return response


def get_annotation(request, pk: int):
    return _annotation_response(request, pk, media=_media_type(request))


def get_context(request):
    response = json_response(w3c.wap_context(request), content_type="application/ld+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Writing ---------------------------------------------------------------------------------


def _named_annotation(value) -> int | None:
    """The id of the annotation an address names (a reply's target), else None."""
    if isinstance(value, dict):
        value = value.get("source") if set(value) <= {"source", "id", "type"} else None
    if not isinstance(value, str) or "/" not in value:
        return None
    return annotation_id_from(value)


def api_input(data: dict, *, create: bool) -> tuple[dict, int | None]:
    """A W3C annotation (what GET returned, or what any W3C client writes) → the JSON API's
    input (annotation_views.create_annotation / update_annotation), and the parent it names, if any.

    Server-managed fields are dropped; `purpose: tagging` bodies become `tags`; a target that
    is an annotation makes a reply to it (`inReplyTo`). Anything else is left for the API's
    own checks, which refuse unknown fields.
    """
    # W3C protocol §5.1: a copy's id becomes its `via` (the address it was copied from); its
    # `canonical` is kept unchanged. An edit changes neither.
    copied_from = identity_iri(data.get("id")) if create else ""
    data = {key: value for key, value in data.items() if key not in SERVER_MANAGED}
    if not create:
        data.pop("canonical", None)
        data.pop("via", None)
    elif copied_from:
        data["via"] = copied_from
    kind = data.pop("type", "Annotation")
    if kind != "Annotation" and not (isinstance(kind, list) and "Annotation" in kind):
        raise ValidationError({"type": _("The type is Annotation.")})
    status = data.get("status")
    if not create or (status in Annotation.Status.values and status not in _CREATE_STATUSES):
        # Changed by submit and publish, not by an edit; a copy of a published note starts
        # as a draft.
        data.pop("status", None)
    if not create:
        data.pop("motivation", None)

    bodies = data.get("body")
    if isinstance(bodies, dict):
        bodies = [bodies]
    if isinstance(bodies, list):
        tagging = [b for b in bodies if isinstance(b, dict) and b.get("purpose") == "tagging"]
        notes = [b for b in bodies if b not in tagging]
        if tagging:
            tags = [b.get("value") for b in tagging]
            if not all(isinstance(tag, str) for tag in tags):
                raise ValidationError({"body": _("A tagging body's value is the tag (text).")})
            extension = data.get("tags") or []
            data["tags"] = [*extension, *tags] if isinstance(extension, list) else extension
        if notes:
            data["body"] = notes
        else:
            data.pop("body")

    parent = None
    if "target" in data:
        parent = _named_annotation(data["target"])
        if parent is not None:
            del data["target"]
        elif isinstance(data["target"], dict):
            data["target"] = {k: v for k, v in data["target"].items() if k != "sourceVersion"}
    named_parent = data.get("inReplyTo")
    if named_parent is not None:
        in_reply_to = annotation_id_from(named_parent)
        if parent is not None and in_reply_to != parent:
            raise ValidationError(
                {"inReplyTo": _("The target and inReplyTo name different annotations.")}
            )
        parent = in_reply_to if in_reply_to is not None else parent
    if create:
        if parent is not None:
            data["inReplyTo"] = parent
    else:
        data.pop("inReplyTo", None)
    return data, parent


_CREATE_STATUSES = (Annotation.Status.DRAFT, Annotation.Status.SUBMITTED)


@token_required
def post_container(request):
    data, _parent = api_input(read_json(request), create=True)
    annotation = annotation_views.create_annotation(request, data)
    return _annotation_response(request, annotation.pk, status=201)


def _edit(request, pk: int, *, replace: bool):
    body = read_json(request)
    current = annotation_views.visible_annotation(request, pk)
    # 404, then 428/412, then the body's faults: the JSON API's PATCH order.
    annotation_views.check_if_match(request, current, required=True)
    data, parent = api_input(body, create=False)
    if parent is not None and parent != current.in_reply_to_id:
        raise ValidationError({"target": _("A reply cannot move to another annotation.")})
    defaults = None
    if replace:
        if "body" not in data and "bodyValue" not in data:
            raise ValidationError({"body": _("PUT replaces the annotation: send its body.")})
        if "target" not in data and current.in_reply_to_id is None:
            raise ValidationError({"target": _("PUT replaces the annotation: send its target.")})
        # What the document leaves out is gone, as a replacement says.
        defaults = {"concerns": [], "demands": [], "tags": []}
        if current.in_reply_to_id is None:
            defaults["selectors"] = []
    updated = annotation_views.update_annotation(request, pk, data, defaults=defaults)
    return _annotation_response(request, updated.pk)


@token_required
def put_annotation(request, pk: int):
    return _edit(request, pk, replace=True)


@token_required
def patch_annotation(request, pk: int):
    return _edit(request, pk, replace=False)


delete_annotation = token_required(annotation_views.remove_annotation)


container = endpoint(
    name="wap_container",
    get=get_container,
    post=post_container,
    ldp_headers={"Link": CONTAINER_LINK, "Accept-Post": w3c.W3C_MEDIA_TYPE},
)
annotation = endpoint(
    name="wap_annotation",
    get=get_annotation,
    put=put_annotation,
    patch=patch_annotation,
    delete=delete_annotation,
    ldp_headers={"Link": RESOURCE_LINK},
)
# The context changes only with the code: a shared ETag from the site's generation.
context = endpoint(name="context", get=get_context, public_scopes=lambda: ())
