"""The analyst's workspace: their own work in every state, replies to it, their proposed links,
what happened to their work since their last visit, and what the team has been doing.

What counts as new (and the navigation badge): provisions/queries/workspace.py. Opening the
workspace highlights it and then moves `workspace_seen_at` on.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from provisions.access import analyst_required
from provisions.models import Annotation, ProvisionLink, Revision
from provisions.public_names import usable_name
from provisions.queries.history import team_activity
from provisions.queries.translations import LINK_POINTS, with_translations
from provisions.queries.workspace import new_replies, news_revisions, replies_to, workspace_seen_at
from provisions.services.members import member_mark_workspace_seen

PUBLISHED_LIMIT = 20
REPLIES_LIMIT = 20
LINKS_LIMIT = 50


def _limited_count(shown: list, limit: int, queryset) -> int:
    return len(shown) if len(shown) < limit else queryset.count()


# --- Page ----------------------------------------------------------------------------------


@analyst_required
@require_safe
def workspace(request):
    user = request.user
    since = workspace_seen_at(user)
    news = set(news_revisions(user, since).values_list("target_type", "target_id"))
    new_reply_ids = set(new_replies(user, since).values_list("pk", flat=True))

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
        with_translations(
            links_qs.with_targets().select_related("reviewed_by__member"), *LINK_POINTS
        ).order_by("-proposed_at", "-pk")[:LINKS_LIMIT]
    )

    for annotation in unpublished + published:
        annotation.is_new = (Revision.Target.ANNOTATION, annotation.pk) in news
        # The one rule the edit and delete pages and their services apply.
        annotation.can_edit = annotation.edit_refusal(user) is None
        annotation.can_delete = annotation.delete_refusal(user) is None
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
