"""The analyst's workspace: their own work in every state, replies to it, their proposed links,
what happened to their work since their last visit, and what the team has been doing.

"New" means: one of their annotations was published or rejected, one of their links approved or
rejected, or someone replied to them, after `Member.workspace_seen_at`. The navigation badge
counts these; opening the workspace highlights them and then moves `workspace_seen_at` on.
"""

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from provisions import roles
from provisions.access import analyst_required
from provisions.models import Annotation, Commitment, Member, ProvisionLink, Revision
from provisions.public_names import usable_name
from provisions.services.members import member_mark_workspace_seen
from provisions.views.history import ACTION_LABELS

ACTIVITY_LIMIT = 20
PUBLISHED_LIMIT = 20
REPLIES_LIMIT = 20
LINKS_LIMIT = 50
# What counts as news about one's own work (actions taken by someone else).
NEWS_ACTIONS = {
    Revision.Target.ANNOTATION: ("published", "rejected"),
    Revision.Target.LINK: ("approved", "rejected"),
}


# --- Reads ---------------------------------------------------------------------------------


def _seen_at(user):
    return Member.objects.filter(user=user).values_list("workspace_seen_at", flat=True).first()


def _news_revisions(user, since):
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


def _new_replies(user, since):
    replies = replies_to(user)
    return replies if since is None else replies.filter(created_at__gt=since)


def news_count(user) -> int:
    """How many of the user's things were published, rejected or answered since their last
    visit to the workspace (the number on the navigation's Workspace badge)."""
    if not roles.is_analyst(user):
        return 0
    since = _seen_at(user)
    changed = _news_revisions(user, since).values("target_type", "target_id").distinct().count()
    return changed + _new_replies(user, since).count()


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


def _limited_count(shown: list, limit: int, queryset) -> int:
    return len(shown) if len(shown) < limit else queryset.count()


# --- Page ----------------------------------------------------------------------------------


@analyst_required
@require_safe
def workspace(request):
    user = request.user
    since = _seen_at(user)
    news = set(_news_revisions(user, since).values_list("target_type", "target_id"))
    new_reply_ids = set(_new_replies(user, since).values_list("pk", flat=True))

    own = Annotation.objects.filter(author=user).select_related(
        "provision__article", "reviewed_by__member", "in_reply_to__author__member"
    )
    unpublished = list(
        own.exclude(status=Annotation.Status.PUBLISHED).order_by("-updated_at", "-pk")
    )
    published_qs = own.filter(status=Annotation.Status.PUBLISHED)
    published = list(published_qs.order_by("-published_at", "-pk")[:PUBLISHED_LIMIT])
    replies = list(
        replies_to(user)
        .select_related("author__member", "provision__article", "in_reply_to")
        .order_by("-created_at", "-pk")[:REPLIES_LIMIT]
    )
    links_qs = ProvisionLink.objects.filter(proposed_by=user)
    links = list(
        links_qs.with_targets()
        .select_related("reviewed_by__member")
        .order_by("-proposed_at", "-pk")[:LINKS_LIMIT]
    )

    for annotation in unpublished + published:
        annotation.is_new = (Revision.Target.ANNOTATION, annotation.pk) in news
    for link in links:
        link.is_new = (Revision.Target.LINK, link.pk) in news
    for reply in replies:
        reply.is_new = reply.pk in new_reply_ids

    by_status = {status: [] for status in Annotation.Status.values}
    for annotation in unpublished:
        by_status[annotation.status].append(annotation)

    context = {
        "drafts": by_status[Annotation.Status.DRAFT],
        "submitted": by_status[Annotation.Status.SUBMITTED],
        "rejected": by_status[Annotation.Status.REJECTED],
        "published": published,
        "published_count": _limited_count(published, PUBLISHED_LIMIT, published_qs),
        "replies": replies,
        "links": links,
        "link_count": _limited_count(links, LINKS_LIMIT, links_qs),
        "activity": team_activity(user),
        "news_total": len(news) + len(new_reply_ids),
        "first_visit": since is None,
    }
    # Seen now: the badge starts counting again from this visit (and so reads 0 on this page).
    context["member"] = member_mark_workspace_seen(user=user)
    context["public_name"] = usable_name(context["member"].display_name)
    context["workspace_news"] = 0
    return render(request, "provisions/workspace.html", context)
