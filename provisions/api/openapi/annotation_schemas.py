"""The schemas of the JSON API's annotations (W3C Web Annotations) and their selectors."""

from provisions.api.openapi.parts import closed, nullable, page_schema, schema_ref
from provisions.models import Annotation
from provisions.models.languages import LANGUAGE_TAGS

# W3C §3.3.7, present only when known (w3c.annotation_to_w3c).
IDENTITIES = {
    "canonical": {
        "type": "string",
        "format": "uri",
        "maxLength": 2000,
        "description": "The annotation's lasting identity wherever it is copied: urn:uuid:… "
        "for a note made here; kept unchanged from a copy's source. Sent on creation, it is "
        "kept; an edit never changes it.",
    },
    "via": {
        "type": "string",
        "format": "uri",
        "maxLength": 2000,
        "description": "The address of the annotation this one was copied from (an imported "
        "note's id where it was made; the `id` of a W3C annotation POSTed to the container).",
    },
}


def selector_schemas() -> dict:
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
            "oneOf": [schema_ref("TextQuoteSelector"), schema_ref("TextPositionSelector")],
        },
    }


def annotation_schemas() -> dict:
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
    text_language = {"enum": LANGUAGE_TAGS}
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
                            schema_ref("Selector"),
                            {"type": "array", "items": schema_ref("Selector")},
                            {"type": "null"},
                        ]
                    },
                    "language": {
                        **text_language,
                        "default": "en",
                        "description": (
                            "The language of the provision's text the note is made on; its "
                            "selectors count in that text, which must have been imported. An "
                            "annotation keeps its language: an edit may repeat it, not change "
                            "it."
                        ),
                    },
                    "textDirection": {
                        "enum": ["ltr", "rtl", "auto"],
                        "description": "Accepted and ignored (it follows from `language`).",
                    },
                },
            },
        ]
    }
    return {
        "Annotation": closed(
            {
                "@context": {
                    "type": "array",
                    "prefixItems": [
                        {"const": "http://www.w3.org/ns/anno.jsonld"},
                        {"type": "string", "format": "uri"},
                    ],
                    "minItems": 2,
                    "maxItems": 2,
                    "description": "The W3C context, then TreatyWatch's own "
                    "(/api/v1/context.jsonld), which defines the keys W3C does not.",
                },
                "id": {"type": "string", "format": "uri"},
                **IDENTITIES,
                "type": {"const": "Annotation"},
                "motivation": {"enum": ["commenting", "replying"]},
                "created": {"type": "string", "format": "date-time"},
                "modified": {"type": "string", "format": "date-time"},
                "published": nullable("string", format="date-time"),
                "creator": closed(
                    {
                        "type": {"const": "Person"},
                        "name": {"type": "string", "description": "The public name."},
                    }
                ),
                "body": closed(
                    {
                        "type": {"const": "TextualBody"},
                        "value": {"type": "string"},
                        "format": {"const": "text/markdown"},
                    }
                ),
                "target": closed(
                    {
                        "source": {"type": "string", "format": "uri"},
                        "language": {
                            **text_language,
                            "description": (
                                "The language (BCP 47) of the provision's text the note was "
                                "made on and is anchored in: the language of the quoted words "
                                "(`selector`). Not the note's own language, which is not "
                                "recorded."
                            ),
                        },
                        "textDirection": {"enum": ["ltr", "rtl"]},
                        "selector": {"type": "array", "items": schema_ref("Selector")},
                        "sourceVersion": closed(
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
                    optional=("selector", "sourceVersion", "language", "textDirection"),
                    description=(
                        "`selector` and `sourceVersion` are absent for a note on the whole "
                        "provision; `language` and `textDirection` for a reply."
                    ),
                ),
                "provision": {"type": "string", "description": "The provision's eid."},
                "concerns": slugs,
                "safeguards": slugs,
                "tags": slugs,
                "status": {"enum": list(Annotation.Status.values)},
                "version": {"type": "integer", "minimum": 1},
                "anchorState": {"enum": list(Annotation.Anchor.values)},
                "inReplyTo": nullable("string", format="uri"),
                "importedFrom": {
                    "oneOf": [
                        {"type": "null"},
                        closed(
                            {
                                "source": {"enum": list(Annotation.ImportedFrom.values)},
                                "id": {
                                    "type": "string",
                                    "description": "The note's id where it was made.",
                                },
                                "creator": nullable(
                                    "string",
                                    description="Who wrote it there, as that file said.",
                                ),
                                "created": nullable("string", format="date-time"),
                            }
                        ),
                    ],
                    "description": (
                        "For a note imported from a file made elsewhere (Hypothesis, W3C, "
                        "another TreatyWatch): where from; null otherwise."
                    ),
                },
            },
            optional=tuple(IDENTITIES),
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
                **IDENTITIES,
            },
            "additionalProperties": False,
        },
        "AnnotationPatch": {
            "type": "object",
            "description": (
                "Only the fields sent change. `target.source`, if sent, must not move. `id`, "
                "`canonical` and `via` (what GET returned) are accepted and ignored."
            ),
            "properties": {
                "body": textual_body,
                "bodyValue": {"type": "string"},
                "target": target_input,
                "concerns": slugs,
                "safeguards": slugs,
                "tags": slugs,
            },
        },
        "AnnotationPage": page_schema("Annotation"),
    }
