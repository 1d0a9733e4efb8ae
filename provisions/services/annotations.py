"""Writes to annotations: create, edit (optimistic locking), submit, publish, reject, restore.

Every function checks who may do it, validates, runs in one transaction and records a revision.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from provisions import roles
from provisions.anchoring import normalise_selectors
from provisions.cache.invalidation import annotation_changed
from provisions.models import (
    Annotation,
    Concern,
    Provision,
    Revision,
    SafeguardDemand,
    Tag,
    TextVersion,
)
from provisions.models.treaty import ENGLISH, QuoteSource
from provisions.rendering import contains_image, render_markdown
from provisions.services import history
from provisions.services.audit import audit_record
from provisions.services.language_text import language_text
from provisions.services.workflow import (
    MAX_REVIEW_NOTE_CHARS,  # noqa: F401 (forms and tests read the limit here)
    clean_review_note,
    parsed_version,
    rejection_reason,
    require_editor,
    submit,
)
from provisions.text import clean_text, identity_iri

MAX_BODY_CHARS = 20_000
MAX_TAGS = 12
MAX_TAG_CHARS = 40
EDITABLE_FIELDS = {"body", "selectors", "concerns", "demands", "tags"}


class EditConflict(Exception):
    """The edit started from an older version than the stored one; nothing was saved."""

    def __init__(self, current: Annotation, attempted: dict):
        super().__init__("stale version")
        self.current = current
        self.attempted = attempted


def clean_restore_reason(value) -> str:
    """Why an editor brings an earlier version back: required, kept in the new revision and in
    the audit log (a restore can put words in front of readers at once)."""
    reason = clean_review_note(value, field="reason")
    if not reason:
        raise ValidationError(
            {"reason": _("Say why you restore this version: the reason is kept in the history.")}
        )
    return reason


def refuse_images(body: str) -> None:
    """A Markdown image is refused with a message: notes never show images (they would load from
    another host), and dropping one silently would lose what the writer meant."""
    if contains_image(body):
        raise ValidationError(
            {
                "body": _(
                    "Notes cannot show images. Link to the image instead: "
                    "[what it shows](https://…) — without the “!” in front."
                )
            }
        )


def clean_body(body) -> str:
    """A note's Markdown as it is kept, or ValidationError with the reason."""
    if not isinstance(body, str):
        raise ValidationError({"body": _("The note must be text.")})
    body = clean_text(body).strip()
    if not body:
        raise ValidationError({"body": _("Write a note: the body cannot be empty.")})
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(
            {"body": _("The note is too long (at most %(n)s characters).") % {"n": MAX_BODY_CHARS}}
        )
    refuse_images(body)
    return body


def _resolve(model, items, field: str) -> list:
    """Objects or slugs → objects; an unknown slug is a clear error, not a silent drop."""
    objects, slugs = [], []
    for item in items or ():
        if isinstance(item, model):
            objects.append(item)
        elif isinstance(item, str) and item.strip():
            slugs.append(item.strip())
        else:
            raise ValidationError({field: _("Unknown value: %(v)s") % {"v": str(item)[:60]}})
    if slugs:
        found = {obj.slug: obj for obj in model.objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in found]
        if missing:
            raise ValidationError(
                {field: _("Unknown: %(names)s") % {"names": ", ".join(m[:60] for m in missing)}}
            )
        objects += [found[s] for s in slugs]
    return list(dict.fromkeys(objects))


def tag_slug(name: str) -> str:
    """A tag's slug: its words in lower case joined by hyphens, letters of any script kept."""
    return slugify(name, allow_unicode=True)[:80]


def _resolve_tags(names) -> list[Tag]:
    if isinstance(names, str):
        names = names.split(",")
    cleaned = []
    for name in names or ():
        if not isinstance(name, str):
            raise ValidationError({"tags": _("Tags must be text.")})
        name = " ".join(clean_text(name).split()).lstrip("#")
        if not name:
            continue
        if len(name) > MAX_TAG_CHARS:
            raise ValidationError(
                {"tags": _("A tag is at most %(n)s characters.") % {"n": MAX_TAG_CHARS}}
            )
        if not tag_slug(name):
            raise ValidationError({"tags": _("A tag needs at least one letter or digit.")})
        cleaned.append(name)
    cleaned = list(dict.fromkeys(cleaned))
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)s tags.") % {"n": MAX_TAGS}})
    if not cleaned:
        return []
    # The tags that exist, in one query; only new ones are created one by one. Concurrent
    # writers may create the same new tag: get_or_create re-reads the winner's row instead of
    # failing on the unique key, and a fixed (slug) order avoids lock-order deadlocks.
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=map(tag_slug, cleaned))}
    tags = []
    for name in sorted(cleaned, key=tag_slug):
        slug = tag_slug(name)
        tag = existing.get(slug)
        if tag is None:
            tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
            existing[slug] = tag
        tags.append(tag)
    return tags


def _set_relations(
    annotation: Annotation, concerns=None, demands=None, tags=None, *, new=False
) -> dict[str, list]:
    """Set the relations given (None leaves one as it is); returns the objects set, by field.

    new: the annotation has just been inserted and has no related rows yet, so they are added
    without first reading which exist (as `set` does to compare).
    """
    chosen = {}
    if concerns is not None:
        chosen["concerns"] = _resolve(Concern, concerns, "concerns")
    if demands is not None:
        chosen["demands"] = _resolve(SafeguardDemand, demands, "demands")
    if tags is not None:
        chosen["tags"] = _resolve_tags(tags)
    for name, objects in chosen.items():
        if not new:
            getattr(annotation, name).set(objects)
        elif objects:
            getattr(annotation, name).add(*objects)
    return chosen


def _require_analyst(user) -> None:
    if not roles.is_analyst(user):
        raise PermissionDenied(_("Only analysts and editors can annotate."))


def quote_refusal(provision: Provision, source: QuoteSource) -> str:
    """Why new notes may not quote `provision`, whose text comes from `source` ("" when they may):
    its text is our editorial summary although the official text has been imported, and notes
    then quote the treaty itself. The one rule: the services refuse by it, and pages offer to
    annotate only where it gives nothing (`quote_refusals`)."""
    if not source.superseded:
        return ""
    return _(
        "%(citation)s still shows our editorial summary, but the official text has "
        "been imported: annotate the official text, not the summary."
    ) % {"citation": provision.citation}


def quote_refusals(provisions: list[Provision]) -> dict[int, str]:
    """`quote_refusal` for provisions of one treaty, by primary key, refused ones only (one
    query, none for no provision)."""
    sources = TextVersion.objects.sources_of(provisions)
    refusals = {p.pk: quote_refusal(p, sources[p.pk]) for p in provisions}
    return {pk: reason for pk, reason in refusals.items() if reason}


def quote_source_for(provision: Provision) -> QuoteSource:
    """Where new words quoted from `provision` come from; refused by `quote_refusal`."""
    source = TextVersion.objects.source_of(provision)
    refusal = quote_refusal(provision, source)
    if refusal:
        raise ValidationError({"provision": refusal})
    return source


def _thread_to_join(parent: Annotation, author) -> Annotation:
    """The note a reply to `parent` attaches to: its thread's first note (threads are one level
    deep, so a reply to a reply joins the thread). Both the parent and that first note are read
    afresh and locked: each must be one the author may see, submitted or published now, not as
    the caller last read it."""
    open_to_replies = (
        Annotation.objects.visible_to(author)
        .filter(status__in=(Annotation.Status.SUBMITTED, Annotation.Status.PUBLISHED))
        .select_for_update(of=("self",))
        .select_related("provision")
    )
    wanted = {parent.pk, parent.in_reply_to_id or parent.pk}
    found = {note.pk: note for note in open_to_replies.filter(pk__in=wanted)}
    if set(found) != wanted:
        raise ValidationError(
            {"in_reply_to": _("You can reply to submitted or published annotations only.")}
        )
    return found[parent.in_reply_to_id or parent.pk]


@transaction.atomic
def annotation_create(
    *,
    provision: Provision,
    author,
    body: str,
    selectors=None,
    concerns=(),
    demands=(),
    tags=(),
    status: str = Annotation.Status.DRAFT,
    in_reply_to: Annotation | None = None,
    canonical: str = "",
    via: str = "",
    language: str = ENGLISH,
) -> Annotation:
    """A new annotation. `canonical` and `via` (W3C §3.3.7) come from a client that copies an
    annotation made elsewhere: its lasting identity, kept unchanged, and the address it was
    copied from. A note made here gets a lasting identity of its own (urn:uuid:…)."""
    _require_analyst(author)
    body = clean_body(body)
    canonical = _identity(canonical, "canonical") or f"urn:uuid:{uuid.uuid4()}"
    via = _identity(via, "via")
    if status not in (Annotation.Status.DRAFT, Annotation.Status.SUBMITTED):
        raise ValidationError({"status": _("A new annotation is a draft or is submitted.")})
    if in_reply_to is not None:
        in_reply_to = _thread_to_join(in_reply_to, author)
        provision = in_reply_to.provision
        selectors = None
        language = in_reply_to.language
        # Replies are team discussion: visible to analysts and editors, public once published.
        status = Annotation.Status.SUBMITTED
    # A note is anchored in the words of its own language (services.language_text).
    text, language_source = language_text(provision, language)
    clean_selectors = normalise_selectors(text, selectors)
    if in_reply_to is None:
        source = language_source or quote_source_for(provision)
    else:  # a reply quotes nothing; it carries its thread's source
        source = QuoteSource(in_reply_to.quote_source, in_reply_to.quote_source_official)
    now = timezone.now()
    annotation = Annotation.objects.create(
        provision=provision,
        author=author,
        body=body,
        body_html=render_markdown(body),
        selectors=clean_selectors,
        quote_source=source.label,
        quote_source_official=source.is_official_text,
        status=status,
        in_reply_to=in_reply_to,
        submitted_at=now if status == Annotation.Status.SUBMITTED else None,
        canonical=canonical,
        via=via,
        language=language,
    )
    related = _set_relations(annotation, concerns, demands, tags, new=True)
    history.record(obj=annotation, action="created", actor=author, related=related)
    return annotation


def _identity(value, field: str) -> str:
    """An absolute IRI for `canonical` or `via`, or "" when none is given; else a clear error."""
    if value in (None, ""):
        return ""
    iri = identity_iri(value)
    if not iri:
        raise ValidationError(
            {field: _("Give an absolute address (https://…) or a URN (urn:uuid:…).")}
        )
    return iri


def _locked(annotation: Annotation) -> Annotation:
    return Annotation.objects.select_for_update().select_related("provision").get(pk=annotation.pk)


@transaction.atomic
def annotation_update(*, annotation: Annotation, user, version: int, **changes) -> Annotation:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({"__all__": _("Cannot change: %(f)s") % {"f": ", ".join(unknown)}})
    current = _locked(annotation)
    refusal = current.edit_refusal(user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    is_author = current.author_id == user.pk
    if parsed_version(version) != current.version:
        raise EditConflict(current=current, attempted=changes)

    before = history.annotation_snapshot(current)
    if "body" in changes:
        current.body = clean_body(changes["body"])
        current.body_html = render_markdown(current.body)
    if "selectors" in changes:
        text, language_source = language_text(current.provision, current.language)
        current.selectors = normalise_selectors(text, changes["selectors"])
        current.anchor_state = Annotation.Anchor.ANCHORED
        if current.in_reply_to_id is None:
            current.set_quote_source(language_source or quote_source_for(current.provision))
    if is_author and current.status == Annotation.Status.REJECTED:
        # Editing a rejected annotation turns it back into a draft to resubmit.
        current.status = Annotation.Status.DRAFT
    current.version += 1
    current.save()
    related = _set_relations(
        current, changes.get("concerns"), changes.get("demands"), changes.get("tags")
    )
    after = history.record(obj=current, action="edited", actor=user, related=related).snapshot
    annotation_changed(before=before, after=after)
    return current


@transaction.atomic
def annotation_delete(*, annotation: Annotation, user) -> None:
    current = _locked(annotation)
    refusal = current.delete_refusal(user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    before = history.annotation_snapshot(current)
    after = history.record(obj=current, action="deleted", actor=user).snapshot
    annotation_changed(before=before, after=after)
    audit_record(action="annotation.deleted", actor=user, obj=current)
    current.delete()


@transaction.atomic
def annotation_submit(*, annotation: Annotation, user) -> Annotation:
    current = _locked(annotation)
    submit(current, user=user, not_the_author=_("Only the author can submit an annotation."))
    return current


@transaction.atomic
def annotation_publish(*, annotation: Annotation, editor) -> Annotation:
    require_editor(editor)
    current = _locked(annotation)
    if not current.can_be_published:
        raise ValidationError({"status": _("Only a submitted annotation can be published.")})
    return _record_review(
        current, editor=editor, status=Annotation.Status.PUBLISHED, action="published"
    )


@transaction.atomic
def annotation_reject(*, annotation: Annotation, editor, reason: str) -> Annotation:
    require_editor(editor)
    reason = rejection_reason(reason)
    current = _locked(annotation)
    if not current.can_be_rejected:
        raise ValidationError(
            {"status": _("Only a submitted or published annotation can be rejected.")}
        )
    return _record_review(
        current, editor=editor, status=Annotation.Status.REJECTED, action="rejected", reason=reason
    )


def _record_review(current: Annotation, *, editor, status, action: str, reason: str = ""):
    """An editor's decision (history.record_review), then the public pages it changes."""
    before = history.annotation_snapshot(current)
    revision = history.record_review(
        current, editor=editor, status=status, action=action, reason=reason
    )
    annotation_changed(before=before, after=revision.snapshot)
    return current


@transaction.atomic
def annotation_restore(
    *, annotation: Annotation, editor, revision: Revision, reason: str
) -> Annotation:
    """Bring back the content of an earlier revision as a new one (the status stays as it is
    now: on a published note the restored text is public at once), with the editor's reason."""
    require_editor(editor)
    if revision.target_type != Revision.Target.ANNOTATION or revision.target_id != annotation.pk:
        raise ValidationError({"revision": _("That revision belongs to something else.")})
    reason = clean_restore_reason(reason)
    current = _locked(annotation)
    if not Revision.objects.visible_to(editor).filter(pk=revision.pk).exists():
        # Written while the note was someone else's draft (or the note itself is hidden).
        raise PermissionDenied(_("You cannot restore a version you may not read."))
    before = history.annotation_snapshot(current)
    snapshot = revision.snapshot
    current.body = snapshot["body"]
    current.body_html = render_markdown(current.body)
    try:
        text, language_source = language_text(current.provision, current.language)
        current.selectors = normalise_selectors(text, snapshot["selectors"])
        if current.in_reply_to_id is None and current.selectors:
            current.set_quote_source(
                language_source or TextVersion.objects.source_of(current.provision)
            )
    except ValidationError:
        # The provision text changed since: keep the old selectors, flagged as orphaned, and
        # name the version that was shown when that revision was written.
        current.selectors = snapshot["selectors"]
        current.anchor_state = Annotation.Anchor.ORPHANED
        current.set_quote_source(
            TextVersion.objects.shown_at(current.provision.treaty_id, revision.created_at)
        )
    current.version += 1
    current.save()
    related = _set_relations(current, snapshot["concerns"], snapshot["demands"], snapshot["tags"])
    restored = history.record_restore(
        current, editor=editor, revision=revision, reason=reason, related=related
    )
    annotation_changed(before=before, after=restored.snapshot)
    return current
