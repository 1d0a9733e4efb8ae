"""The analyst's workspace: what happened to their own work since their last visit.

"New" means: one of their annotations was published or rejected, one of their links approved or
rejected, or someone replied to them, after `Member.workspace_seen_at`. The navigation badge
counts these; opening the workspace highlights them and then moves `workspace_seen_at` on.
"""

from django.db.models import Q

from provisions import roles
from provisions.models import Annotation, Member, ProvisionLink, Revision

# What counts as news about one's own work (actions taken by someone else).
NEWS_ACTIONS = {
    Revision.Target.ANNOTATION: ("published", "rejected"),
    Revision.Target.LINK: ("approved", "rejected"),
}


def workspace_seen_at(user):
    return Member.objects.filter(user=user).values_list("workspace_seen_at", flat=True).first()


def news_revisions(user, since):
    """Revisions by others that published/rejected the user's annotations or reviewed links."""
    own_annotations = Annotation.objects.filter(author=user).values("pk")
    own_links = ProvisionLink.objects.filter(proposed_by=user).values("pk")
    revisions = Revision.objects.filter(
        Q(
            target_type=Revision.Target.ANNOTATION,
            target_id__in=own_annotations,
            action__in=NEWS_ACTIONS[Revision.Target.ANNOTATION],
        )
        | Q(
            target_type=Revision.Target.LINK,
            target_id__in=own_links,
            action__in=NEWS_ACTIONS[Revision.Target.LINK],
        )
    ).exclude(actor=user)
    if since is not None:
        revisions = revisions.filter(created_at__gt=since)
    return revisions.order_by()


def replies_to(user):
    """Other people's replies to the user's annotations, as far as the user may see them."""
    return Annotation.objects.visible_to(user).filter(in_reply_to__author=user).exclude(author=user)


def new_replies(user, since):
    replies = replies_to(user)
    return replies if since is None else replies.filter(created_at__gt=since)


def news_count(user) -> int:
    """How many of the user's things were published, rejected or answered since their last
    visit to the workspace (the number on the navigation's Workspace badge)."""
    if not roles.is_analyst(user):
        return 0
    since = workspace_seen_at(user)
    changed = news_revisions(user, since).values("target_type", "target_id").distinct().count()
    return changed + new_replies(user, since).count()
