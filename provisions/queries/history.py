"""Revisions as people read them: what each action is called, the sentence that tells it in the
workspace's team activity, and the latest revisions a member may see."""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

from provisions.models import Annotation, Commitment, ProvisionLink, Revision
from provisions.public_names import public_name
from provisions.queries.translations import LINK_POINTS, with_translations

# How many revisions the workspace's team activity shows.
ACTIVITY_LIMIT = 20

ANNOTATION, LINK, COMMITMENT = (
    Revision.Target.ANNOTATION,
    Revision.Target.LINK,
    Revision.Target.COMMITMENT,
)

# What a person reads for each `Revision.action` as the heading of a version ("Version 3:
# published"). Each kind of object has its own context: the participle agrees with it in French,
# Spanish, Arabic and Russian (une annotation publiée, un lien approuvé).
ACTION_LABELS = {
    ANNOTATION: {
        "created": pgettext_lazy("what happened to an annotation", "created"),
        "edited": pgettext_lazy("what happened to an annotation", "edited"),
        "submitted": pgettext_lazy("what happened to an annotation", "submitted"),
        "published": pgettext_lazy("what happened to an annotation", "published"),
        "rejected": pgettext_lazy("what happened to an annotation", "rejected"),
        "restored": pgettext_lazy("what happened to an annotation", "restored"),
        "deleted": pgettext_lazy("what happened to an annotation", "deleted"),
        # Written by an import's re-anchoring and the editors' anchors list (issue 5).
        "reanchored": pgettext_lazy(
            "what happened to an annotation", "re-anchored after a text change"
        ),
        "anchor_confirmed": pgettext_lazy("what happened to an annotation", "anchor confirmed"),
        "anchor_picked": pgettext_lazy("what happened to an annotation", "anchored to new words"),
        # Written by provisions.services.annotation_import.
        "imported": pgettext_lazy("what happened to an annotation", "imported from a file"),
    },
    LINK: {
        "proposed": pgettext_lazy("what happened to a link", "proposed"),
        "approved": pgettext_lazy("what happened to a link", "approved"),
        "rejected": pgettext_lazy("what happened to a link", "rejected"),
        "edited": pgettext_lazy("what happened to a link", "edited"),
        "restored": pgettext_lazy("what happened to a link", "restored"),
        # Written by migration 0016 to seeded links: the state they were seeded with, then the fix.
        "seeded": pgettext_lazy("what happened to a link", "as first seeded"),
        "corrected": pgettext_lazy("what happened to a link", "corrected by a data migration"),
    },
    COMMITMENT: {
        "created": pgettext_lazy("what happened to a commitment", "created"),
        "edited": pgettext_lazy("what happened to a commitment", "edited"),
        "submitted": pgettext_lazy("what happened to a commitment", "submitted"),
        "published": pgettext_lazy("what happened to a commitment", "published"),
        "rejected": pgettext_lazy("what happened to a commitment", "rejected"),
    },
}

# The team activity's sentences, one whole sentence per kind of object and action, so that each
# language puts the words in its own order (docs/translations.md). %(actor)s is who did it;
# an annotation gives %(citation)s, a link %(point)s (its concern or demand) and %(citation)s,
# a commitment %(party)s and %(demand)s. The sentences of changes nobody made by hand name no
# actor.
ACTIVITY_SENTENCES = {
    ANNOTATION: {
        "created": pgettext_lazy(
            "team activity", "%(actor)s created an annotation on %(citation)s"
        ),
        "edited": pgettext_lazy("team activity", "%(actor)s edited an annotation on %(citation)s"),
        "submitted": pgettext_lazy(
            "team activity", "%(actor)s submitted an annotation on %(citation)s for review"
        ),
        "published": pgettext_lazy(
            "team activity", "%(actor)s published an annotation on %(citation)s"
        ),
        "rejected": pgettext_lazy(
            "team activity", "%(actor)s rejected an annotation on %(citation)s"
        ),
        "restored": pgettext_lazy(
            "team activity",
            "%(actor)s restored an earlier version of an annotation on %(citation)s",
        ),
        "deleted": pgettext_lazy(
            "team activity", "%(actor)s deleted an annotation on %(citation)s"
        ),
        "reanchored": pgettext_lazy(
            "team activity", "The text import re-anchored an annotation on %(citation)s"
        ),
        "anchor_confirmed": pgettext_lazy(
            "team activity", "%(actor)s confirmed the anchor of an annotation on %(citation)s"
        ),
        "anchor_picked": pgettext_lazy(
            "team activity", "%(actor)s anchored an annotation on %(citation)s to new words"
        ),
        "imported": pgettext_lazy(
            "team activity", "%(actor)s imported an annotation on %(citation)s from a file"
        ),
        None: pgettext_lazy("team activity", "%(actor)s changed an annotation on %(citation)s"),
    },
    LINK: {
        "proposed": pgettext_lazy(
            "team activity", "%(actor)s proposed the link “%(point)s” → %(citation)s"
        ),
        "approved": pgettext_lazy(
            "team activity", "%(actor)s approved the link “%(point)s” → %(citation)s"
        ),
        "rejected": pgettext_lazy(
            "team activity", "%(actor)s rejected the link “%(point)s” → %(citation)s"
        ),
        "edited": pgettext_lazy(
            "team activity", "%(actor)s edited the link “%(point)s” → %(citation)s"
        ),
        "restored": pgettext_lazy(
            "team activity",
            "%(actor)s restored an earlier version of the link “%(point)s” → %(citation)s",
        ),
        "seeded": pgettext_lazy(
            "team activity", "The link “%(point)s” → %(citation)s came with the first data"
        ),
        "corrected": pgettext_lazy(
            "team activity", "A data migration corrected the link “%(point)s” → %(citation)s"
        ),
        None: pgettext_lazy(
            "team activity", "%(actor)s changed the link “%(point)s” → %(citation)s"
        ),
    },
    COMMITMENT: {
        "created": pgettext_lazy(
            "team activity", "%(actor)s recorded a commitment of %(party)s to “%(demand)s”"
        ),
        "edited": pgettext_lazy(
            "team activity", "%(actor)s edited the commitment of %(party)s to “%(demand)s”"
        ),
        "submitted": pgettext_lazy(
            "team activity",
            "%(actor)s submitted the commitment of %(party)s to “%(demand)s” for review",
        ),
        "published": pgettext_lazy(
            "team activity", "%(actor)s published the commitment of %(party)s to “%(demand)s”"
        ),
        "rejected": pgettext_lazy(
            "team activity", "%(actor)s rejected the commitment of %(party)s to “%(demand)s”"
        ),
        None: pgettext_lazy(
            "team activity", "%(actor)s changed the commitment of %(party)s to “%(demand)s”"
        ),
    },
}
# Who did it when the account is gone (Revision.actor is kept as null).
REMOVED_ACTOR = pgettext_lazy("team activity: who did it", "A removed account")


def action_label(revision: Revision) -> str:
    """The action as a version's heading reads it, agreeing with the kind of object."""
    return str(ACTION_LABELS.get(revision.target_type, {}).get(revision.action, revision.action))


def activity_sentence(revision: Revision) -> SafeString:
    """The whole sentence for one revision of the team activity, its values escaped.

    `revision.target` must be set (team_activity does it)."""
    target = revision.target
    if revision.target_type == COMMITMENT:
        values = {"party": target.party.display_name, "demand": target.demand.shown("title")}
    else:
        values = {"citation": target.provision.citation}
        if revision.target_type == LINK:
            # In the reader's language, or the English marked as such (Shown.__html__).
            values["point"] = target.target.shown("title")
    sentences = ACTIVITY_SENTENCES[revision.target_type]
    sentence = sentences.get(revision.action, sentences[None])
    actor = public_name(revision.actor) if revision.actor is not None else REMOVED_ACTOR
    values = {name: conditional_escape(value) for name, value in values.items()}
    values["actor"] = format_html('<span class="activity-who">{}</span>', actor)
    # The translated sentence is escaped too; its %(name)s placeholders come through unchanged.
    escaped = conditional_escape(str(sentence)) % values
    return mark_safe(escaped)  # noqa: S308 — the sentence and every value escaped just above


def _target_url(revision: Revision) -> str:
    if revision.target_type == LINK:
        return revision.target.provision.get_absolute_url()
    return revision.target.get_absolute_url()


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
        Revision.Target.LINK: with_translations(
            ProvisionLink.objects.select_related("provision__article", "concern", "demand"),
            *LINK_POINTS,
        ).in_bulk(wanted[Revision.Target.LINK]),
        Revision.Target.COMMITMENT: with_translations(
            Commitment.objects.select_related("party", "demand"), "demand"
        ).in_bulk(wanted[Revision.Target.COMMITMENT]),
    }
    for revision in revisions:
        revision.target = targets[revision.target_type].get(revision.target_id)
    shown = [revision for revision in revisions if revision.target is not None]
    for revision in shown:
        revision.sentence = activity_sentence(revision)
        revision.url = _target_url(revision)
    return shown
