"""The Web Annotation Protocol's documents (api/wap.py), from the API's Annotation schema."""

import json

from provisions.api.openapi.parts import closed, schema_ref


def wap_schemas(annotation: dict) -> dict:
    """WapAnnotation, WapPage, WapContainer and JsonLdContext."""
    wap = json.loads(json.dumps(annotation))
    properties = wap["properties"]
    del properties["tags"]
    wap["required"].remove("tags")
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
    annotation_ref = schema_ref("WapAnnotation")
    page_properties = {
        "id": {"type": "string", "format": "uri"},
        "type": {"const": "AnnotationPage"},
        "partOf": closed({"id": {"type": "string", "format": "uri"}, "total": {"type": "integer"}}),
        "startIndex": {"type": "integer", "minimum": 0},
        "next": {"type": "string", "format": "uri"},
        "prev": {"type": "string", "format": "uri"},
        "items": {
            "type": "array",
            "items": {"oneOf": [annotation_ref, {"type": "string", "format": "uri"}]},
            "description": "Annotations, or only their addresses when asked (PreferContainedIRIs).",
        },
    }
    embedded_page = closed(page_properties, optional=("next", "prev"))
    return {
        "WapAnnotation": wap,
        "WapPage": closed(
            {"@context": {"const": "http://www.w3.org/ns/anno.jsonld"}, **page_properties},
            optional=("next", "prev"),
        ),
        "WapContainer": closed(
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
        "JsonLdContext": closed(
            {
                "@context": {
                    "type": "object",
                    "required": ["@version"],
                    "properties": {"@version": {"const": 1.1}},
                    "additionalProperties": {
                        "type": "object",
                        "required": ["@id"],
                        "properties": {"@id": {"type": "string", "format": "uri"}},
                    },
                }
            }
        ),
    }
