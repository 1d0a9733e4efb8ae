"""The schemas of links between provisions and the coalition's concerns and safeguard demands."""

from provisions.api.openapi.parts import closed, nullable, page_schema
from provisions.models import ProvisionLink


def link_schemas() -> dict:
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
        "Link": closed(
            {
                "id": {"type": "integer"},
                "url": {"type": "string", "format": "uri"},
                "provision": {"type": "string"},
                "provision_url": {"type": "string", "format": "uri"},
                "article": nullable("integer"),
                "concern": nullable("string"),
                "safeguard": nullable("string"),
                **choice,
                "locator_hint": {"type": "string"},
                "is_editorial": {"type": "boolean"},
                "status": {"enum": list(ProvisionLink.Status.values)},
                "proposed_at": {"type": "string", "format": "date-time"},
                "reviewed_at": nullable("string", format="date-time"),
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
        "LinkPage": page_schema("Link"),
    }
