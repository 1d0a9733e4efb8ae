"""Writes an import of annotations made elsewhere (provisions.importing.annotation_plan plans it).

Every imported note becomes a draft of the importing member, keeps who wrote it and when (as the
file says) and its id there; replies join their thread; a note that could not be placed is an
orphan an editor places under /review/anchors/. All in one transaction; a note imported before
(same source, same id) is never imported again.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from provisions import roles
from provisions.importing.annotation_files import load_json, read_notes
from provisions.importing.annotation_notes import MAX_FILE_BYTES, AnnotationFileRefused, ImportPlan
from provisions.importing.annotation_plan import plan_import
from provisions.models import Annotation, Concern, SafeguardDemand, TextVersion
from provisions.models.treaty import ENGLISH, QuoteSource, quote_source_in
from provisions.rendering import render_markdown
from provisions.services import history
from provisions.services.annotations import _resolve_tags
from provisions.services.audit import audit_record


@dataclass
class ImportResult:
    plan: ImportPlan
    created: list[Annotation] = field(default_factory=list)


def annotation_import_plan(
    *, raw: bytes, source_urls=(), limit: int = MAX_FILE_BYTES
) -> ImportPlan:
    """Read a file and say where each note would go: reads only, writes nothing (the preview,
    the dry run). AnnotationFileRefused when the file as a whole cannot be read."""
    label, notes, skipped = read_notes(load_json(raw, limit=limit))
    plan = plan_import(notes=notes, source_label=label, source_urls=source_urls)
    plan.skipped = skipped
    return plan


def check_importer(user) -> None:
    """The member the notes are imported for: an active analyst or editor."""
    if user is None or not user.is_active or not roles.is_analyst(user):
        raise PermissionDenied(_("Notes can only be imported for an active analyst or editor."))


def annotation_import(
    *,
    plan: ImportPlan,
    importer,
    request=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write a plan: every note to import becomes `importer`'s draft. One transaction."""
    check_importer(importer)
    try:
        return _write(plan=plan, importer=importer, request=request, progress=progress)
    except IntegrityError:
        # Another import of the same notes finished first (annotation_imported_once).
        raise AnnotationFileRefused(
            _("Some of these notes were imported meanwhile: nothing was changed. Try again.")
        ) from None


@transaction.atomic
def _write(*, plan: ImportPlan, importer, request, progress) -> ImportResult:
    result = ImportResult(plan=plan)
    wanted = plan.to_import
    if not wanted:
        return result
    versions = list(TextVersion.objects.order_by("recorded_at", "pk"))
    concerns = {c.slug: c for c in Concern.objects.all()}
    demands = {d.slug: d for d in SafeguardDemand.objects.all()}
    made: dict[str, Annotation] = {}
    # Thread's first notes before their replies: a reply needs its parent's row.
    ordered = [p for p in wanted if not p.reply_to] + [p for p in wanted if p.reply_to]
    for done, planned in enumerate(ordered, start=1):
        note = planned.note
        parent = None
        if planned.reply_to:
            parent = made.get(planned.reply_to) or (
                Annotation.objects.select_related("provision")
                .filter(imported_from=note.source, imported_id=planned.reply_to)
                .first()
            )
        provision = parent.provision if parent is not None else planned.provision
        if provision is None:
            raise AnnotationFileRefused(_("The Convention has no text to place notes on yet."))
        # A reply is in its thread's language; a note, in the text it was made on.
        language = parent.language if parent is not None else planned.language
        source = None
        if planned.selectors and parent is None and planned.is_orphan:
            # Words not found in our text: they come from the page the note was made on.
            source = QuoteSource((note.address or plan.source_label)[:200], False)
        elif planned.selectors and parent is None and language != ENGLISH:
            # Placed in that language's newest version (annotation_plan.Places.texts_in).
            newest = [v for v in versions if v.language == language]
            source = QuoteSource(newest[-1].label, True)
        elif planned.selectors and parent is None:
            treaty_versions = [
                v for v in versions if v.treaty_id == provision.treaty_id and v.language == ENGLISH
            ]
            source = quote_source_in(provision, treaty_versions)
        annotation = Annotation.objects.create(
            provision=provision,
            author=importer,
            body=note.body,
            body_html=render_markdown(note.body),
            selectors=[] if parent is not None else planned.selectors,
            anchor_state=(
                Annotation.Anchor.ORPHANED
                if planned.is_orphan and parent is None
                else Annotation.Anchor.ANCHORED
            ),
            quote_source=source.label if source else "",
            quote_source_official=source.is_official_text if source else False,
            status=Annotation.Status.DRAFT,
            in_reply_to=parent,
            imported_from=note.source,
            imported_id=note.original_id,
            original_creator=note.creator,
            original_created_at=note.created_at,
            canonical=note.canonical,
            via=note.via,
            language=language,
        )
        related = {
            "tags": _resolve_tags(note.tags),
            "concerns": [concerns[s] for s in note.concerns if s in concerns],
            "demands": [demands[s] for s in note.demands if s in demands],
        }
        for name, objects in related.items():
            if objects:
                getattr(annotation, name).add(*objects)
        # Why an orphan could not be placed stays in its history, where the editor placing it
        # reads it.
        history.record(
            obj=annotation,
            action="imported",
            actor=importer,
            related=related,
            note=planned.orphan_reason if parent is None else "",
        )
        made[note.original_id] = annotation
        result.created.append(annotation)
        if progress is not None and (done % 100 == 0 or done == len(ordered)):
            progress(done, len(ordered))
    audit_record(
        action="annotations.imported",
        actor=importer,
        detail={
            "source": plan.source_label,
            "created": len(result.created),
            "orphans": plan.orphan_count,
            "already": plan.already_count,
        },
        request=request,
    )
    return result
