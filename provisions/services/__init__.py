"""Every write to TreatyWatch's data goes through a function in this package."""

from .annotations import (
    EditConflict,
    annotation_create,
    annotation_delete,
    annotation_publish,
    annotation_reject,
    annotation_restore,
    annotation_submit,
    annotation_update,
)
from .links import link_approve, link_propose, link_reject, link_restore
from .seeding import seed_convention, seed_demo, seed_statement
from .tokens import api_token_authenticate, api_token_create, api_token_revoke

__all__ = [
    "EditConflict",
    "annotation_create",
    "annotation_delete",
    "annotation_publish",
    "annotation_reject",
    "annotation_restore",
    "annotation_submit",
    "annotation_update",
    "link_approve",
    "link_propose",
    "link_reject",
    "link_restore",
    "seed_convention",
    "seed_demo",
    "seed_statement",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
]
