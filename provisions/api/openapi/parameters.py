"""The API's query and header parameters, as OpenAPI components."""

from provisions.api.endpoint import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE
from provisions.models import Annotation, ProvisionLink


def parameter_components() -> dict:
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
