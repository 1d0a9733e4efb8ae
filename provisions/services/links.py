"""Writes to concern/demand → provision links: propose, edit, approve, reject, restore."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions import roles
from provisions.cache.invalidation import link_changed
from provisions.models import Concern, Provision, ProvisionLink, Revision, SafeguardDemand
from provisions.services import history
from provisions.services.annotations import clean_restore_reason
from provisions.services.audit import audit_record
from provisions.services.workflow import clean_review_note
from provisions.text import clean_text, http_url

MAX_SOURCES = 10
MAX_RATIONALE_CHARS = 5000
EDITABLE_FIELDS = {"kind", "rationale", "sources", "confidence"}


def _clean_rationale(value) -> str:
    if not isinstance(value, str):
        raise ValidationError({"rationale": _("The rationale must be text.")})
    value = clean_text(value).strip()
    if not value:
        raise ValidationError({"rationale": _("Explain why this provision raises the point.")})
    if len(value) > MAX_RATIONALE_CHARS:
        raise ValidationError({"rationale": _("The rationale is too long.")})
    return value


def _clean_sources(sources) -> list[str]:
    if isinstance(sources, str):
        sources = sources.split()
    cleaned = []
    for source in sources or ():
        if not isinstance(source, str):
            raise ValidationError({"sources": _("Sources must be web addresses.")})
        source = clean_text(source).strip()
        if not source:
            continue
        if not http_url(source) or len(source) > 500:
            raise ValidationError(
                {"sources": _("“%(s)s” is not an http(s) web address.") % {"s": source[:80]}}
            )
        cleaned.append(source)
    if len(cleaned) > MAX_SOURCES:
        raise ValidationError({"sources": _("At most %(n)s sources.") % {"n": MAX_SOURCES}})
    return list(dict.fromkeys(cleaned))


def _clean_choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of: %(c)s") % {"c": ", ".join(choices.values)}})
    return value


def _point(model, value, field):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    found = model.objects.filter(slug=str(value)).first()
    if found is None:
        raise ValidationError({field: _("Unknown: %(v)s") % {"v": str(value)[:60]}})
    return found


def _clean_kind(value, *, is_concern: bool) -> str:
    """The kind, if it belongs to the link's target (concern kinds for concerns, demand kinds
    for safeguard demands); otherwise a message naming the kinds that fit."""
    kind = _clean_choice(value, ProvisionLink.Kind, "kind")
    allowed = ProvisionLink.kinds_for(is_concern=is_concern)
    if kind not in allowed:
        names = ", ".join(f"“{k.label}”" for k in allowed)
        if is_concern:
            message = _("“%(kind)s” is not a kind for a concern. Choose one of: %(names)s.")
        else:
            message = _(
                "“%(kind)s” is not a kind for a safeguard demand. Choose one of: %(names)s."
            )
        raise ValidationError(
            {"kind": message % {"kind": ProvisionLink.Kind(kind).label, "names": names}}
        )
    return kind


@transaction.atomic
def link_propose(
    *,
    provision: Provision,
    proposer,
    rationale: str,
    concern=None,
    demand=None,
    kind: str | None = None,
    sources=(),
    confidence: str = ProvisionLink.Confidence.MEDIUM,
) -> ProvisionLink:
    if not roles.is_analyst(proposer):
        raise PermissionDenied(_("Only analysts and editors can propose links."))
    concern = _point(Concern, concern, "concern")
    demand = _point(SafeguardDemand, demand, "demand")
    if (concern is None) == (demand is None):
        raise ValidationError({"concern": _("Choose either a concern or a safeguard demand.")})
    if kind is None:
        kind = ProvisionLink.Kind.RAISES if concern else ProvisionLink.Kind.SAFEGUARD_APPLIES
    link = ProvisionLink.objects.create(
        provision=provision,
        concern=concern,
        demand=demand,
        kind=_clean_kind(kind, is_concern=concern is not None),
        rationale=_clean_rationale(rationale),
        sources=_clean_sources(sources),
        confidence=_clean_choice(confidence, ProvisionLink.Confidence, "confidence"),
        proposed_by=proposer,
    )
    history.record(obj=link, action="proposed", actor=proposer)
    return link


def _locked(link: ProvisionLink) -> ProvisionLink:
    # With what its snapshots name (history.link_snapshot); only the link's row is locked.
    return (
        ProvisionLink.objects.select_for_update(of=("self",))
        .select_related("provision", "concern", "demand")
        .get(pk=link.pk)
    )


def _apply_changes(link: ProvisionLink, changes: dict) -> None:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({"__all__": _("Cannot change: %(f)s") % {"f": ", ".join(unknown)}})
    if "kind" in changes:
        link.kind = _clean_kind(changes["kind"], is_concern=link.concern_id is not None)
    if "rationale" in changes:
        link.rationale = _clean_rationale(changes["rationale"])
    if "sources" in changes:
        link.sources = _clean_sources(changes["sources"])
    if "confidence" in changes:
        link.confidence = _clean_choice(
            changes["confidence"], ProvisionLink.Confidence, "confidence"
        )


@transaction.atomic
def link_approve(*, link: ProvisionLink, editor, note: str = "", **changes) -> ProvisionLink:
    """Approve a proposed link, optionally editing it first (edit then approve)."""
    if not roles.is_editor(editor):
        raise PermissionDenied(_("Only editors can approve links."))
    note = clean_review_note(note, field="note")
    current = _locked(link)
    before = history.link_snapshot(current)
    if current.status == ProvisionLink.Status.APPROVED and not changes:
        raise ValidationError({"status": _("This link is already approved.")})
    _apply_changes(current, changes)
    current.needs_review = False
    return _record_review(
        current,
        before=before,
        editor=editor,
        status=ProvisionLink.Status.APPROVED,
        note=note,
        action="approved",
    )


@transaction.atomic
def link_reject(*, link: ProvisionLink, editor, reason: str) -> ProvisionLink:
    if not roles.is_editor(editor):
        raise PermissionDenied(_("Only editors can reject links."))
    reason = clean_review_note(reason, field="reason")
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    current = _locked(link)
    return _record_review(
        current,
        before=history.link_snapshot(current),
        editor=editor,
        status=ProvisionLink.Status.REJECTED,
        note=reason,
        action="rejected",
    )


def _record_review(current: ProvisionLink, *, before: dict, editor, status, note: str, action: str):
    """An editor's decision on a (locked) link, whose snapshot was `before`: who, when and why,
    a new version, its revision, the pages it changes and the audit log."""
    current.status = status
    current.reviewed_by = editor
    current.reviewed_at = timezone.now()
    current.review_note = note
    current.version += 1
    current.save()
    after = history.record(obj=current, action=action, actor=editor, note=current.review_note)
    link_changed(before=before, after=after.snapshot)
    # A rejection's reason is part of the decision: the audit log keeps it beside who and when.
    detail = {"reason": note} if note and action == "rejected" else None
    audit_record(action=f"link.{action}", actor=editor, obj=current, detail=detail)
    return current


@transaction.atomic
def link_restore(*, link: ProvisionLink, editor, revision: Revision, reason: str) -> ProvisionLink:
    """Bring back the rationale, sources, kind and confidence of an earlier revision as a new
    one (the status stays: on an approved link readers see it at once), with the reason."""
    if not roles.is_editor(editor):
        raise PermissionDenied(_("Only editors can restore."))
    if revision.target_type != Revision.Target.LINK or revision.target_id != link.pk:
        raise ValidationError({"revision": _("That revision belongs to something else.")})
    reason = clean_restore_reason(reason)
    current = _locked(link)
    before = history.link_snapshot(current)
    snap = revision.snapshot
    _apply_changes(current, {k: snap[k] for k in ("kind", "rationale", "sources", "confidence")})
    current.version += 1
    current.save()
    restored = history.record_restore(current, editor=editor, revision=revision, reason=reason)
    link_changed(before=before, after=restored.snapshot)
    return current
