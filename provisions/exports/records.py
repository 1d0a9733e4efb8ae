"""The public take-away data's rows and documents: the columns, the reads (public only), one
record per article, provision, concern or demand, link and annotation, and the documents that
hold them (provisions/exports/__init__.py says what is exported and to whom)."""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.api.serializers import iso, party_to_dict, states_summary_to_dict
from provisions.api.w3c import (
    W3C_CONTEXT,
    W3C_MEDIA_TYPE,
    annotation_to_w3c,
    context_url,
)
from provisions.exports.streaming import Items, in_batches, related_values
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
from provisions.models.languages import html_language
from provisions.public_names import public_name
from provisions.rendering import as_safe_html
from provisions.treaty_status import states_records

Absolute = Callable[[str], str]

EXPORT_FORMAT = "treatywatch-export"
EXPORT_VERSION = 1
JSONLD_CONTENT_TYPE = W3C_MEDIA_TYPE
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
    # Added after the others, so that files read by position keep their columns.
    "text_language",
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
        # The language (BCP 47) of the provision's text the note was made on and quotes, as the
        # API's target.language; none (an empty cell) for a reply, which quotes nothing.
        "text_language": (
            html_language(annotation.language) if annotation.in_reply_to_id is None else None
        ),
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
