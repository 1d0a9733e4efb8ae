"""The whole OpenAPI document, served at /api/v1/openapi.json."""

from django.urls import reverse

from provisions.api.endpoint import MAX_BODY_BYTES
from provisions.api.openapi.annotation_schemas import annotation_schemas, selector_schemas
from provisions.api.openapi.link_schemas import link_schemas
from provisions.api.openapi.parameters import parameter_components
from provisions.api.openapi.parts import JSON, schema_ref
from provisions.api.openapi.paths import paths
from provisions.api.openapi.reading_schemas import reading_schemas
from provisions.api.openapi.wap_schemas import wap_schemas

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


def build_document(request) -> dict:
    """The whole OpenAPI document, with this server's absolute base address."""
    base = request.build_absolute_uri(reverse("api:index")).rstrip("/")
    error_responses = {
        f"Error{status}": {
            "description": description,
            "content": {JSON: {"schema": schema_ref("Error")}},
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
        "paths": paths(),
        "components": {
            "schemas": {
                **selector_schemas(),
                **(annotations := annotation_schemas()),
                **wap_schemas(annotations["Annotation"]),
                **link_schemas(),
                **reading_schemas(),
            },
            "parameters": parameter_components(),
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
