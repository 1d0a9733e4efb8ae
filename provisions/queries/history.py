"""Revisions as people read them: what each action is called, and the latest ones a member
may see (the workspace's team activity)."""

from django.utils.translation import gettext_lazy

from provisions.models import Annotation, Commitment, ProvisionLink, Revision

# How many revisions the workspace's team activity shows.
ACTIVITY_LIMIT = 20
# What a person reads for each `Revision.action`.
ACTION_LABELS = {
    "created": gettext_lazy("created"),
    "edited": gettext_lazy("edited"),
    "submitted": gettext_lazy("submitted"),
    "published": gettext_lazy("published"),
    "rejected": gettext_lazy("rejected"),
    "restored": gettext_lazy("restored"),
    "deleted": gettext_lazy("deleted"),
    "proposed": gettext_lazy("proposed"),
    "approved": gettext_lazy("approved"),
    # Written by an import's re-anchoring and the editors' anchors list (issue 5).
    "reanchored": gettext_lazy("re-anchored after a text change"),
    "anchor_confirmed": gettext_lazy("anchor confirmed"),
    "anchor_picked": gettext_lazy("anchored to new words"),
    # Written by provisions.services.annotation_import.
    "imported": gettext_lazy("imported from a file"),
    # Written by migration 0016 to seeded links: the state they were seeded with, then the fix.
    "seeded": gettext_lazy("as first seeded"),
    "corrected": gettext_lazy("corrected by a data migration"),
}


def team_activity(user, limit: int = ACTIVITY_LIMIT) -> list[Revision]:
    """The latest revisions on annotations and links the user may see, each with its target.

    Visibility is decided by `Revision.objects.visible_to`, so another analyst's draft (or a
    deleted draft, whose revisions outlive it), and what a note was while it was a draft, never
    show up here.
    """
    revisions = list(
        Revision.objects.visible_to(user)
        .select_related("actor__member")
        .order_by("-created_at", "-pk")[:limit]
    )
    wanted = {kind: set() for kind in Revision.Target.values}
    for revision in revisions:
        wanted[revision.target_type].add(revision.target_id)
    targets = {
        Revision.Target.ANNOTATION: Annotation.objects.select_related("provision__article").in_bulk(
            wanted[Revision.Target.ANNOTATION]
        ),
        Revision.Target.LINK: ProvisionLink.objects.select_related(
            "provision__article", "concern", "demand"
        ).in_bulk(wanted[Revision.Target.LINK]),
        Revision.Target.COMMITMENT: Commitment.objects.select_related("party", "demand").in_bulk(
            wanted[Revision.Target.COMMITMENT]
        ),
    }
    for revision in revisions:
        revision.target = targets[revision.target_type].get(revision.target_id)
        revision.action_label = ACTION_LABELS.get(revision.action, revision.action)
    return [revision for revision in revisions if revision.target is not None]
