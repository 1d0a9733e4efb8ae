"""The JSON API's annotations (W3C Web Annotations): list, read, create, edit, delete, submit,
publish. The Web Annotation Protocol (wap.py) shares the reads and writes here. Reads go through
`Annotation.objects.visible_to`; writes through the services, with the If-Match rules.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from provisions import services
from provisions.api import w3c
from provisions.api.auth import token_required
from provisions.api.endpoint import (
    endpoint,
    json_response,
    not_modified,
    paginate,
    query_text,
    read_json,
)
from provisions.api.errors import ApiError
from provisions.api.inputs import (
    MAX_ID,
    annotation_id_from,
    body_value,
    check_id,
    check_keys,
    provision_from_source,
    string_list,
    target_language,
    target_parts,
    where_and_status,
)
from provisions.cache.scopes import ANALYSIS
from provisions.models import Annotation, Tag
from provisions.models.treaty import ENGLISH

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
    # W3C §3.3.7: a copy's lasting identity (kept unchanged) and the address it was copied from.
    "canonical",
    "via",
}
# A client may send back what it read; identity keys are accepted and ignored.
ANNOTATION_PATCH_KEYS = {
    "@context",
    "type",
    "id",
    "canonical",
    "via",
    "body",
    "bodyValue",
    "target",
    "concerns",
    "safeguards",
    "tags",
}


def visible_annotation(request, pk: int) -> Annotation:
    return get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("provision__article"),
        pk=check_id(pk),
    )


def etag_list(header: str) -> list[str]:
    return [item.strip() for item in header.split(",") if item.strip()]


def check_if_match(request, annotation: Annotation, *, required: bool) -> int:
    """The version the client edits from (from If-Match); 428 without it, 412 when stale."""
    header = request.headers.get("If-Match")
    etag = w3c.annotation_etag(annotation)
    candidates = None if header is None else etag_list(header)
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


def annotation_response(request, pk: int, *, status: int = 200, location: bool = False):
    annotation = Annotation.objects.for_display().with_visible_parent_id(request.user).get(pk=pk)
    response = json_response(
        w3c.annotation_to_w3c(annotation, request),
        status=status,
        content_type=w3c.W3C_MEDIA_TYPE,
    )
    response["ETag"] = w3c.annotation_etag(annotation)
    if location:
        response["Location"] = w3c.annotation_api_url(annotation.pk, request)
    return response


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
    annotations = where_and_status(request, annotations, Annotation.Status)
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
            lambda item: w3c.annotation_to_w3c(item, request),
        )
    )


@token_required
def post_annotations(request):
    annotation = create_annotation(request, read_json(request))
    return annotation_response(request, annotation.pk, status=201, location=True)


def create_annotation(request, data: dict) -> Annotation:
    """Create an annotation from a request body in the API's input shape (docs/api.md).

    Shared by POST /annotations and POST to the Web Annotation Protocol container (wap.py),
    which first turns a W3C annotation into this shape.
    """
    check_keys(data, ANNOTATION_CREATE_KEYS)
    if data.get("type", "Annotation") != "Annotation":
        raise ValidationError({"type": _("The type is Annotation.")})
    motivation = data.get("motivation", "commenting")
    if not isinstance(motivation, str) or motivation not in W3C_MOTIVATIONS:
        raise ValidationError({"motivation": _("Not a W3C Web Annotation motivation.")})
    body = body_value(data)
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

    language = ENGLISH
    if in_reply_to is not None and "target" not in data:
        provision, selectors = in_reply_to.provision, None
    else:
        source, selectors = target_parts(data.get("target"))
        provision = provision_from_source(source, "target.source")
        language = target_language(data.get("target")) or ENGLISH

    return services.annotation_create(
        provision=provision,
        author=request.user,
        body=body,
        selectors=selectors,
        concerns=string_list(data, "concerns") or (),
        demands=string_list(data, "safeguards") or (),
        tags=string_list(data, "tags") or (),
        status=status,
        in_reply_to=in_reply_to,
        canonical=data.get("canonical", ""),
        via=data.get("via", ""),
        language=language,
    )


def displayed_annotation(request, pk: int) -> Annotation:
    """One annotation the caller may see, with what serialising it reads (404 otherwise)."""
    return get_object_or_404(
        Annotation.objects.visible_to(request.user)
        .for_display()
        .with_visible_parent_id(request.user),
        pk=check_id(pk),
    )


def get_annotation(request, pk: int):
    annotation = displayed_annotation(request, pk)
    etag = w3c.annotation_etag(annotation)
    if (response := not_modified(request, etag)) is not None:
        return response
    response = json_response(
        w3c.annotation_to_w3c(annotation, request),
        content_type=w3c.W3C_MEDIA_TYPE,
    )
    response["ETag"] = etag
    return response


@token_required
def patch_annotation(request, pk: int):
    data = read_json(request)
    updated = update_annotation(request, pk, data)
    return annotation_response(request, updated.pk)


def update_annotation(request, pk: int, data: dict, *, defaults: dict | None = None) -> Annotation:
    """Edit an annotation from a body in the API's PATCH shape, after the If-Match check.

    `defaults` (service field → value) are the changes made when the body does not name that
    field: PUT replaces the whole annotation (wap.py), PATCH changes only what it names.
    """
    annotation = visible_annotation(request, pk)
    version = check_if_match(request, annotation, required=True)
    check_keys(data, ANNOTATION_PATCH_KEYS)
    changes = dict(defaults or {})
    if "body" in data or "bodyValue" in data:
        changes["body"] = body_value(data)
    if "target" in data:
        source, selectors = target_parts(data["target"])
        if source is not None and (
            provision_from_source(source, "target.source").pk != annotation.provision_id
        ):
            raise ValidationError(
                {"target.source": _("An annotation cannot move to another provision.")}
            )
        language = target_language(data["target"])
        if language is not None and language != annotation.language:
            raise ValidationError(
                {
                    "target.language": _(
                        "An annotation stays on the text of the language it was made on."
                    )
                }
            )
        if selectors is not None:
            changes["selectors"] = selectors
    for key, service_key in (("concerns", "concerns"), ("safeguards", "demands"), ("tags", "tags")):
        value = string_list(data, key)
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
    check_keys(data, set())
    annotation = visible_annotation(request, pk)
    check_if_match(request, annotation, required=False)
    services.annotation_submit(annotation=annotation, user=request.user)
    return annotation_response(request, annotation.pk)


@token_required
def post_annotation_publish(request, pk: int):
    data = read_json(request, optional=True)
    check_keys(data, set())
    annotation = visible_annotation(request, pk)
    check_if_match(request, annotation, required=False)
    services.annotation_publish(annotation=annotation, editor=request.user)
    return annotation_response(request, annotation.pk)


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
