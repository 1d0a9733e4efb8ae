"""The OpenAPI 3.1 description of the API, built as a dict and served at /api/v1/openapi.json.

A test walks provisions/api/urls.py and fails when an address is missing here.
"""

import json

from django.urls import reverse

from provisions.api.endpoint import DEFAULT_PAGE_SIZE, MAX_BODY_BYTES, MAX_PAGE, MAX_PAGE_SIZE
from provisions.models import Annotation, ProvisionLink

JSON = "application/json"
W3C_JSON = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

ERROR_STATUSES = {
    "400": "Malformed request: the body is not a JSON object, or a query parameter is invalid.",
    "401": (
        "No token, or the token is unknown, revoked, expired or no longer valid for its member. "
        "Carries `WWW-Authenticate: Bearer`."
    ),
    "403": (
        "The token may not do this (e.g. publishing needs a token with editor powers, made by "
        "an editor after two-factor sign-in)."
    ),
    "404": "Nothing with this id or slug, or not visible to the caller.",
    "405": "The method is not allowed here; `Allow` lists those that are.",
    "409": "Someone else saved a new version during this edit; nothing was saved.",
    "412": "`If-Match` names an older version; read the annotation again.",
    "413": f"The request body is larger than {MAX_BODY_BYTES // 1024} KB.",
    "406": (
        "The Web Annotation Protocol's addresses answer `application/ld+json` (or "
        "`application/json`), and `Accept` names neither."
    ),
    "415": "The body is not sent as `application/json` or `application/ld+json`.",
    "422": "The request is well-formed but not valid; `fields` says what to fix.",
    "428": "`If-Match` is required to edit an annotation.",
    "429": "Too many writes with this token; `Retry-After` says when to try again.",
}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _schema(name: str) -> dict:
    return _ref("schemas", name)


def _nullable(type_name: str, **extra) -> dict:
    return {"type": [type_name, "null"], **extra}


def _closed(properties: dict, *, optional=(), **extra) -> dict:
    """An object with exactly these keys (all present unless `optional`), and no others: the
    tests validate every response against it, so a key added or dropped is noticed."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


def _errors(*statuses: str) -> dict:
    return {status: _ref("responses", f"Error{status}") for status in statuses}


def _ok(schema: dict, description: str, media: str = JSON, headers=None) -> dict:
    response = {"description": description, "content": {media: {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _json_body(schema: dict, *, required: bool = True) -> dict:
    return {
        "required": required,
        "content": {JSON: {"schema": schema}, "application/ld+json": {"schema": schema}},
    }


READ_SECURITY = [{}, {"bearerAuth": []}]
WRITE_SECURITY = [{"bearerAuth": []}]
READ_ERRORS = ("400", "401", "404", "405")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "413", "415", "422", "429")


def _read(summary: str, schema: dict, *, parameters=(), media=JSON, headers=None, extra=None):
    operation = {
        "summary": summary,
        "security": READ_SECURITY,
        "parameters": list(parameters),
        "responses": {"200": _ok(schema, "OK", media, headers), **_errors(*READ_ERRORS)},
    }
    operation["responses"].update(extra or {})
    return operation


def _write(summary: str, *, body=None, responses: dict, parameters=(), errors=WRITE_ERRORS):
    operation = {
        "summary": summary,
        "security": WRITE_SECURITY,
        "parameters": list(parameters),
        "responses": {**responses, **_errors(*errors)},
    }
    if body is not None:
        operation["requestBody"] = body
    return operation


def _parameters() -> dict:
    def query(name, description, schema):
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

    def in_path(name, description, schema):
        return {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": schema,
        }

    return {
        "page": query(
            "page",
            f"Page number, from 1 to {MAX_PAGE}; a larger number is refused (400).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        ),
        "page_size": query(
            "page_size",
            f"Items per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}; "
            "a larger number is refused (400)).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        ),
        "article": query("article", "Article number, e.g. 24.", {"type": "integer"}),
        "provision": query("provision", "Provision eid, e.g. art_24.", {"type": "string"}),
        "concern": query("concern", "Concern slug.", {"type": "string"}),
        "safeguard": query("safeguard", "Safeguard demand slug.", {"type": "string"}),
        "tag": query("tag", "Tag name or slug.", {"type": "string"}),
        "q": query("q", "Case-insensitive text the annotation body contains.", {"type": "string"}),
        "annotation_status": query(
            "status",
            "Only annotations with this status (among those the caller may see).",
            {"type": "string", "enum": list(Annotation.Status.values)},
        ),
        "link_status": query(
            "status",
            "Only links with this status (among those the caller may see).",
            {"type": "string", "enum": list(ProvisionLink.Status.values)},
        ),
        "number": in_path("number", "Article number.", {"type": "integer", "minimum": 1}),
        "slug": in_path("slug", "Slug.", {"type": "string"}),
        "code": in_path(
            "code",
            "ISO 3166-1 alpha-3 code in lower case, e.g. mli; euu for the European Union.",
            {"type": "string", "pattern": "^[a-zA-Z]{3}$"},
        ),
        "pk": in_path("pk", "Numeric id.", {"type": "integer", "minimum": 1}),
        "if_match": {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "description": 'The ETag you read, e.g. "12-v3" (`*` names no version: 428).',
            "schema": {"type": "string"},
        },
        "if_match_optional": {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": "When sent, the request fails with 412 if the annotation changed.",
            "schema": {"type": "string"},
        },
        "if_none_match": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "An ETag you hold: 304 when it is still current.",
            "schema": {"type": "string"},
        },
    }


def _selector_schemas() -> dict:
    return {
        "TextQuoteSelector": {
            "type": "object",
            "required": ["type", "exact"],
            "properties": {
                "type": {"const": "TextQuoteSelector"},
                "exact": {"type": "string"},
                "prefix": {"type": "string"},
                "suffix": {"type": "string"},
            },
        },
        "TextPositionSelector": {
            "type": "object",
            "required": ["type", "start", "end"],
            "properties": {
                "type": {"const": "TextPositionSelector"},
                "start": {"type": "integer", "minimum": 0},
                "end": {"type": "integer", "minimum": 0},
            },
        },
        "Selector": {
            "oneOf": [_schema("TextQuoteSelector"), _schema("TextPositionSelector")],
        },
    }


def _annotation_schemas() -> dict:
    slugs = {"type": "array", "items": {"type": "string"}}
    textual_body = {
        "type": "object",
        "required": ["value"],
        "properties": {
            "type": {"const": "TextualBody"},
            "value": {"type": "string", "description": "Markdown."},
            "format": {"enum": ["text/markdown", "text/plain"]},
        },
    }
    target_input = {
        "oneOf": [
            {"type": "string", "description": "A provision eid or permalink."},
            {
                "type": "object",
                "required": ["source"],
                "properties": {
                    "source": {
                        "type": "string",
                        "description": "An eid (art_24__para_1) or the provision's permalink.",
                    },
                    "selector": {
                        "oneOf": [
                            _schema("Selector"),
                            {"type": "array", "items": _schema("Selector")},
                            {"type": "null"},
                        ]
                    },
                },
            },
        ]
    }
    return {
        "Annotation": _closed(
            {
                "@context": {"const": "http://www.w3.org/ns/anno.jsonld"},
                "id": {"type": "string", "format": "uri"},
                "type": {"const": "Annotation"},
                "motivation": {"enum": ["commenting", "replying"]},
                "created": {"type": "string", "format": "date-time"},
                "modified": {"type": "string", "format": "date-time"},
                "published": _nullable("string", format="date-time"),
                "creator": _closed(
                    {
                        "type": {"const": "Person"},
                        "name": {"type": "string", "description": "The public name."},
                    }
                ),
                "body": _closed(
                    {
                        "type": {"const": "TextualBody"},
                        "value": {"type": "string"},
                        "format": {"const": "text/markdown"},
                    }
                ),
                "target": _closed(
                    {
                        "source": {"type": "string", "format": "uri"},
                        "selector": {"type": "array", "items": _schema("Selector")},
                        "sourceVersion": _closed(
                            {
                                "label": {
                                    "type": "string",
                                    "description": (
                                        "The text version's label, e.g. 'Editorial summaries' "
                                        "or 'A/RES/79/243 annex (official)'."
                                    ),
                                },
                                "officialText": {"type": "boolean"},
                            },
                            description=(
                                "Which text of the provision the quoted words were taken from. "
                                "Words from TreatyWatch's editorial summary have officialText "
                                "false: they are not the Convention's wording."
                            ),
                        ),
                    },
                    optional=("selector", "sourceVersion"),
                    description=(
                        "`selector` and `sourceVersion` are absent for a note on the whole "
                        "provision."
                    ),
                ),
                "provision": {"type": "string", "description": "The provision's eid."},
                "concerns": slugs,
                "safeguards": slugs,
                "tags": slugs,
                "status": {"enum": list(Annotation.Status.values)},
                "version": {"type": "integer", "minimum": 1},
                "anchorState": {"enum": list(Annotation.Anchor.values)},
                "inReplyTo": _nullable("string", format="uri"),
                "importedFrom": {
                    "oneOf": [
                        {"type": "null"},
                        _closed(
                            {
                                "source": {"enum": list(Annotation.ImportedFrom.values)},
                                "id": {
                                    "type": "string",
                                    "description": "The note's id where it was made.",
                                },
                                "creator": _nullable(
                                    "string",
                                    description="Who wrote it there, as that file said.",
                                ),
                                "created": _nullable("string", format="date-time"),
                            }
                        ),
                    ],
                    "description": (
                        "For a note imported from a file made elsewhere (Hypothesis, W3C, "
                        "another TreatyWatch): where from; null otherwise."
                    ),
                },
            },
            description="A W3C Web Annotation (https://www.w3.org/TR/annotation-model/).",
        ),
        "AnnotationInput": {
            "type": "object",
            "required": ["body", "target"],
            "description": "`target` may be left out of a reply (`inReplyTo`).",
            "properties": {
                "@context": {"type": "string"},
                "type": {"const": "Annotation"},
                "motivation": {"type": "string", "description": "A W3C motivation; not stored."},
                "body": textual_body,
                "bodyValue": {"type": "string", "description": "Instead of `body`."},
                "target": target_input,
                "concerns": slugs,
                "safeguards": slugs,
                "tags": slugs,
                "status": {"enum": ["draft", "submitted"], "default": "draft"},
                "inReplyTo": {
                    "oneOf": [{"type": "string", "format": "uri"}, {"type": "integer"}],
                },
            },
            "additionalProperties": False,
        },
        "AnnotationPatch": {
            "type": "object",
            "description": "Only the fields sent change. `target.source`, if sent, must not move.",
            "properties": {
                "body": textual_body,
                "bodyValue": {"type": "string"},
                "target": target_input,
                "concerns": slugs,
                "safeguards": slugs,
                "tags": slugs,
            },
        },
        "AnnotationPage": _page_schema("Annotation"),
    }


def _wap_schemas(annotation: dict) -> dict:
    """The Web Annotation Protocol's documents (api/wap.py), from the API's Annotation schema."""
    wap = json.loads(json.dumps(annotation))
    properties = wap["properties"]
    del properties["tags"]
    wap["required"].remove("tags")
    properties["@context"] = {
        "type": "array",
        "prefixItems": [{"const": "http://www.w3.org/ns/anno.jsonld"}, {"format": "uri"}],
        "minItems": 2,
        "maxItems": 2,
        "description": "The W3C context, then TreatyWatch's own (/api/v1/context.jsonld).",
    }
    body = properties["body"]
    body["properties"]["purpose"] = {"enum": ["commenting", "replying", "tagging"]}
    body["required"] = ["type", "purpose", "value"]
    properties["body"] = {
        "type": "array",
        "minItems": 1,
        "items": body,
        "description": "The note first (purpose commenting or replying), then one "
        "`purpose: tagging` body per tag (its value is the tag).",
    }
    properties["target"] = {
        "oneOf": [
            properties["target"],
            {"type": "string", "format": "uri", "description": "A reply's parent annotation."},
        ]
    }
    wap["description"] = (
        "A W3C Web Annotation as the Web Annotation Protocol serves it: tags are tagging "
        "bodies, a reply's target is its parent."
    )
    annotation_ref = _schema("WapAnnotation")
    page_properties = {
        "id": {"type": "string", "format": "uri"},
        "type": {"const": "AnnotationPage"},
        "partOf": _closed(
            {"id": {"type": "string", "format": "uri"}, "total": {"type": "integer"}}
        ),
        "startIndex": {"type": "integer", "minimum": 0},
        "next": {"type": "string", "format": "uri"},
        "prev": {"type": "string", "format": "uri"},
        "items": {
            "type": "array",
            "items": {"oneOf": [annotation_ref, {"type": "string", "format": "uri"}]},
            "description": "Annotations, or only their addresses when asked (PreferContainedIRIs).",
        },
    }
    embedded_page = _closed(page_properties, optional=("next", "prev"))
    return {
        "WapAnnotation": wap,
        "WapPage": _closed(
            {"@context": {"const": "http://www.w3.org/ns/anno.jsonld"}, **page_properties},
            optional=("next", "prev"),
        ),
        "WapContainer": _closed(
            {
                "@context": {
                    "const": ["http://www.w3.org/ns/anno.jsonld", "http://www.w3.org/ns/ldp.jsonld"]
                },
                "id": {"type": "string", "format": "uri"},
                "type": {"const": ["BasicContainer", "AnnotationCollection"]},
                "label": {"type": "string"},
                "total": {"type": "integer", "minimum": 0},
                "first": {
                    "oneOf": [embedded_page, {"type": "string", "format": "uri"}],
                    "description": "The first page, or only its address (PreferMinimalContainer).",
                },
                "last": {"type": "string", "format": "uri"},
            }
        ),
        "JsonLdContext": _closed(
            {
                "@context": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["@id"],
                        "properties": {"@id": {"type": "string", "format": "uri"}},
                    },
                }
            }
        ),
    }


def _page_schema(item: str) -> dict:
    return _closed(
        {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            "next": _nullable("string", format="uri"),
            "prev": _nullable("string", format="uri"),
            "items": {"type": "array", "items": _schema(item)},
        }
    )


def _link_schemas() -> dict:
    choice = {
        "kind": {
            "enum": list(ProvisionLink.Kind.values),
            "description": (
                "A kind belongs to the link's target. For a concern: "
                + ", ".join(ProvisionLink.CONCERN_KINDS)
                + ". For a safeguard: "
                + ", ".join(ProvisionLink.DEMAND_KINDS)
                + ". Any other pairing is refused (422)."
            ),
        },
        "confidence": {"enum": list(ProvisionLink.Confidence.values)},
        "rationale": {"type": "string"},
        "sources": {"type": "array", "items": {"type": "string", "format": "uri"}},
    }
    return {
        "Link": _closed(
            {
                "id": {"type": "integer"},
                "url": {"type": "string", "format": "uri"},
                "provision": {"type": "string"},
                "provision_url": {"type": "string", "format": "uri"},
                "article": _nullable("integer"),
                "concern": _nullable("string"),
                "safeguard": _nullable("string"),
                **choice,
                "locator_hint": {"type": "string"},
                "is_editorial": {"type": "boolean"},
                "status": {"enum": list(ProvisionLink.Status.values)},
                "proposed_at": {"type": "string", "format": "date-time"},
                "reviewed_at": _nullable("string", format="date-time"),
                "review_note": {"type": "string"},
                "version": {"type": "integer"},
            }
        ),
        "LinkInput": {
            "type": "object",
            "required": ["provision", "rationale"],
            "description": "Exactly one of `concern` and `safeguard`.",
            "properties": {
                "provision": {"type": "string", "description": "Provision eid or permalink."},
                "concern": {"type": "string"},
                "safeguard": {"type": "string"},
                **choice,
            },
            "additionalProperties": False,
        },
        "LinkApproval": {
            "type": "object",
            "description": "All optional: a note, and edits made while approving.",
            "properties": {"note": {"type": "string"}, **choice},
            "additionalProperties": False,
        },
        "LinkPage": _page_schema("Link"),
    }


def _states_schemas() -> dict:
    date = _nullable("string", format="date")
    confidence = {"type": "string", "enum": ["confirmed", "reported"]}
    action = _closed(
        {
            "action": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "reference": _nullable("string"),
            "note": _nullable("string"),
            "source": {"type": "string", "format": "uri"},
            "confidence": confidence,
            "demo": {"type": "boolean"},
        }
    )
    cited = _closed(
        {
            "eid": {"type": "string"},
            "citation": {"type": "string", "examples": ["Article 24(2)(b)"]},
            "url": {"type": "string", "format": "uri"},
        }
    )
    declaration = _closed(
        {
            "kind": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "text": {"type": "string", "description": "Markdown."},
            "provisions": {"type": "array", "items": cited},
            "reference": _nullable("string"),
            "source": {"type": "string", "format": "uri"},
            "confidence": confidence,
            "demo": {"type": "boolean"},
        }
    )
    commitment = _closed(
        {
            "demand": {"type": "string", "description": "The safeguard demand's slug."},
            "level": {
                "type": "string",
                "enum": ["committed", "partly", "none", "contrary", "unknown"],
            },
            "evidence_url": _nullable("string", format="uri"),
            "quote": _nullable("string"),
            "evidence_date": date,
            "published_at": _nullable("string", format="date-time"),
            "url": _nullable("string", format="uri"),
        }
    )
    summary = _closed(
        {
            "signatories": {"type": "integer"},
            "parties": {"type": "integer"},
            "instruments_counting": {"type": "integer"},
            "instruments_needed": {"type": "integer"},
            "instruments_missing": {"type": "integer"},
            "entry_into_force": date,
            "signature_closes": {"type": "string", "format": "date"},
            "signature_open": {"type": "boolean"},
            "as_of": {"type": "string", "format": "date"},
        }
    )
    party = {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["state", "observer", "reio"]},
        "region": _nullable("string"),
        "subregion": _nullable("string"),
        "counts_towards_entry_into_force": {"type": "boolean"},
        "status": {"type": "string", "enum": ["party", "signed", "denounced", "not-signed"]},
        "signed_on": date,
        "consent": {
            "oneOf": [
                {"type": "null"},
                _closed({"kind": {"type": "string"}, "date": {"type": "string"}}),
            ]
        },
        "in_force_from": date,
        "actions": {"type": "array", "items": action},
        "declarations": {"type": "array", "items": declaration},
        "commitments": {"type": "array", "items": commitment},
        "url": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
    }
    return {
        "StatesSummary": summary,
        "Party": _closed(party, optional=("declarations", "commitments")),
        "PartyDetail": _closed({**party, "summary": summary}),
        "PartyList": _closed(
            {"summary": summary, "items": {"type": "array", "items": _closed(party)}}
        ),
    }


def _reading_schemas() -> dict:
    article_summary = {
        "number": {"type": "integer"},
        "eid": {"type": "string"},
        "title": {"type": "string"},
        "title_confirmed": {"type": "boolean"},
        "url": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
    }
    point = _closed(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "point": {"type": "string"},
            "position": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
            "annotations_url": {"type": "string", "format": "uri"},
            "approved_link_count": {"type": "integer"},
            "article_count": {"type": "integer"},
            "links": {
                "type": "array",
                "items": _schema("Link"),
                "description": "Approved links (detail only).",
            },
        },
        optional=("approved_link_count", "article_count", "links"),
    )
    return {
        **_states_schemas(),
        "Index": {
            "type": "object",
            "required": ["name", "version", "openapi", "treaty", "annotations", "links"],
            "additionalProperties": {"type": "string"},
        },
        "OpenApiDocument": {"type": "object"},
        "ArticleSummary": _closed(article_summary),
        "Treaty": _closed(
            {
                "slug": {"type": "string"},
                "short_title": {"type": "string"},
                "subtitle": {"type": "string"},
                "also_known_as": {"type": "array", "items": {"type": "string"}},
                "adopted_on": _nullable("string", format="date"),
                "adopted_by": {"type": "string"},
                "opened_for_signature_on": _nullable("string", format="date"),
                "signature_place": {"type": "string"},
                "signature_then": {"type": "string"},
                "signatories_at_opening": _nullable("integer"),
                "entry_into_force_rule": {"type": "string"},
                "reference": {"type": "string"},
                "sources": {"type": "array", "items": {}},
                "text_version_label": {"type": "string"},
                "chapters": {
                    "type": "array",
                    "items": _closed(
                        {
                            "number": {"type": "string"},
                            "position": {"type": "integer"},
                            "title": {"type": "string"},
                            "articles": {"type": "array", "items": _schema("ArticleSummary")},
                        }
                    ),
                },
            }
        ),
        "Provision": _closed(
            {
                "eid": {"type": "string"},
                "kind": {"type": "string"},
                "label": {"type": "string"},
                "text": {"type": "string"},
                "is_official_text": {"type": "boolean"},
                "url": {"type": "string", "format": "uri"},
                "links": {"type": "array", "items": _schema("Link")},
            }
        ),
        "Article": _closed(
            {
                **article_summary,
                "summary": {"type": "string", "description": "Editorial, not the official text."},
                "title_source": {"type": "string"},
                "chapter": _closed({"number": {"type": "string"}, "title": {"type": "string"}}),
                "provisions": {"type": "array", "items": _schema("Provision")},
                "annotations_url": {"type": "string", "format": "uri"},
            }
        ),
        "Concern": point,
        "Safeguard": point,
        "ConcernList": _closed({"items": {"type": "array", "items": _schema("Concern")}}),
        "SafeguardList": _closed({"items": {"type": "array", "items": _schema("Safeguard")}}),
        "Error": _closed(
            {
                "error": _closed(
                    {
                        "code": {"type": "string", "examples": ["validation_failed"]},
                        "message": {"type": "string", "minLength": 1},
                        "fields": {
                            "type": "object",
                            "description": "Request field → messages (for 422 mostly).",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                ),
            }
        ),
    }


def _paths() -> dict:
    p = {name: _ref("parameters", name) for name in _parameters()}
    etag_header = {"ETag": {"description": 'e.g. "12-v3"', "schema": {"type": "string"}}}
    location = {"Location": {"description": "The new resource.", "schema": {"type": "string"}}}
    annotation_ok = _ok(_schema("Annotation"), "The annotation.", W3C_JSON, etag_header)
    link_ok = _ok(_schema("Link"), "The link.")
    delete_draft = _write(
        "Delete one of your drafts.",
        parameters=[p["pk"], p["if_match_optional"]],
        responses={"204": {"description": "Deleted."}},
        errors=(*WRITE_ERRORS, "412"),
    )
    wap_ok = _ok(_schema("WapAnnotation"), "The annotation.", W3C_JSON, etag_header)
    wap_headers = {
        "ETag": {"description": "A weak ETag of this answer.", "schema": {"type": "string"}},
        "Link": {"description": "LDP BasicContainer type.", "schema": {"type": "string"}},
    }
    # Anonymous reads that carry a shared ETag (provisions/api/endpoint.py `shared_etag`).
    shared_etag = {
        "headers": {
            "ETag": {
                "description": "Anonymous callers only: changes with every write that changes "
                "this answer's public data. Send it back in If-None-Match.",
                "schema": {"type": "string"},
            }
        },
        "extra": {"304": {"description": "Not modified since the ETag you sent (anonymous)."}},
    }
    return {
        "/": {"get": _read("Where everything is.", _schema("Index"))},
        "/openapi.json": {"get": _read("This document.", _schema("OpenApiDocument"))},
        "/treaty": {
            "get": _read(
                "The treaty's facts, chapters and articles.",
                _schema("Treaty"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/articles/{number}": {
            "get": _read(
                "One article, its provisions and their approved links.",
                _schema("Article"),
                parameters=[p["number"], p["if_none_match"]],
                **shared_etag,
            )
        },
        "/concerns": {
            "get": _read("The coalition's concerns with link counts.", _schema("ConcernList"))
        },
        "/concerns/{slug}": {
            "get": _read(
                "One concern and its approved links.", _schema("Concern"), parameters=[p["slug"]]
            )
        },
        "/safeguards": {
            "get": _read("The coalition's safeguard demands.", _schema("SafeguardList"))
        },
        "/safeguards/{slug}": {
            "get": _read(
                "One safeguard demand and its approved links.",
                _schema("Safeguard"),
                parameters=[p["slug"]],
            )
        },
        "/states": {
            "get": _read(
                "Every party (UN member and observer States, the European Union) with its "
                "signature, ratification, declarations and published commitments, and the "
                "counts towards entry into force (Article 65).",
                _schema("PartyList"),
            )
        },
        "/states/{code}": {
            "get": _read(
                "One party, with the same counts.", _schema("PartyDetail"), parameters=[p["code"]]
            )
        },
        "/links": {
            "get": _read(
                "Concern/safeguard → provision links. Anonymous callers see approved links; "
                "analysts also proposals; editors all.",
                _schema("LinkPage"),
                parameters=[
                    p["article"],
                    p["provision"],
                    p["concern"],
                    p["safeguard"],
                    p["link_status"],
                    p["page"],
                    p["page_size"],
                    p["if_none_match"],
                ],
                **shared_etag,
            ),
            "post": _write(
                "Propose a link (analysts and editors).",
                body=_json_body(_schema("LinkInput")),
                responses={"201": {**link_ok, "headers": location}},
            ),
        },
        "/links/{pk}": {
            "get": _read(
                "One link, if visible to the caller.", _schema("Link"), parameters=[p["pk"]]
            )
        },
        "/links/{pk}/approve": {
            "post": _write(
                "Approve a link, optionally editing it (editors).",
                body=_json_body(_schema("LinkApproval"), required=False),
                parameters=[p["pk"]],
                responses={"200": link_ok},
            )
        },
        "/annotations": {
            "get": _read(
                "Annotations visible to the caller, newest first. Anonymous callers see "
                "published annotations only.",
                _schema("AnnotationPage"),
                parameters=[
                    p["article"],
                    p["provision"],
                    p["concern"],
                    p["safeguard"],
                    p["tag"],
                    p["q"],
                    p["annotation_status"],
                    p["page"],
                    p["page_size"],
                    p["if_none_match"],
                ],
                **shared_etag,
            ),
            "post": _write(
                "Create an annotation (a draft unless status is submitted).",
                body=_json_body(_schema("AnnotationInput")),
                responses={
                    "201": {**annotation_ok, "headers": {**etag_header, **location}},
                },
            ),
        },
        "/annotations/{pk}": {
            "get": _read(
                "One annotation as a W3C Web Annotation.",
                _schema("Annotation"),
                parameters=[p["pk"], p["if_none_match"]],
                media=W3C_JSON,
                headers=etag_header,
                extra={"304": {"description": "Not modified since the ETag you sent."}},
            ),
            "patch": _write(
                "Edit an annotation (the author's drafts; editors' review edits).",
                body=_json_body(_schema("AnnotationPatch")),
                parameters=[p["pk"], p["if_match"]],
                responses={"200": annotation_ok},
                errors=(*WRITE_ERRORS, "409", "412", "428"),
            ),
            "delete": delete_draft,
        },
        "/annotations/": {
            "get": _also_plain_json(
                _read(
                    "The W3C Web Annotation Protocol's container: an AnnotationCollection of the "
                    "annotations visible to the caller (the filters of GET /annotations apply), "
                    "or one AnnotationPage of it with `page`. `Prefer` asks for only the "
                    "annotations' addresses or a minimal container.",
                    {
                        "oneOf": [_schema("WapContainer"), _schema("WapPage")],
                        "description": "The collection; one page of it with `page`.",
                    },
                    parameters=[
                        p["article"],
                        p["provision"],
                        p["concern"],
                        p["safeguard"],
                        p["tag"],
                        p["q"],
                        p["annotation_status"],
                        p["page"],
                        p["page_size"],
                        p["if_none_match"],
                    ],
                    media=W3C_JSON,
                    headers=wap_headers,
                    extra={
                        "304": {"description": "Not modified since the ETag you sent."},
                        **_errors("406"),
                    },
                ),
            ),
            "post": _write(
                "Create an annotation from a W3C Web Annotation (what GET returned works: "
                "server-managed fields are ignored).",
                body=_json_body({"type": "object"}),
                responses={"201": {**wap_ok, "headers": {**etag_header, **location}}},
            ),
        },
        "/annotations/{pk}/": {
            "get": _also_plain_json(
                _read(
                    "One annotation as the Web Annotation Protocol serves it.",
                    _schema("WapAnnotation"),
                    parameters=[p["pk"], p["if_none_match"]],
                    media=W3C_JSON,
                    headers=etag_header,
                    extra={
                        "304": {"description": "Not modified since the ETag you sent."},
                        **_errors("406"),
                    },
                )
            ),
            "put": _write(
                "Replace an annotation (the same rules as PATCH /annotations/{pk}; what the "
                "document leaves out — concerns, safeguards, tags, selector — is removed).",
                body=_json_body({"type": "object"}),
                parameters=[p["pk"], p["if_match"]],
                responses={"200": wap_ok},
                errors=(*WRITE_ERRORS, "409", "412", "428"),
            ),
            "patch": _write(
                "Edit an annotation: only the fields sent change.",
                body=_json_body({"type": "object"}),
                parameters=[p["pk"], p["if_match"]],
                responses={"200": wap_ok},
                errors=(*WRITE_ERRORS, "409", "412", "428"),
            ),
            "delete": delete_draft,
        },
        "/context.jsonld": {
            "get": _read(
                "The JSON-LD context defining TreatyWatch's own annotation terms.",
                _schema("JsonLdContext"),
                media="application/ld+json",
            )
        },
        "/annotations/{pk}/submit": {
            "post": _write(
                "Submit your draft for review.",
                parameters=[p["pk"], p["if_match_optional"]],
                responses={"200": annotation_ok},
                errors=(*WRITE_ERRORS, "412"),
            )
        },
        "/annotations/{pk}/publish": {
            "post": _write(
                "Publish a submitted annotation (editors).",
                parameters=[p["pk"], p["if_match_optional"]],
                responses={"200": annotation_ok},
                errors=(*WRITE_ERRORS, "412"),
            )
        },
    }


def _also_plain_json(operation: dict) -> dict:
    """A Web Annotation Protocol read: plain JSON too, for a client that accepts only that."""
    content = operation["responses"]["200"]["content"]
    content[JSON] = content[W3C_JSON]
    return operation


def build_document(request) -> dict:
    """The whole OpenAPI document, with this server's absolute base address."""
    base = request.build_absolute_uri(reverse("api:index")).rstrip("/")
    error_responses = {
        f"Error{status}": {
            "description": description,
            "content": {JSON: {"schema": _schema("Error")}},
        }
        for status, description in ERROR_STATUSES.items()
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "TreatyWatch API",
            "version": "1",
            "description": (
                "The UN Convention against Cybercrime provision by provision, the coalition's "
                "concerns and safeguard demands, the links between them and the analysts' "
                "annotations (W3C Web Annotations). Reads are open to everyone and allowed "
                "cross-origin; writes need a personal token (`Authorization: Bearer tw_…`) and "
                "are limited per token. Every error is "
                '`{"error": {"code", "message", "fields"}}`.'
            ),
        },
        "servers": [{"url": base}],
        "paths": _paths(),
        "components": {
            "schemas": {
                **_selector_schemas(),
                **(annotations := _annotation_schemas()),
                **_wap_schemas(annotations["Annotation"]),
                **_link_schemas(),
                **_reading_schemas(),
            },
            "parameters": _parameters(),
            "responses": error_responses,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A personal token, made at /workspace/tokens/ (or, without editor "
                        "powers, by `manage.py create_api_token USERNAME`); it expires."
                    ),
                }
            },
        },
    }
