"""What waits for an editor: proposed links and submitted annotations (the review queue and the
navigation's Review badge)."""

from provisions import roles
from provisions.models import Annotation, ProvisionLink
from provisions.queries.translations import ANNOTATION_POINTS, LINK_POINTS, with_translations


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
    """Links with what the queue shows of them (target in the reader's language, provision, who
    proposed them)."""
    return with_translations(
        ProvisionLink.objects.with_targets().select_related("proposed_by__member"), *LINK_POINTS
    )


def annotations_for_review(user):
    """The annotations `user` may see, with what the queue shows of them."""
    return with_translations(
        Annotation.objects.visible_to(user)
        .with_parent_for(user)
        .select_related("provision__article", "author__member")
        .prefetch_related("concerns", "demands", "tags"),
        *ANNOTATION_POINTS,
    )


# An editor's action refused on an annotation's permalink (a plain POST to the queue's action,
# then back to the permalink): what was typed and why it was refused, shown there once.
_REFUSED_KEY = "refused_review_action"


def keep_refused_action(request, annotation_pk: int, state: dict) -> None:
    """`state`: the queue's names (action_errors, reject_errors, reject_reason, open)."""
    request.session[_REFUSED_KEY] = {
        "pk": annotation_pk,
        **{
            name: [str(item) for item in value] if isinstance(value, list) else str(value)
            for name, value in state.items()
        },
    }


def refused_action_for(request, annotation) -> dict:
    """The state kept for `annotation` by keep_refused_action (then forgotten), or {}."""
    if not request.user.is_authenticated or _REFUSED_KEY not in request.session:
        return {}
    kept = request.session.pop(_REFUSED_KEY)
    if kept.get("pk") != annotation.pk:
        return {}
    return {name: value for name, value in kept.items() if name != "pk"}
