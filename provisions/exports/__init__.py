"""Public take-away data: the rows and documents behind the CSV, JSON and JSON-LD downloads.

Only what a public reader may see goes in: approved links (`ProvisionLink.objects.public()`) and
published annotations (`Annotation.objects.published()`), whoever asks. Authors appear by their
public name (`provisions.public_names`); no username or e-mail address is ever exported. The full
backup with drafts and accounts is a different thing: `provisions.services.dataset`.

Builders take `absolute`, a function turning a path into an absolute URL (normally
`request.build_absolute_uri`), so exported links keep working outside the site. W3C annotations
come from the JSON API's serializer, so the API and the downloads describe them alike.

The package: `records` (columns, reads, records and documents) and `streaming` (writing them a
piece at a time, CSV cells). Everything is imported from here: `from provisions import exports`.
"""

from provisions.exports.records import (
    ANNOTATION_COLUMNS,
    ANNOTATION_ONLY_COLUMNS,
    COMBINED_COLUMNS,
    COMMON_COLUMNS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    JSONLD_CONTENT_TYPE,
    LINK_COLUMNS,
    LINK_ONLY_COLUMNS,
    Absolute,
    annotation_collection,
    annotation_record,
    article_document,
    article_number,
    article_record,
    link_record,
    notes,
    point_document,
    point_record,
    provision_record,
    public_annotations,
    public_dataset_document,
    public_links,
    statement_record,
    states_document,
    treaty_record,
)
from provisions.exports.streaming import (
    BATCH_SIZE,
    FORMULA_PREFIXES,
    Items,
    csv_pieces,
    csv_safe,
    in_batches,
    json_pieces,
    related_values,
)

__all__ = [
    "ANNOTATION_COLUMNS",
    "ANNOTATION_ONLY_COLUMNS",
    "Absolute",
    "BATCH_SIZE",
    "COMBINED_COLUMNS",
    "COMMON_COLUMNS",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "FORMULA_PREFIXES",
    "Items",
    "JSONLD_CONTENT_TYPE",
    "LINK_COLUMNS",
    "LINK_ONLY_COLUMNS",
    "annotation_collection",
    "annotation_record",
    "article_document",
    "article_number",
    "article_record",
    "csv_pieces",
    "csv_safe",
    "in_batches",
    "json_pieces",
    "link_record",
    "notes",
    "point_document",
    "point_record",
    "provision_record",
    "public_annotations",
    "public_dataset_document",
    "public_links",
    "related_values",
    "statement_record",
    "states_document",
    "treaty_record",
]
