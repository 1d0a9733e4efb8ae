"""Editors settle what re-anchoring could not: confirm a fuzzy anchor, pick a new span for an
orphan, or confirm a link that followed its provision's eid to a parent.

The same rules as an editor's edit of an annotation (services.annotations.annotation_update):
editors only, never someone else's draft, optimistic locking on `version`, one transaction, a
history revision for every change.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from provisions import roles
from provisions.anchoring import MAX_QUOTE_CHARS, QUOTE, normalise_selectors
from provisions.cache.invalidation import annotation_changed, link_changed
from provisions.models import Annotation, Provision, ProvisionLink, TextVersion
from provisions.services import history
from provisions.services.annotations import EditConflict, quote_source_for
from provisions.services.language_text import anchored_text, language_text
from provisions.services.workflow import parsed_version
from provisions.text import clean_text


def _require_editor(user) -> None:
    if not roles.is_editor(user):
        raise PermissionDenied(_("Only editors can fix anchors."))


def _locked(annotation: Annotation, editor, version) -> Annotation:
    current = (
        Annotation.objects.select_for_update().select_related("provision").get(pk=annotation.pk)
    )
    if current.status == Annotation.Status.DRAFT and current.author_id != editor.pk:
        raise PermissionDenied(_("A draft is its author's to fix."))
    if parsed_version(version) != current.version:
        raise EditConflict(current=current, attempted={})
    return current


@transaction.atomic
def anchor_confirm(*, annotation: Annotation, editor, version) -> Annotation:
    """A fuzzy anchor is right: it becomes anchored where it points."""
    _require_editor(editor)
    current = _locked(annotation, editor, version)
    if current.anchor_state != Annotation.Anchor.FUZZY:
        raise ValidationError({"anchor": _("Only a fuzzy anchor can be confirmed.")})
    before = history.annotation_snapshot(current)
    try:
        current.selectors = normalise_selectors(anchored_text(current), current.selectors)
    except ValidationError:
        raise ValidationError(
            {"anchor": _("The text changed since this anchor was proposed: pick a new span.")}
        ) from None
    current.anchor_state = Annotation.Anchor.ANCHORED
    current.set_quote_source(TextVersion.objects.source_of(current.provision))
    current.version += 1
    current.save(update_fields=Annotation.ANCHOR_FIELDS)
    after = history.record(obj=current, action="anchor_confirmed", actor=editor).snapshot
    annotation_changed(before=before, after=after)
    return current


def _same_part(provision: Provision, other: Provision) -> bool:
    """Both in the same article, or both in the preamble."""
    return provision.treaty_id == other.treaty_id and provision.article_id == other.article_id


@transaction.atomic
def anchor_pick(
    *, annotation: Annotation, editor, version, provision: Provision, exact: str
) -> Annotation:
    """Anchor an annotation to `exact`, words pasted from `provision` (of the same article)."""
    _require_editor(editor)
    current = _locked(annotation, editor, version)
    if current.in_reply_to_id is not None:
        raise ValidationError({"anchor": _("A reply follows the annotation it answers.")})
    # An imported note may have been made anywhere in the text (or its file did not say where):
    # it may be placed in any article. A note written here stays in its article.
    anywhere = bool(current.imported_from) and provision.treaty_id == current.provision.treaty_id
    if provision.retired_in or not (anywhere or _same_part(provision, current.provision)):
        raise ValidationError(
            {"provision": _("Choose a provision of the same article, in the text shown now.")}
        )
    if len(exact or "") > MAX_QUOTE_CHARS:  # before any work on what was pasted
        raise ValidationError({"exact": _("The quoted text is too long.")})
    exact = clean_text(exact or "").strip()
    if not exact:
        raise ValidationError({"exact": _("Paste the words the note is about.")})
    # In the words of the note's own language (services.language_text).
    text, language_source = language_text(provision, current.language)
    occurrences = text.count(exact)
    if occurrences > 1:
        raise ValidationError(
            {
                "exact": _(
                    "These words occur %(n)s times in the provision: paste a few more words "
                    "around them so that the span is unique."
                )
                % {"n": occurrences}
            }
        )
    try:
        selectors = normalise_selectors(text, [{"type": QUOTE, "exact": exact}])
    except ValidationError as error:
        messages = [m for messages in error.message_dict.values() for m in messages]
        raise ValidationError({"exact": messages}) from None
    source = language_source or quote_source_for(provision)
    before = history.annotation_snapshot(current)
    moved = current.provision_id != provision.pk
    old_eid = current.provision.eid
    current.provision = provision
    current.selectors = selectors
    current.anchor_state = Annotation.Anchor.ANCHORED
    current.set_quote_source(source)
    current.version += 1
    current.save(update_fields=Annotation.ANCHOR_FIELDS)
    note = _("moved from %(old)s") % {"old": old_eid} if moved else ""
    after = history.record(obj=current, action="anchor_picked", actor=editor, note=note).snapshot
    if moved:
        for reply in current.replies.select_for_update():
            reply.provision = provision
            reply.version += 1
            reply.save(update_fields=["provision", "version", "updated_at"])
            history.record(obj=reply, action="anchor_picked", actor=editor, note=note)
    annotation_changed(before=before, after=after)
    return current


@transaction.atomic
def link_anchor_confirm(*, link: ProvisionLink, editor) -> ProvisionLink:
    """A link moved to a parent provision by an import is right where it is now."""
    _require_editor(editor)
    current = (
        ProvisionLink.objects.select_for_update(of=("self",))
        .select_related("provision", "concern", "demand")
        .get(pk=link.pk)
    )
    if not current.needs_review:
        raise ValidationError({"anchor": _("This link is not waiting for a review.")})
    before = history.link_snapshot(current)
    current.needs_review = False
    current.version += 1
    current.save(update_fields=["needs_review", "version"])
    after = history.record(obj=current, action="anchor_confirmed", actor=editor).snapshot
    link_changed(before=before, after=after)
    return current
