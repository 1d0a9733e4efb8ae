"""The API's operations, address by address."""

from provisions.api.openapi.parameters import parameter_components
from provisions.api.openapi.parts import (
    JSON,
    W3C_JSON,
    WRITE_ERRORS,
    error_refs,
    json_body,
    ok,
    read_operation,
    ref,
    schema_ref,
    write_operation,
)


def paths() -> dict:
    p = {name: ref("parameters", name) for name in parameter_components()}
    etag_header = {"ETag": {"description": 'e.g. "12-v3"', "schema": {"type": "string"}}}
    location = {"Location": {"description": "The new resource.", "schema": {"type": "string"}}}
    annotation_ok = ok(schema_ref("Annotation"), "The annotation.", W3C_JSON, etag_header)
    link_ok = ok(schema_ref("Link"), "The link.")
    delete_draft = write_operation(
        "Delete one of your drafts.",
        parameters=[p["pk"], p["if_match_optional"]],
        responses={"204": {"description": "Deleted."}},
        errors=(*WRITE_ERRORS, "412"),
    )
    wap_ok = ok(schema_ref("WapAnnotation"), "The annotation.", W3C_JSON, etag_header)
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
        "/": {
            "get": read_operation(
                "Where everything is.",
                schema_ref("Index"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/openapi.json": {
            "get": read_operation(
                "This document.",
                schema_ref("OpenApiDocument"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/treaty": {
            "get": read_operation(
                "The treaty's facts, chapters and articles.",
                schema_ref("Treaty"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/articles/{number}": {
            "get": read_operation(
                "One article, its provisions and their approved links.",
                schema_ref("Article"),
                parameters=[p["number"], p["if_none_match"]],
                **shared_etag,
            )
        },
        "/concerns": {
            "get": read_operation(
                "The coalition's concerns with link counts.",
                schema_ref("ConcernList"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/concerns/{slug}": {
            "get": read_operation(
                "One concern and its approved links.",
                schema_ref("Concern"),
                parameters=[p["slug"], p["if_none_match"]],
                **shared_etag,
            )
        },
        "/safeguards": {
            "get": read_operation(
                "The coalition's safeguard demands.",
                schema_ref("SafeguardList"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/safeguards/{slug}": {
            "get": read_operation(
                "One safeguard demand and its approved links.",
                schema_ref("Safeguard"),
                parameters=[p["slug"], p["if_none_match"]],
                **shared_etag,
            )
        },
        "/states": {
            "get": read_operation(
                "Every party (UN member and observer States, the European Union) with its "
                "signature, ratification, declarations and published commitments, and the "
                "counts towards entry into force (Article 65).",
                schema_ref("PartyList"),
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/states/{code}": {
            "get": read_operation(
                "One party, with the same counts.",
                schema_ref("PartyDetail"),
                parameters=[p["code"], p["if_none_match"]],
                **shared_etag,
            )
        },
        "/links": {
            "get": read_operation(
                "Concern/safeguard → provision links. Anonymous callers see approved links; "
                "analysts also proposals; editors all.",
                schema_ref("LinkPage"),
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
            "post": write_operation(
                "Propose a link (analysts and editors).",
                body=json_body(schema_ref("LinkInput")),
                responses={"201": {**link_ok, "headers": location}},
            ),
        },
        "/links/{pk}": {
            "get": read_operation(
                "One link, if visible to the caller.",
                schema_ref("Link"),
                parameters=[p["pk"], p["if_none_match"]],
                **shared_etag,
            )
        },
        "/links/{pk}/approve": {
            "post": write_operation(
                "Approve a link, optionally editing it (editors).",
                body=json_body(schema_ref("LinkApproval"), required=False),
                parameters=[p["pk"]],
                responses={"200": link_ok},
            )
        },
        "/annotations": {
            "get": read_operation(
                "Annotations visible to the caller, newest first. Anonymous callers see "
                "published annotations only.",
                schema_ref("AnnotationPage"),
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
            "post": write_operation(
                "Create an annotation (a draft unless status is submitted).",
                body=json_body(schema_ref("AnnotationInput")),
                responses={
                    "201": {**annotation_ok, "headers": {**etag_header, **location}},
                },
            ),
        },
        "/annotations/{pk}": {
            "get": read_operation(
                "One annotation as a W3C Web Annotation.",
                schema_ref("Annotation"),
                parameters=[p["pk"], p["if_none_match"]],
                media=W3C_JSON,
                headers=etag_header,
                extra={"304": {"description": "Not modified since the ETag you sent."}},
            ),
            "patch": write_operation(
                "Edit an annotation (the author's drafts; editors' review edits).",
                body=json_body(schema_ref("AnnotationPatch")),
                parameters=[p["pk"], p["if_match"]],
                responses={"200": annotation_ok},
                errors=(*WRITE_ERRORS, "409", "412", "428"),
            ),
            "delete": delete_draft,
        },
        "/annotations/": {
            "get": also_plain_json(
                read_operation(
                    "The W3C Web Annotation Protocol's container: an AnnotationCollection of the "
                    "annotations visible to the caller (the filters of GET /annotations apply), "
                    "or one AnnotationPage of it with `page`. `Prefer` asks for only the "
                    "annotations' addresses or a minimal container.",
                    {
                        "oneOf": [schema_ref("WapContainer"), schema_ref("WapPage")],
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
                        **error_refs("406"),
                    },
                ),
            ),
            "post": write_operation(
                "Create an annotation from a W3C Web Annotation (what GET returned works: "
                "server-managed fields are ignored).",
                body=json_body({"type": "object"}),
                responses={"201": {**wap_ok, "headers": {**etag_header, **location}}},
            ),
        },
        "/annotations/{pk}/": {
            "get": also_plain_json(
                read_operation(
                    "One annotation as the Web Annotation Protocol serves it.",
                    schema_ref("WapAnnotation"),
                    parameters=[p["pk"], p["if_none_match"]],
                    media=W3C_JSON,
                    headers=etag_header,
                    extra={
                        "304": {"description": "Not modified since the ETag you sent."},
                        **error_refs("406"),
                    },
                )
            ),
            "put": write_operation(
                "Replace an annotation (the same rules as PATCH /annotations/{pk}; what the "
                "document leaves out — concerns, safeguards, tags, selector — is removed).",
                body=json_body({"type": "object"}),
                parameters=[p["pk"], p["if_match"]],
                responses={"200": wap_ok},
                errors=(*WRITE_ERRORS, "409", "412", "428"),
            ),
            "patch": write_operation(
                "Edit an annotation: only the fields sent change.",
                body=json_body({"type": "object"}),
                parameters=[p["pk"], p["if_match"]],
                responses={"200": wap_ok},
                errors=(*WRITE_ERRORS, "409", "412", "428"),
            ),
            "delete": delete_draft,
        },
        "/context.jsonld": {
            "get": read_operation(
                "The JSON-LD context defining TreatyWatch's own annotation terms.",
                schema_ref("JsonLdContext"),
                media="application/ld+json",
                parameters=[p["if_none_match"]],
                **shared_etag,
            )
        },
        "/annotations/{pk}/submit": {
            "post": write_operation(
                "Submit your draft for review.",
                parameters=[p["pk"], p["if_match_optional"]],
                responses={"200": annotation_ok},
                errors=(*WRITE_ERRORS, "412"),
            )
        },
        "/annotations/{pk}/publish": {
            "post": write_operation(
                "Publish a submitted annotation (editors).",
                parameters=[p["pk"], p["if_match_optional"]],
                responses={"200": annotation_ok},
                errors=(*WRITE_ERRORS, "412"),
            )
        },
    }


def also_plain_json(operation: dict) -> dict:
    """A Web Annotation Protocol read: plain JSON too, for a client that accepts only that."""
    content = operation["responses"]["200"]["content"]
    content[JSON] = content[W3C_JSON]
    return operation
