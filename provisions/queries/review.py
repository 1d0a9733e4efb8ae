"""What waits for an editor: proposed links and submitted annotations (the review queue and the
navigation's Review badge)."""

from provisions import roles
from provisions.models import Annotation, ProvisionLink


def waiting_links():
    return ProvisionLink.objects.filter(status=ProvisionLink.Status.PROPOSED)


def waiting_annotations(user):
    return Annotation.objects.visible_to(user).filter(status=Annotation.Status.SUBMITTED)


def waiting_count(user) -> int:
    """How many items wait for an editor (the number on the navigation's Review badge)."""
    if not roles.is_editor(user):
        return 0
    return waiting_links().count() + waiting_annotations(user).count()


def links_for_review():
    """Links with what the queue shows of them (target, provision, who proposed them)."""
    return ProvisionLink.objects.with_targets().select_related("proposed_by__member")


def annotations_for_review(user):
    """The annotations `user` may see, with what the queue shows of them."""
    return (
        Annotation.objects.visible_to(user)
        .with_parent_for(user)
        .select_related("provision__article", "author__member")
        .prefetch_related("concerns", "demands", "tags")
    )
