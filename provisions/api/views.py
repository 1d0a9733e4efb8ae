"""The JSON API's handlers: reads for everyone, writes with a personal token.

Each address is one `endpoint(...)` with a handler per HTTP method (see endpoint.py). Reads go
through the visibility QuerySets (`Annotation.objects.visible_to`, `ProvisionLink.objects
.visible_to`); writes go through the services, which check permissions and validate, exactly as
the pages do.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from provisions import services
from provisions.api import openapi, serializers
from provisions.api.auth import token_required
from provisions.api.endpoint import (
    endpoint,
    json_response,
    not_modified,
    paginate,
    query_int,
    query_text,
    read_json,
)
from provisions.api.errors import ApiError
from provisions.cache.scopes import ANALYSIS, article_scope
from provisions.exports import states_document
from provisions.models import (
    Annotation,
    Article,
    Chapter,
    Concern,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Tag,
    Treaty,
)

# Larger ids or numbers cannot exist; refusing them early keeps databases from overflowing.
MAX_ID = 2**53

W3C_MOTIVATIONS = {
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "replying",
    "tagging",
}
ANNOTATION_CREATE_KEYS = {
    "@context",
    "type",
    "motivation",
    "body",
    "bodyValue",
    "target",
    "concerns",
    "safeguards",
    "tags",
    "status",
    "inReplyTo",
}
# A client may send back what it read; identity keys are accepted and ignored.
ANNOTATION_PATCH_KEYS = {
    "@context",
    "type",
    "id",
    "body",
    "bodyValue",
    "target",
    "concerns",
    "safeguards",
    "tags",
}
LINK_CREATE_KEYS = {
    "provision",
    "concern",
    "safeguard",
    "kind",
    "rationale",
    "sources",
    "confidence",
}
LINK_APPROVE_KEYS = {"note", "kind", "rationale", "sources", "confidence"}


# --- Helpers ---------------------------------------------------------------------------------


def _check_id(value: int) -> int:
    if value > MAX_ID:
        raise Http404
    return value


def _choose_one(values) -> str:
    return _("Choose one of: %(c)s") % {"c": ", ".join(values)}


def _check_keys(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({key: _("Unknown field.") for key in unknown})


def _string_list(data: dict, key: str) -> list[str] | None:
    """An optional list of strings (slugs or tag names); None when the key is absent."""
    if key not in data:
        return None
    value = data[key]
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({key: _('Give a list of text values, e.g. ["a", "b"].')})
    return value


def _body_value(data: dict) -> str:
    """The Markdown note from a W3C `body` (TextualBody) or the `bodyValue` shorthand."""
    if "bodyValue" in data:
        if "body" in data:
            raise ValidationError({"body": _("Send either body or bodyValue, not both.")})
        value = data["bodyValue"]
    else:
        body = data.get("body")
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if not isinstance(body, dict):
            raise ValidationError(
                {"body": _('Give the note as {"type": "TextualBody", "value": "…"}.')}
            )
        if body.get("type", "TextualBody") != "TextualBody":
            raise ValidationError({"body.type": _("Only a TextualBody is supported.")})
        if body.get("format", "text/markdown") not in ("text/markdown", "text/plain"):
            raise ValidationError({"body.format": _("The format is text/markdown.")})
        value = body.get("value")
    if not isinstance(value, str):
        raise ValidationError({"body.value": _("The note must be text.")})
    return value


def _target_parts(target) -> tuple[object, list | None]:
    """(source, selectors) of a W3C target; selectors is None when the target names none."""
    if isinstance(target, str):
        return target, None
    if isinstance(target, list) and len(target) == 1:
        target = target[0]
    if not isinstance(target, dict):
        raise ValidationError(
            {"target": _('Give the target as {"source": "art_24", "selector": [...]}.')}
        )
    if "selector" not in target:
        return target.get("source"), None
    selector = target["selector"]
    if selector is None:
        return target.get("source"), []
    if isinstance(selector, dict):
        selector = [selector]
    if not isinstance(selector, list):
        raise ValidationError({"target.selector": _("Give a list of W3C selectors.")})
    return target.get("source"), selector


def _provision_from_source(source, field: str) -> Provision:
    """A provision named by its eid ("art_24__para_1") or its permalink (article URL + #eid)."""
    invalid = ValidationError(
        {field: _("Name a provision: an eid such as art_24, or its permalink.")}
    )
    if not isinstance(source, str) or not source.strip():
        raise invalid
    source = source.strip()
    eid, number, in_article = source, None, True
    if "#" in source or "/" in source:
        try:
            # urlsplit refuses some addresses outright ("http://[::1": a broken IPv6 host).
            parts = urlsplit(source)
            match = resolve(parts.path)
        except (ValueError, Resolver404):
            raise invalid from None
        eid = parts.fragment
        if not eid or match.view_name not in ("provisions:article", "provisions:toc"):
            raise invalid
        number = match.kwargs.get("number")
        in_article = match.view_name == "provisions:article"
    provision = Provision.objects.select_related("article").filter(eid=eid).first()
    if provision is None:
        raise ValidationError({field: _("No provision has the id %(eid)s.") % {"eid": eid[:100]}})
    if number is not None and (not in_article or provision.article.number != number):
        raise invalid
    if number is None and "#" in source and provision.article_id is not None:
        # A table-of-contents permalink only names provisions outside the articles.
        raise invalid
    return provision


def annotation_id_from(value) -> int | None:
    """The id of an annotation named by its number or its address (either API's); else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.isdigit():
            try:
                return int(value)
            except ValueError:
                # "²" is a digit to Python but not a number; 5,000 digits are past int()'s limit.
                return None
        try:
            match = resolve(urlsplit(value).path)
        except (ValueError, Resolver404):
            return None
        if match.view_name in ("api:annotation", "api:wap_annotation"):
            return match.kwargs["pk"]
    return None


def visible_annotation(request, pk: int) -> Annotation:
    return get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("provision__article"),
        pk=_check_id(pk),
    )


def _etag_list(header: str) -> list[str]:
    return [item.strip() for item in header.split(",") if item.strip()]


def check_if_match(request, annotation: Annotation, *, required: bool) -> int:
    """The version the client edits from (from If-Match); 428 without it, 412 when stale."""
    header = request.headers.get("If-Match")
    etag = serializers.annotation_etag(annotation)
    candidates = None if header is None else _etag_list(header)
    if required and candidates is not None:
        # "*" matches any version, so it says nothing about which one the client read: where
        # the lost-update check is required it counts as no If-Match at all.
        candidates = [item for item in candidates if item != "*"] or None
    if candidates is None:
        if required:
            raise ApiError(
                428,
                "precondition_required",
                _("Send If-Match with the ETag you read, so that no one's edit is lost."),
                headers={"ETag": etag},
            )
        return annotation.version
    if "*" not in candidates and etag not in candidates:
        raise ApiError(
            412,
            "precondition_failed",
            _("This annotation changed since you read it: read it again, then edit."),
            fields={"version": [str(annotation.version)]},
            headers={"ETag": etag},
        )
    return annotation.version


def _annotation_response(request, pk: int, *, status: int = 200, location: bool = False):
    annotation = Annotation.objects.for_display().with_visible_parent_id(request.user).get(pk=pk)
    response = json_response(
        serializers.annotation_to_w3c(annotation, request),
        status=status,
        content_type=serializers.W3C_MEDIA_TYPE,
    )
    response["ETag"] = serializers.annotation_etag(annotation)
    if location:
        response["Location"] = serializers.annotation_api_url(annotation.pk, request)
    return response


def _link_response(request, pk: int, *, status: int = 200, location: bool = False):
    link = ProvisionLink.objects.select_related("provision__article", "concern", "demand").get(
        pk=pk
    )
    response = json_response(serializers.link_to_dict(link, request), status=status)
    if location:
        response["Location"] = request.build_absolute_uri(reverse("api:link", kwargs={"pk": pk}))
    return response


def _public_links():
    return ProvisionLink.objects.public().select_related("provision__article", "concern", "demand")


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
        }
    )


def get_openapi(request):
    return json_response(openapi.build_document(request))


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
    article = get_object_or_404(Article.objects.for_rendering(), number=_check_id(number))
    links = _public_links().filter(provision__article=article).order_by("pk")
    return json_response(
        serializers.article_to_dict(article, list(article.provisions.all()), list(links), request)
    )


# --- Concerns and safeguards -----------------------------------------------------------------


def get_concerns(request):
    concerns = Concern.objects.with_link_counts()
    return json_response(
        {"items": [serializers.concern_to_dict(concern, request) for concern in concerns]}
    )


def get_concern(request, slug: str):
    concern = get_object_or_404(Concern.objects.with_link_counts(), slug=slug)
    links = _public_links().filter(concern=concern).order_by("provision__position", "pk")
    return json_response(serializers.concern_to_dict(concern, request, links=links))


def get_safeguards(request):
    demands = SafeguardDemand.objects.with_link_counts()
    return json_response(
        {"items": [serializers.safeguard_to_dict(demand, request) for demand in demands]}
    )


def get_safeguard(request, slug: str):
    demand = get_object_or_404(SafeguardDemand.objects.with_link_counts(), slug=slug)
    links = _public_links().filter(demand=demand).order_by("provision__position", "pk")
    return json_response(serializers.safeguard_to_dict(demand, request, links=links))


# --- Where the states stand -------------------------------------------------------------------


def get_states(request):
    return json_response(states_document(request))


def get_state(request, code: str):
    document = states_document(request, code.upper()) if len(code) == 3 else {"items": []}
    if not document["items"]:
        raise Http404
    return json_response({"summary": document["summary"], **document["items"][0]})


# --- Links -----------------------------------------------------------------------------------


def _where_and_status(request, queryset, statuses):
    """The filters links and annotations share: ?article=24, ?provision=art_24_para_1 and
    ?status= (one of `statuses`, else a 400 that lists them)."""
    article = query_int(request, "article")
    if article is not None:
        queryset = queryset.filter(provision__article__number=article)
    if provision := query_text(request, "provision"):
        queryset = queryset.filter(provision__eid=provision)
    if status := query_text(request, "status"):
        if status not in statuses.values:
            raise ApiError(
                400,
                "bad_request",
                _("Unknown status."),
                fields={"status": [_choose_one(statuses.values)]},
            )
        queryset = queryset.filter(status=status)
    return queryset


def get_links(request):
    links = (
        ProvisionLink.objects.visible_to(request.user)
        .select_related("provision__article", "concern", "demand")
        .order_by("provision__position", "pk")
    )
    links = _where_and_status(request, links, ProvisionLink.Status)
    if concern := query_text(request, "concern"):
        links = links.filter(concern__slug=concern)
    if safeguard := query_text(request, "safeguard"):
        links = links.filter(demand__slug=safeguard)
    return json_response(
        paginate(request, links, lambda link: serializers.link_to_dict(link, request))
    )


@token_required
def post_links(request):
    data = read_json(request)
    _check_keys(data, LINK_CREATE_KEYS)
    provision = _provision_from_source(data.get("provision"), "provision")
    for key in ("concern", "safeguard", "kind", "confidence"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValidationError({key: _("Give a name (text).")})
    link = services.link_propose(
        provision=provision,
        proposer=request.user,
        rationale=data.get("rationale"),
        concern=data.get("concern"),
        demand=data.get("safeguard"),
        kind=data.get("kind"),
        sources=_string_list(data, "sources") or (),
        confidence=data.get("confidence", ProvisionLink.Confidence.MEDIUM),
    )
    return _link_response(request, link.pk, status=201, location=True)


def get_link(request, pk: int):
    link = get_object_or_404(
        ProvisionLink.objects.visible_to(request.user).select_related(
            "provision__article", "concern", "demand"
        ),
        pk=_check_id(pk),
    )
    return json_response(serializers.link_to_dict(link, request))


@token_required
def post_link_approve(request, pk: int):
    data = read_json(request, optional=True)
    _check_keys(data, LINK_APPROVE_KEYS)
    link = get_object_or_404(ProvisionLink.objects.visible_to(request.user), pk=_check_id(pk))
    note = data.get("note", "")
    if not isinstance(note, str):
        raise ValidationError({"note": _("The note must be text.")})
    changes = {key: data[key] for key in ("kind", "rationale", "confidence") if key in data}
    if "sources" in data:
        changes["sources"] = _string_list(data, "sources")
    link = services.link_approve(link=link, editor=request.user, note=note, **changes)
    return _link_response(request, link.pk)


# --- Annotations -----------------------------------------------------------------------------


def visible_annotations(request):
    """The annotations the caller may see, newest first, with the query's filters applied.

    Shared by GET /annotations and the Web Annotation Protocol container (wap.py).
    """
    annotations = (
        Annotation.objects.visible_to(request.user)
        .for_display()
        .with_visible_parent_id(request.user)
        .order_by("-created_at", "-pk")
    )
    annotations = _where_and_status(request, annotations, Annotation.Status)
    # Many-to-many filters as subqueries: no duplicate rows, whatever matches.
    if concern := query_text(request, "concern"):
        annotations = annotations.filter(
            pk__in=Annotation.concerns.through.objects.filter(concern__slug=concern).values(
                "annotation_id"
            )
        )
    if safeguard := query_text(request, "safeguard"):
        annotations = annotations.filter(
            pk__in=Annotation.demands.through.objects.filter(
                safeguarddemand__slug=safeguard
            ).values("annotation_id")
        )
    if tag := query_text(request, "tag"):
        tags = Tag.objects.filter(Q(name__iexact=tag) | Q(slug=tag))
        annotations = annotations.filter(
            pk__in=Annotation.tags.through.objects.filter(tag__in=tags).values("annotation_id")
        )
    if q := query_text(request, "q"):
        annotations = annotations.filter(body__icontains=q)
    return annotations


def get_annotations(request):
    return json_response(
        paginate(
            request,
            visible_annotations(request),
            lambda item: serializers.annotation_to_w3c(item, request),
        )
    )


@token_required
def post_annotations(request):
    annotation = create_annotation(request, read_json(request))
    return _annotation_response(request, annotation.pk, status=201, location=True)


def create_annotation(request, data: dict) -> Annotation:
    """Create an annotation from a request body in the API's input shape (docs/api.md).

    Shared by POST /annotations and POST to the Web Annotation Protocol container (wap.py),
    which first turns a W3C annotation into this shape.
    """
    _check_keys(data, ANNOTATION_CREATE_KEYS)
    if data.get("type", "Annotation") != "Annotation":
        raise ValidationError({"type": _("The type is Annotation.")})
    motivation = data.get("motivation", "commenting")
    if not isinstance(motivation, str) or motivation not in W3C_MOTIVATIONS:
        raise ValidationError({"motivation": _("Not a W3C Web Annotation motivation.")})
    body = _body_value(data)
    status = data.get("status", Annotation.Status.DRAFT)
    if status not in (Annotation.Status.DRAFT, Annotation.Status.SUBMITTED):
        raise ValidationError({"status": _("A new annotation is a draft or is submitted.")})

    in_reply_to = None
    if data.get("inReplyTo") is not None:
        reply_id = annotation_id_from(data["inReplyTo"])
        in_reply_to = (
            Annotation.objects.visible_to(request.user)
            .select_related("provision__article")
            .filter(pk=reply_id if reply_id is not None and 0 < reply_id <= MAX_ID else None)
            .first()
        )
        if in_reply_to is None:
            raise ValidationError({"inReplyTo": _("No annotation you can see has this id.")})

    if in_reply_to is not None and "target" not in data:
        provision, selectors = in_reply_to.provision, None
    else:
        source, selectors = _target_parts(data.get("target"))
        provision = _provision_from_source(source, "target.source")

    return services.annotation_create(
        provision=provision,
        author=request.user,
        body=body,
        selectors=selectors,
        concerns=_string_list(data, "concerns") or (),
        demands=_string_list(data, "safeguards") or (),
        tags=_string_list(data, "tags") or (),
        status=status,
        in_reply_to=in_reply_to,
    )


def displayed_annotation(request, pk: int) -> Annotation:
    """One annotation the caller may see, with what serialising it reads (404 otherwise)."""
    return get_object_or_404(
        Annotation.objects.visible_to(request.user)
        .for_display()
        .with_visible_parent_id(request.user),
        pk=_check_id(pk),
    )


def get_annotation(request, pk: int):
    annotation = displayed_annotation(request, pk)
    etag = serializers.annotation_etag(annotation)
    if (response := not_modified(request, etag)) is not None:
        return response
    response = json_response(
        serializers.annotation_to_w3c(annotation, request),
        content_type=serializers.W3C_MEDIA_TYPE,
    )
    response["ETag"] = etag
    return response


@token_required
def patch_annotation(request, pk: int):
    data = read_json(request)
    updated = update_annotation(request, pk, data)
    return _annotation_response(request, updated.pk)


def update_annotation(request, pk: int, data: dict, *, defaults: dict | None = None) -> Annotation:
    """Edit an annotation from a body in the API's PATCH shape, after the If-Match check.

    `defaults` (service field → value) are the changes made when the body does not name that
    field: PUT replaces the whole annotation (wap.py), PATCH changes only what it names.
    """
    annotation = visible_annotation(request, pk)
    version = check_if_match(request, annotation, required=True)
    _check_keys(data, ANNOTATION_PATCH_KEYS)
    changes = dict(defaults or {})
    if "body" in data or "bodyValue" in data:
        changes["body"] = _body_value(data)
    if "target" in data:
        source, selectors = _target_parts(data["target"])
        if source is not None and (
            _provision_from_source(source, "target.source").pk != annotation.provision_id
        ):
            raise ValidationError(
                {"target.source": _("An annotation cannot move to another provision.")}
            )
        if selectors is not None:
            changes["selectors"] = selectors
    for key, service_key in (("concerns", "concerns"), ("safeguards", "demands"), ("tags", "tags")):
        value = _string_list(data, key)
        if value is not None:
            changes[service_key] = value
    if not changes:
        raise ValidationError({"__all__": _("Nothing to change.")})
    return services.annotation_update(
        annotation=annotation, user=request.user, version=version, **changes
    )


def remove_annotation(request, pk: int):
    """DELETE an annotation (the JSON API's and the Web Annotation Protocol's)."""
    annotation = visible_annotation(request, pk)
    check_if_match(request, annotation, required=False)
    services.annotation_delete(annotation=annotation, user=request.user)
    return HttpResponse(status=204)


delete_annotation = token_required(remove_annotation)


@token_required
def post_annotation_submit(request, pk: int):
    data = read_json(request, optional=True)
    _check_keys(data, set())
    annotation = visible_annotation(request, pk)
    check_if_match(request, annotation, required=False)
    services.annotation_submit(annotation=annotation, user=request.user)
    return _annotation_response(request, annotation.pk)


@token_required
def post_annotation_publish(request, pk: int):
    data = read_json(request, optional=True)
    _check_keys(data, set())
    annotation = visible_annotation(request, pk)
    check_if_match(request, annotation, required=False)
    services.annotation_publish(annotation=annotation, editor=request.user)
    return _annotation_response(request, annotation.pk)


def get_not_found(request, **kwargs):
    raise ApiError(404, "not_found", _("There is no API endpoint at this address."))


# --- The views the URLs point to -------------------------------------------------------------

index = endpoint(name="index", get=get_index)
openapi_document = endpoint(name="openapi_document", get=get_openapi)
# Anonymous reads of these carry a shared ETag (endpoint.shared_etag) from the page cache's
# generations of the scopes their public data belongs to: the site alone for the treaty's
# facts (changed by imports, seeding and the admin, which retire everything); one article's
# scope for its page, which holds its approved links; every public analysis for the lists.
treaty = endpoint(name="treaty", get=get_treaty, public_scopes=lambda: ())
article = endpoint(
    name="article",
    get=get_article,
    public_scopes=lambda number: (article_scope(number),) if number <= MAX_ID else None,
)
concerns = endpoint(name="concerns", get=get_concerns)
concern = endpoint(name="concern", get=get_concern)
safeguards = endpoint(name="safeguards", get=get_safeguards)
safeguard = endpoint(name="safeguard", get=get_safeguard)
states = endpoint(name="states", get=get_states)
state = endpoint(name="state", get=get_state)
links = endpoint(name="links", get=get_links, post=post_links, public_scopes=lambda: (ANALYSIS,))
link = endpoint(name="link", get=get_link)
link_approve = endpoint(name="link_approve", post=post_link_approve)
annotations = endpoint(
    name="annotations",
    get=get_annotations,
    post=post_annotations,
    public_scopes=lambda: (ANALYSIS,),
)
annotation = endpoint(
    name="annotation", get=get_annotation, patch=patch_annotation, delete=delete_annotation
)
annotation_submit = endpoint(name="annotation_submit", post=post_annotation_submit)
annotation_publish = endpoint(name="annotation_publish", post=post_annotation_publish)
# Unknown addresses under /api/v1/ answer a JSON 404 to every method, not the HTML page.
not_found = endpoint(
    name="not_found",
    get=get_not_found,
    post=get_not_found,
    patch=get_not_found,
    delete=get_not_found,
)
