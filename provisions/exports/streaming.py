"""Writing the take-away documents a piece at a time: JSON whose arrays are produced while
they are written (`Items`), rows read in batches with their annotations' relations, and CSV
cells that a spreadsheet never runs as formulas."""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator

from provisions.api.w3c import relation_values
from provisions.models import Annotation

# Downloads read annotations and links this many at a time (with their relations).
BATCH_SIZE = 1000

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- Writing documents a piece at a time ----------------------------------------------------


class Items:
    """A JSON array whose items are produced while the document is written, so that a download
    of every annotation never holds them all in memory."""

    def __init__(self, iterable: Iterable):
        self.iterable = iterable


def in_batches(queryset):
    """Rows of a queryset read BATCH_SIZE at a time. Annotations come with `exported_relations`:
    their concerns' and demands' slugs and their tags' names, read per batch as plain values
    (a download of every annotation would otherwise build a model and a manager per relation)."""
    if queryset.model is not Annotation:
        return queryset.iterator(chunk_size=BATCH_SIZE)
    return _with_relations(queryset.prefetch_related(None).iterator(chunk_size=BATCH_SIZE))


# Per relation of an annotation: its many-to-many field, the value exported, the order shown.
_EXPORTED_RELATIONS = {
    "concerns": ("concern__slug", ("concern__position", "concern__pk")),
    "demands": ("safeguarddemand__slug", ("safeguarddemand__position", "safeguarddemand__pk")),
    "tags": ("tag__name", ("tag__name",)),
}


def _with_relations(annotations: Iterator[Annotation]) -> Iterator[Annotation]:
    batch = []
    for annotation in annotations:
        batch.append(annotation)
        if len(batch) == BATCH_SIZE:
            yield from _attach_relations(batch)
            batch = []
    yield from _attach_relations(batch)


def _attach_relations(batch: list[Annotation]) -> list[Annotation]:
    if not batch:
        return batch
    by_id = {annotation.pk: annotation for annotation in batch}
    for annotation in batch:
        annotation.exported_relations = {name: [] for name in _EXPORTED_RELATIONS}
    for name, (value, order) in _EXPORTED_RELATIONS.items():
        rows = (
            getattr(Annotation, name)
            .through.objects.filter(annotation_id__in=by_id)
            .order_by(*order)
            .values_list("annotation_id", value)
        )
        for annotation_id, item in rows:
            by_id[annotation_id].exported_relations[name].append(item)
    return batch


def related_values(annotation: Annotation) -> dict[str, list[str]]:
    """An annotation's concern slugs, demand slugs and tag names, as exported."""
    kept = getattr(annotation, "exported_relations", None)
    return kept if kept is not None else relation_values(annotation)


def json_pieces(value, depth: int = 0) -> Iterator[str]:
    """JSON text of `value`, in pieces: objects holding `Items` are written key by key, and
    each `Items` array one item per line."""
    if isinstance(value, Items):
        separator, indent = "\n", " " * (depth + 1)
        yield "["
        for item in value.iterable:
            yield f"{separator}{indent}{json.dumps(item, ensure_ascii=False)}"
            separator = ",\n"
        yield "]" if separator == "\n" else f"\n{' ' * depth}]"
    elif isinstance(value, dict) and _streams(value):
        indent = " " * (depth + 1)
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield f"{',' if index else ''}\n{indent}{json.dumps(key)}: "
            yield from json_pieces(item, depth + 1)
        yield f"\n{' ' * depth}}}"
    else:
        yield json.dumps(value, ensure_ascii=False)


def _streams(value) -> bool:
    if isinstance(value, Items):
        return True
    return isinstance(value, dict) and any(_streams(item) for item in value.values())


# --- CSV -----------------------------------------------------------------------------------


def csv_safe(value) -> str:
    """A cell value as text, with a leading quote if a spreadsheet would run it as a formula.

    A cell of several values (sources, concerns, demands, tags) holds them as a JSON array,
    `["first", "second"]`: no separator could be kept out of the values (a tag or a source may
    contain "; ", "|" or a comma), while a JSON array reads back exactly, whatever they contain.
    It starts with "[", never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_pieces(columns: list[str], records: Iterable[dict]) -> Iterator[str]:
    """CSV text: a byte-order mark (so that spreadsheet programs recognise UTF-8), a header row,
    then one row per record (keys outside `columns` are left out); in pieces of a few rows."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_safe(record.get(column)) for column in columns])
        if buffer.tell() >= 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
