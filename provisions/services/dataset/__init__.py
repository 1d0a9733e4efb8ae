"""Full-dataset backup and restore: every row TreatyWatch keeps, in one versioned JSON document.

    {"format": "treatywatch-dataset", "version": 1, "exported_at": "…",
     "data": {"auth.user": [rows], "provisions.treaty": [rows], …}}

This is for backups and for moving servers, not for the public (that is `provisions.exports`).
It holds drafts, rejected work, history, audit events, API-token hashes and every member's
account *with e-mail address and password hash*, so that sign-ins keep working after a move.
The file is therefore as sensitive as a database dump: `export_dataset` writes it readable by
its owner only; keep it out of shared folders and mail.

Rows keep their primary keys, so permalinks (/annotations/<id>/) survive a move. Groups are
matched by name (the migrations create Analysts and Editors on every server); permissions by
"app_label.codename". Full-text search vectors are derived data: left out, rebuilt on import.
Queued mail (`left_out_models`) is left out too.
An import runs in one transaction: a bad file changes nothing.

The package: `exporting` (the layout and writing it) and `importing` (reading it back).
"""

from provisions.services.dataset.exporting import (
    BATCH_SIZE,
    FORMAT,
    VERSION,
    DatasetError,
    Progress,
    dataset_export,
    dataset_models,
    left_out_models,
)
from provisions.services.dataset.importing import dataset_import

__all__ = [
    "BATCH_SIZE",
    "DatasetError",
    "FORMAT",
    "Progress",
    "VERSION",
    "dataset_export",
    "dataset_import",
    "dataset_models",
    "left_out_models",
]
