"""Annotations as W3C Web Annotations (https://www.w3.org/TR/annotation-model/): the JSON API's
form, the Web Annotation Protocol's (api/wap.py), and the JSON-LD context of TreatyWatch's own
terms (served at /api/v1/context.jsonld). Plain functions; see serializers.py for the rules.
"""

from django.urls import reverse

from provisions.api.serializers import absolute, iso, provision_permalink
from provisions.models import Annotation
from provisions.models.languages import html_language, text_direction
from provisions.public_names import public_name

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def annotation_api_url(annotation_id: int, request) -> str:
    return absolute(request, reverse("api:annotation", kwargs={"pk": annotation_id}))


def annotation_etag(annotation: Annotation) -> str:
    """Strong ETag of an annotation's current version, e.g. "12-v3"."""
    return f'"{annotation.pk}-v{annotation.version}"'


def relation_values(annotation: Annotation) -> dict[str, list[str]]:
    """The slugs of an annotation's concerns and demands and the names of its tags."""
    return {
        "concerns": [concern.slug for concern in annotation.concerns.all()],
        "demands": [demand.slug for demand in annotation.demands.all()],
        "tags": [tag.name for tag in annotation.tags.all()],
    }


def annotation_to_w3c(annotation: Annotation, request, related: dict | None = None) -> dict:
    """One annotation as a W3C Web Annotation (JSON-LD), with TreatyWatch's extra keys.

    Reads annotation.author.member, annotation.provision.article, concerns, demands and tags:
    pass `Annotation.objects.for_display()` rows to keep it at zero queries per annotation, or
    give `related` (concern slugs, demand slugs, tag names, as `provisions.exports` reads them).
    """
    if related is None:
        related = relation_values(annotation)
    target = {"source": provision_permalink(annotation.provision, request)}
    if annotation.in_reply_to_id is None:
        # W3C §3.2.1: the language (and direction) of the target, the provision's words the
        # note was made on and is anchored in (Annotation.language): the quote's language.
        # Nothing is said of the body's: a note about the Arabic text may be written in any.
        target["language"] = html_language(annotation.language)
        target["textDirection"] = text_direction(annotation.language)
    if annotation.selectors:
        target["selector"] = [dict(selector) for selector in annotation.selectors]
    if annotation.quote:
        # W3C names the resource (`source`, the provision); which text of it the words were
        # taken from is TreatyWatch's term: our editorial summary or an official version.
        target["sourceVersion"] = {
            "label": annotation.quote_source,
            "officialText": annotation.quote_source_official,
        }
    # W3C §3.3.7, present only when known: its lasting identity, and the copy it was made from.
    identities = {"canonical": annotation.canonical, "via": annotation.via}
    return {
        # The W3C context, then ours, which defines every key W3C does not (wap_context).
        "@context": [W3C_CONTEXT, context_url(request)],
        "id": annotation_api_url(annotation.pk, request),
        **{key: value for key, value in identities.items() if value},
        "type": "Annotation",
        "motivation": "replying" if annotation.in_reply_to_id else "commenting",
        "created": iso(annotation.created_at),
        "modified": iso(annotation.updated_at),
        "creator": {"type": "Person", "name": public_name(annotation.author)},
        "body": {"type": "TextualBody", "value": annotation.body, "format": "text/markdown"},
        "target": target,
        "provision": annotation.provision.eid,
        "concerns": related["concerns"],
        "safeguards": related["demands"],
        "tags": related["tags"],
        "status": annotation.status,
        "version": annotation.version,
        "anchorState": annotation.anchor_state,
        # A note imported from a file made elsewhere: who wrote it there, when, and its id there
        # (provisions.services.annotation_import); `creator` is the member it was imported for.
        "importedFrom": (
            {
                "source": annotation.imported_from,
                "id": annotation.imported_id,
                "creator": annotation.original_creator or None,
                "created": iso(annotation.original_created_at),
            }
            if annotation.imported_from
            else None
        ),
        "published": iso(annotation.published_at),
        # Only a parent the caller may see (AnnotationQuerySet.with_visible_parent_id; without
        # it, none): a thread's first note can be back in its author's drafts.
        "inReplyTo": (
            annotation_api_url(parent_id, request)
            if (parent_id := getattr(annotation, "visible_parent_id", None))
            else None
        ),
    }


# --- The Web Annotation Protocol's representation (api/wap.py) ------------------------------

# TreatyWatch's own terms, defined by the JSON-LD context served at /api/v1/context.jsonld
# (wap_context): each maps to an IRI under that address, so expanding an annotation keeps them.
XSD = "http://www.w3.org/2001/XMLSchema#"
EXTENSION_TERMS = {
    "provision": {},
    "concerns": {"@container": "@set"},
    "safeguards": {"@container": "@set"},
    "status": {},
    "version": {"@type": "http://www.w3.org/2001/XMLSchema#integer"},
    "anchorState": {},
    "published": {"@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    "tags": {"@container": "@set"},
    # Its keys are ours, not W3C's (whose `id`, `source` and `creator` mean other things).
    "importedFrom": {
        "@context": {
            "source": {"@id": "importedSource"},
            "id": {"@id": "originalId"},
            "creator": {"@id": "originalCreator"},
            "created": {"@id": "originalCreated", "@type": XSD + "dateTime"},
        }
    },
    "sourceVersion": {},
    "officialText": {"@type": "http://www.w3.org/2001/XMLSchema#boolean"},
    "inReplyTo": {"@id": "https://www.w3.org/ns/activitystreams#inReplyTo", "@type": "@id"},
}


def context_url(request) -> str:
    return absolute(request, reverse("api:context"))


def wap_context(request) -> dict:
    """The JSON-LD context of TreatyWatch's terms, beside the W3C one (anno.jsonld): each term,
    and each term of a scoped context (importedFrom's), maps to an IRI under this address."""
    base = context_url(request) + "#"

    def define(terms: dict) -> dict:
        defined = {}
        for term, definition in terms.items():
            definition = dict(definition)
            if "@context" in definition:
                definition["@context"] = define(definition["@context"])
            name = definition.pop("@id", term)
            defined[term] = {"@id": name if ":" in name else base + name, **definition}
        return defined

    return {"@context": {"@version": 1.1, **define(EXTENSION_TERMS)}}


def wap_annotation_url(annotation_id: int, request) -> str:
    return absolute(request, reverse("api:wap_annotation", kwargs={"pk": annotation_id}))


def annotation_to_wap(annotation: Annotation, request) -> dict:
    """An annotation as the Web Annotation Protocol serves it: annotation_to_w3c's document,
    with its id under the container, tags as `purpose: tagging` bodies, a reply's target its
    parent annotation, and TreatyWatch's context beside the W3C one.

    Reads what annotation_to_w3c reads (pass `Annotation.objects.for_display()` rows with
    `with_visible_parent_id`).
    """
    data = annotation_to_w3c(annotation, request)
    tags = data.pop("tags")
    parent_id = getattr(annotation, "visible_parent_id", None)
    note = dict(data["body"], purpose="replying" if annotation.in_reply_to_id else "commenting")
    data.update(
        {
            "id": wap_annotation_url(annotation.pk, request),
            "body": [note]
            + [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags],
            "inReplyTo": wap_annotation_url(parent_id, request) if parent_id else None,
        }
    )
    if parent_id:
        # W3C: a reply is about its parent annotation; the provision stays in `provision`.
        data["target"] = data["inReplyTo"]
    return data
