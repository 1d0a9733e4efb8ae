"""Public take-away data: the rows and documents behind the CSV, JSON and JSON-LD downloads.

Only what a public reader may see goes in: approved links (`ProvisionLink.objects.public()`) and
published annotations (`Annotation.objects.published()`), whoever asks. Authors appear by their
public name (`provisions.public_names`); no username or e-mail address is ever exported. The full
backup with drafts and accounts is a different thing: `provisions.services.dataset`.

Builders take `absolute`, a function turning a path into an absolute URL (normally
`request.build_absolute_uri`), so exported links keep working outside the site. W3C annotations
come from the JSON API's serializer, so the API and the downloads describe them alike.
"""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.api.serializers import iso, party_to_dict, states_summary_to_dict
from provisions.api.w3c import (
    W3C_CONTEXT,
    W3C_MEDIA_TYPE,
    annotation_to_w3c,
    context_url,
    relation_values,
)
from provisions.models import (
    Annotation,
    Article,
    Chapter,
    Concern,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Statement,
    Treaty,
)
from provisions.public_names import public_name
from provisions.rendering import as_safe_html
from provisions.treaty_status import states_records

Absolute = Callable[[str], str]

EXPORT_FORMAT = "treatywatch-export"
EXPORT_VERSION = 1
JSONLD_CONTENT_TYPE = W3C_MEDIA_TYPE
# Downloads read annotations and links this many at a time (with their relations).
BATCH_SIZE = 1000

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COMMON_COLUMNS = ["id", "url", "article", "article_title", "provision"]
LINK_ONLY_COLUMNS = [
    "point_type",
    "point_slug",
    "point_title",
    "kind",
    "confidence",
    "rationale",
    "locator_hint",
    "sources",
    "editorial_mapping",
    "reviewed_at",
]
ANNOTATION_ONLY_COLUMNS = [
    "quote",
    "quote_source",
    "quote_source_official",
    "body",
    "author",
    "published_at",
    "updated_at",
    "in_reply_to",
    "concerns",
    "demands",
    "tags",
    "anchor_state",
]
LINK_COLUMNS = COMMON_COLUMNS + LINK_ONLY_COLUMNS
ANNOTATION_COLUMNS = COMMON_COLUMNS + ANNOTATION_ONLY_COLUMNS
# One article's or one concern's CSV holds both kinds of record, told apart by `record`.
COMBINED_COLUMNS = ["record"] + COMMON_COLUMNS + LINK_ONLY_COLUMNS + ANNOTATION_ONLY_COLUMNS


def notes() -> list[str]:
    """What every export says about itself (the same caveats as the reading pages)."""
    return [
        _(
            "The coalition's statement names no articles: every concern or safeguard link to a "
            "provision is an editorial mapping by TreatyWatch, not the coalition's own words."
        ),
        _(
            "Provision texts marked is_official_text=false are editorial summaries, not the "
            "official text of the Convention."
        ),
        _("Annotations are the published opinions of their authors."),
    ]


# --- Reads ---------------------------------------------------------------------------------


def public_links():
    """Approved links with everything a row needs, in reading order."""
    return (
        ProvisionLink.objects.public()
        .select_related("provision__article", "concern", "demand")
        .order_by("provision__position", "concern__position", "demand__position", "pk")
    )


def public_annotations():
    """Published annotations with author, provision and tags loaded, in reading order.

    `visible_parent_id` is the thread parent only when a reader may see it (published), so a
    reply never points at an annotation a reader cannot see.
    """
    return (
        Annotation.objects.published()
        .for_display()
        .with_visible_parent_id(None)
        .order_by("provision__position", "published_at", "pk")
    )


# --- Records (plain dicts: JSON as they are, CSV through csv_pieces) -------------------------


def article_number(provision: Provision):
    return provision.article.number if provision.article_id else None


def provision_record(provision: Provision, absolute: Absolute) -> dict:
    return {
        "eid": provision.eid,
        "kind": provision.kind,
        "label": provision.label,
        "url": absolute(provision.get_absolute_url()),
        "text": provision.text,
        "is_official_text": provision.is_official_text,
    }


def article_record(article: Article, absolute: Absolute, provisions=None) -> dict:
    record = {
        "number": article.number,
        "eid": article.eid,
        "title": article.title,
        "title_confirmed": article.title_confirmed,
        "chapter": article.chapter.number,
        "url": absolute(article.get_absolute_url()),
        "summary": article.summary,
    }
    if provisions is not None:
        record["provisions"] = [provision_record(p, absolute) for p in provisions]
    return record


def point_record(point: Concern | SafeguardDemand, absolute: Absolute) -> dict:
    return {
        "slug": point.slug,
        "title": point.title,
        "point": point.point,
        "url": absolute(point.get_absolute_url()),
    }


def link_record(link: ProvisionLink, absolute: Absolute) -> dict:
    point = link.target
    return {
        "record": "link",
        "id": link.pk,
        "url": absolute(link.provision.get_absolute_url()),
        "article": article_number(link.provision),
        "article_title": link.provision.article.title if link.provision.article_id else "",
        "provision": link.provision.eid,
        "point_type": point.export_type,
        "point_slug": point.slug,
        "point_title": point.title,
        "point_url": absolute(point.get_absolute_url()),
        "kind": link.kind,
        "confidence": link.confidence,
        "rationale": link.rationale,
        "locator_hint": link.locator_hint,
        "sources": list(link.sources or []),
        "editorial_mapping": link.is_editorial,
        "reviewed_at": iso(link.reviewed_at),
    }


def annotation_record(annotation: Annotation, absolute: Absolute) -> dict:
    provision = annotation.provision
    position = annotation.selector("TextPositionSelector")
    return {
        "record": "annotation",
        "id": annotation.pk,
        "url": absolute(annotation.get_absolute_url()),
        "article": article_number(provision),
        "article_title": provision.article.title if provision.article_id else "",
        "provision": provision.eid,
        "provision_url": absolute(provision.get_absolute_url()),
        "quote": annotation.quote,
        # The text the words were taken from (a version label such as "Editorial summaries"
        # or "A/RES/79/243 annex (official)"); blank when the note quotes nothing.
        "quote_source": annotation.quote_source if annotation.quote else "",
        "quote_source_official": annotation.quote_source_official if annotation.quote else None,
        "start": position["start"] if position else None,
        "end": position["end"] if position else None,
        "body": annotation.body,
        "body_html": str(as_safe_html(annotation.body_html)),
        "author": public_name(annotation.author),
        "published_at": iso(annotation.published_at),
        "updated_at": iso(annotation.updated_at),
        "in_reply_to": getattr(annotation, "visible_parent_id", None),
        **related_values(annotation),
        "anchor_state": annotation.anchor_state,
    }


# --- Documents -----------------------------------------------------------------------------


def _document(scope: dict, **content) -> dict:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "scope": scope,
        "notes": notes(),
        **content,
    }


def article_document(article: Article, links, annotations, absolute: Absolute) -> dict:
    return _document(
        {"type": "article", "number": article.number},
        article=article_record(article, absolute, provisions=article.provisions.all()),
        links=Items(link_record(link, absolute) for link in in_batches(links)),
        annotations=Items(annotation_record(a, absolute) for a in in_batches(annotations)),
    )


def point_document(point, links, annotations, absolute: Absolute) -> dict:
    return _document(
        {"type": point.export_type, "slug": point.slug},
        **{point.export_type: point_record(point, absolute)},
        links=Items(link_record(link, absolute) for link in in_batches(links)),
        annotations=Items(annotation_record(a, absolute) for a in in_batches(annotations)),
    )


def treaty_record(treaty: Treaty) -> dict:
    return {
        "title": treaty.short_title,
        "subtitle": treaty.subtitle,
        "adopted_on": iso(treaty.adopted_on),
        "opened_for_signature_on": iso(treaty.opened_for_signature_on),
        "reference": treaty.reference,
        "text_version": treaty.text_version_label,
        "sources": treaty.sources,
    }


def statement_record(statement: Statement) -> dict:
    return {
        "title": statement.title,
        "issued": statement.issued,
        "occasion": statement.occasion,
        "signatories": [o.name for o in statement.signatories.all()],
        "supporters": statement.supporters_count_text,
        "about_mappings": statement.about_mappings,
    }


def public_dataset_document(absolute: Absolute) -> dict:
    """Everything a public reader can see, in one document (links and annotations streamed)."""
    treaty = Treaty.objects.first()
    statement = Statement.objects.prefetch_related("signatories").first()
    articles = Article.objects.select_related("chapter").order_by("number")
    provisions = Provision.objects.current().select_related("article").order_by("position")
    return _document(
        {"type": "dataset"},
        treaty=treaty_record(treaty) if treaty else None,
        statement=statement_record(statement) if statement else None,
        chapters=[
            {"number": c.number, "title": c.title} for c in Chapter.objects.order_by("position")
        ],
        articles=[article_record(a, absolute) for a in articles],
        provisions=[
            {"article": article_number(p), **provision_record(p, absolute)} for p in provisions
        ],
        concerns=[point_record(c, absolute) for c in Concern.objects.all()],
        safeguard_demands=[point_record(d, absolute) for d in SafeguardDemand.objects.all()],
        links=Items(link_record(link, absolute) for link in in_batches(public_links())),
        annotations=Items(annotation_record(a, absolute) for a in in_batches(public_annotations())),
    )


# --- W3C Web Annotation ----------------------------------------------------------------------


def states_document(request, code: str | None = None) -> dict:
    """The parties (or the one with ISO code `code`) with everything known of them, and the
    counts: /api/v1/states and /states/treatywatch-states.json."""
    summary, records = states_records(code)
    return {
        "summary": states_summary_to_dict(summary),
        "items": [
            party_to_dict(
                record.status,
                request,
                declarations=record.declarations,
                commitments=record.commitments,
            )
            for record in records
        ],
    }


def annotation_collection(annotations, *, request, label: str) -> dict:
    """A W3C AnnotationCollection with every item embedded in its first page (streamed).

    Items are the JSON API's own W3C form (`annotation_to_w3c`), so the API and the downloads
    describe an annotation the same way; pass a `public_annotations()` queryset.
    """

    def items():
        for annotation in in_batches(annotations):
            item = annotation_to_w3c(annotation, request, related=related_values(annotation))
            item.pop("@context", None)  # the collection carries it
            yield item

    collection_id = request.build_absolute_uri()
    return {
        "@context": [W3C_CONTEXT, context_url(request)],
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": annotations.count(),
        "first": {
            "id": f"{collection_id}#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": Items(items()),
        },
    }


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
