"""The schemas of the read-only documents: the states, the treaty, articles, concerns and
safeguard demands, and errors."""

from provisions.api.openapi.parts import closed, nullable, schema_ref


def states_schemas() -> dict:
    date = nullable("string", format="date")
    confidence = {"type": "string", "enum": ["confirmed", "reported"]}
    action = closed(
        {
            "action": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "reference": nullable("string"),
            "note": nullable("string"),
            "source": {"type": "string", "format": "uri"},
            "confidence": confidence,
            "demo": {"type": "boolean"},
        }
    )
    cited = closed(
        {
            "eid": {"type": "string"},
            "citation": {"type": "string", "examples": ["Article 24(2)(b)"]},
            "url": {"type": "string", "format": "uri"},
        }
    )
    declaration = closed(
        {
            "kind": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "text": {"type": "string", "description": "Markdown."},
            "provisions": {"type": "array", "items": cited},
            "reference": nullable("string"),
            "source": {"type": "string", "format": "uri"},
            "confidence": confidence,
            "demo": {"type": "boolean"},
        }
    )
    commitment = closed(
        {
            "demand": {"type": "string", "description": "The safeguard demand's slug."},
            "level": {
                "type": "string",
                "enum": ["committed", "partly", "none", "contrary", "unknown"],
            },
            "evidence_url": nullable("string", format="uri"),
            "quote": nullable("string"),
            "evidence_date": date,
            "published_at": nullable("string", format="date-time"),
            "url": nullable("string", format="uri"),
        }
    )
    summary = closed(
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
        "region": nullable("string"),
        "subregion": nullable("string"),
        "counts_towards_entry_into_force": {"type": "boolean"},
        "status": {"type": "string", "enum": ["party", "signed", "denounced", "not-signed"]},
        "signed_on": date,
        "consent": {
            "oneOf": [
                {"type": "null"},
                closed({"kind": {"type": "string"}, "date": {"type": "string"}}),
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
        "Party": closed(party, optional=("declarations", "commitments")),
        "PartyDetail": closed({**party, "summary": summary}),
        "PartyList": closed(
            {"summary": summary, "items": {"type": "array", "items": closed(party)}}
        ),
    }


def reading_schemas() -> dict:
    article_summary = {
        "number": {"type": "integer"},
        "eid": {"type": "string"},
        "title": {"type": "string"},
        "title_confirmed": {"type": "boolean"},
        "url": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
    }
    point = closed(
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
                "items": schema_ref("Link"),
                "description": "Approved links (detail only).",
            },
        },
        optional=("approved_link_count", "article_count", "links"),
    )
    return {
        **states_schemas(),
        "Index": {
            "type": "object",
            "required": [
                "name",
                "version",
                "openapi",
                "treaty",
                "annotations",
                "links",
                "annotation_container",
                "context",
            ],
            "additionalProperties": {"type": "string"},
            "description": "Addresses: `annotation_container` is the W3C Web Annotation "
            "Protocol's container, `context` the JSON-LD context of TreatyWatch's terms.",
        },
        "OpenApiDocument": {"type": "object"},
        "ArticleSummary": closed(article_summary),
        "Treaty": closed(
            {
                "slug": {"type": "string"},
                "short_title": {"type": "string"},
                "subtitle": {"type": "string"},
                "also_known_as": {"type": "array", "items": {"type": "string"}},
                "adopted_on": nullable("string", format="date"),
                "adopted_by": {"type": "string"},
                "opened_for_signature_on": nullable("string", format="date"),
                "signature_place": {"type": "string"},
                "signature_then": {"type": "string"},
                "signatories_at_opening": nullable("integer"),
                "entry_into_force_rule": {"type": "string"},
                "reference": {"type": "string"},
                "sources": {"type": "array", "items": {}},
                "text_version_label": {"type": "string"},
                "chapters": {
                    "type": "array",
                    "items": closed(
                        {
                            "number": {"type": "string"},
                            "position": {"type": "integer"},
                            "title": {"type": "string"},
                            "articles": {"type": "array", "items": schema_ref("ArticleSummary")},
                        }
                    ),
                },
            }
        ),
        "Provision": closed(
            {
                "eid": {"type": "string"},
                "kind": {"type": "string"},
                "label": {"type": "string"},
                "text": {"type": "string"},
                "is_official_text": {"type": "boolean"},
                "url": {"type": "string", "format": "uri"},
                "links": {"type": "array", "items": schema_ref("Link")},
            }
        ),
        "Article": closed(
            {
                **article_summary,
                "summary": {"type": "string", "description": "Editorial, not the official text."},
                "title_source": {"type": "string"},
                "chapter": closed({"number": {"type": "string"}, "title": {"type": "string"}}),
                "provisions": {"type": "array", "items": schema_ref("Provision")},
                "annotations_url": {"type": "string", "format": "uri"},
            }
        ),
        "Concern": point,
        "Safeguard": point,
        "ConcernList": closed({"items": {"type": "array", "items": schema_ref("Concern")}}),
        "SafeguardList": closed({"items": {"type": "array", "items": schema_ref("Safeguard")}}),
        "Error": closed(
            {
                "error": closed(
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
