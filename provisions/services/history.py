"""Revisions: every change to an annotation or a link is kept, and can be compared or restored."""

from django.utils import timezone

from provisions.diffing import word_diff
from provisions.models import Annotation, Commitment, ProvisionLink, Revision
from provisions.services.audit import audit_record


def annotation_snapshot(annotation: Annotation, related: dict | None = None) -> dict:
    """What a revision keeps of an annotation. related: its concerns, demands and tags when the
    caller has just set them (by field name), saving the queries that read them back."""
    related = related or {}

    def slugs(name, attribute):
        if name in related:
            return sorted(getattr(item, attribute) for item in related[name])
        return sorted(getattr(annotation, name).values_list(attribute, flat=True))

    return {
        "provision": annotation.provision.eid,
        "body": annotation.body,
        "selectors": annotation.selectors,
        "status": annotation.status,
        "concerns": slugs("concerns", "slug"),
        "demands": slugs("demands", "slug"),
        "tags": slugs("tags", "name"),
        "review_reason": annotation.review_reason,
        "anchor_state": annotation.anchor_state,
    }


def link_snapshot(link: ProvisionLink) -> dict:
    return {
        "provision": link.provision.eid,
        "concern": link.concern.slug if link.concern_id else None,
        "demand": link.demand.slug if link.demand_id else None,
        "kind": link.kind,
        "rationale": link.rationale,
        "sources": link.sources,
        "confidence": link.confidence,
        "status": link.status,
        "review_note": link.review_note,
    }


def commitment_snapshot(commitment: Commitment) -> dict:
    return {
        "party": commitment.party.code,
        "demand": commitment.demand.slug,
        "level": commitment.level,
        "evidence_url": commitment.evidence_url,
        "quote": commitment.quote,
        "evidence_date": commitment.evidence_date.isoformat() if commitment.evidence_date else None,
        "status": commitment.status,
        "review_reason": commitment.review_reason,
    }


def record(*, obj, action: str, actor, note: str = "", related: dict | None = None) -> Revision:
    if isinstance(obj, Annotation):
        target_type, snapshot = Revision.Target.ANNOTATION, annotation_snapshot(obj, related)
    elif isinstance(obj, Commitment):
        target_type, snapshot = Revision.Target.COMMITMENT, commitment_snapshot(obj)
    else:
        target_type, snapshot = Revision.Target.LINK, link_snapshot(obj)
    return Revision.objects.create(
        target_type=target_type,
        target_id=obj.pk,
        version=obj.version,
        action=action,
        target_status=obj.status,
        actor=actor,
        snapshot=snapshot,
        note=note,
    )


def record_submission(current, *, user) -> None:
    """An author sends a (locked) draft annotation or commitment to the editors."""
    current.status = current.Status.SUBMITTED
    current.submitted_at = timezone.now()
    current.version += 1
    current.save()
    record(obj=current, action="submitted", actor=user)


def record_review(current, *, editor, status: str, action: str, reason: str = "") -> Revision:
    """An editor's decision on a (locked) annotation or commitment: who and why, when it went
    public (or that it no longer is), a new version, its revision (returned) and the audit log.
    The caller then retires the pages it changes."""
    current.status = status
    current.reviewed_by = editor
    current.review_reason = reason
    current.published_at = timezone.now() if status == current.Status.PUBLISHED else None
    current.version += 1
    current.save()
    revision = record(obj=current, action=action, actor=editor, note=current.review_reason)
    # A rejection's reason is part of the decision: the audit log keeps it beside who and when.
    detail = {"reason": reason} if reason and action == "rejected" else None
    audit_record(
        action=f"{current._meta.model_name}.{action}", actor=editor, obj=current, detail=detail
    )
    return revision


def record_restore(
    current, *, editor, revision: Revision, reason: str, related: dict | None = None
) -> Revision:
    """An editor brought back the content of `revision` into (locked, saved) `current`: the new
    revision (returned) says from which version and why, and so does the audit log. related: as
    for `record`."""
    restored = record(
        obj=current,
        action="restored",
        actor=editor,
        note=f"from version {revision.version}: {reason}",
        related=related,
    )
    audit_record(
        action=f"{revision.target_type}.restored",
        actor=editor,
        obj=current,
        detail={"from_version": revision.version, "reason": reason},
    )
    return restored


def history_of(obj, *, user):
    """The revisions of `obj` that `user` may read (RevisionQuerySet.visible_to)."""
    target_type = (
        "annotation"
        if isinstance(obj, Annotation)
        else "commitment"
        if isinstance(obj, Commitment)
        else "link"
    )
    return (
        Revision.objects.visible_to(user)
        .filter(target_type=target_type, target_id=obj.pk)
        .select_related("actor")
    )


def snapshot_diff(before: dict | None, after: dict, *, deadline: float | None = None) -> list[dict]:
    """Per changed field: its name, old and new value, and for text a word-level diff (refined
    until `deadline` at most: provisions.diffing)."""
    before = before or {}
    changes = []
    for field, new in after.items():
        old = before.get(field)
        if old == new:
            continue
        change = {"field": field, "old": old, "new": new, "words": None}
        if isinstance(old, str) and isinstance(new, str):
            change["words"] = word_diff(old, new, deadline=deadline)
        changes.append(change)
    return changes
