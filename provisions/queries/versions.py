"""Versions of the Convention's text and what re-anchoring left behind: every recorded version,
a provision's text at any of them, and the annotations and links editors still have to settle.

A provision's text at a version is its ProvisionVersion of that version or of the first later
one (an import only keeps a text when it changes it), else its current text; provisions added
or dropped by an import are absent before or after it.
"""

from dataclasses import dataclass

from provisions.anchoring import QUOTE
from provisions.models import Annotation, Provision, ProvisionLink, Revision, TextVersion
from provisions.queries.translations import LINK_POINTS, with_translations


@dataclass(frozen=True)
class Version:
    key: str  # what ?a= and ?b= carry: the label
    label: str
    source: str
    recorded_at: object  # datetime, or None for a version never recorded
    is_official_text: bool
    is_current: bool


def text_versions(treaty) -> list[Version]:
    """Every version of the text, oldest first; the last one is the one shown now."""
    current = treaty.text_version_label
    recorded = [
        Version(v.label, v.label, v.source, v.recorded_at, v.is_official_text, v.label == current)
        for v in TextVersion.objects.filter(treaty=treaty)
    ]
    # Before the first import no version is recorded: the editorial summaries are the only one.
    shown = next(
        (v for v in recorded if v.is_current), Version(current, current, "", None, False, True)
    )
    return [v for v in recorded if not v.is_current] + [shown]


def text_at(provision: Provision, index: int, order: dict[str, int]) -> str | None:
    """The provision's text at the version numbered `index` in `order`, or None if absent."""
    if provision.added_in and order.get(provision.added_in, -1) > index:
        return None
    if provision.retired_in and order.get(provision.retired_in, len(order)) <= index:
        return None
    later = [
        (order[kept.label], kept.pk, kept.text)
        for kept in provision.versions.all()
        if order.get(kept.label, -1) >= index
    ]
    return min(later)[2] if later else provision.text


def _quote(selectors) -> str:
    found = next((s for s in selectors or [] if s.get("type") == QUOTE), None)
    return found.get("exact", "") if found else ""


def quotes_before_reanchoring(annotation_ids) -> dict[int, str]:
    """Per annotation, the quote it had before the last import re-anchored it."""
    before: dict[int, str] = {}
    previous: dict[int, dict] = {}
    revisions = (
        Revision.objects.filter(
            target_type=Revision.Target.ANNOTATION, target_id__in=list(annotation_ids)
        )
        .order_by("created_at", "pk")
        .only("target_id", "action", "snapshot")
    )
    for revision in revisions:
        if revision.action == "reanchored" and revision.target_id in previous:
            before[revision.target_id] = _quote(previous[revision.target_id].get("selectors"))
        previous[revision.target_id] = revision.snapshot
    return before


def unsettled_annotations(user):
    return (
        Annotation.objects.visible_to(user)
        .filter(anchor_state__in=[Annotation.Anchor.FUZZY, Annotation.Anchor.ORPHANED])
        .select_related("provision__article", "author__member")
    )


def links_to_review():
    return with_translations(
        ProvisionLink.objects.filter(needs_review=True).with_targets(), *LINK_POINTS
    )
