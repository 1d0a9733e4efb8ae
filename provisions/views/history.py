"""History of one annotation or link, for editors: every revision, what it changed, restore.

Each revision is compared with the one before it; text fields get a word-level diff rendered
with <del>/<ins> (escaped), lists show what was added and removed, choices their labels.
Only the revisions the reader may read are listed, compared and restorable
(`Revision.objects.visible_to`): an annotation's history starts, for anyone but its author, at
its first submission.

Restoring asks first (GET): the page shows the content that will become current, what changes,
and whether readers see it at once (the status stays: a published note's restored text is
public as soon as it is confirmed). The POST restores it with the editor's required reason.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from provisions.access import editor_required
from provisions.anchoring import normalise_selectors
from provisions.diffing import PAGE_DIFF_SECONDS, deadline_in
from provisions.forms import RestoreForm
from provisions.models import Annotation, Concern, ProvisionLink, Revision, SafeguardDemand
from provisions.models.treaty import citation_for_eid
from provisions.queries.history import action_label
from provisions.queries.translations import LINK_POINTS, with_translations
from provisions.rendering import render_markdown
from provisions.services import annotation_restore, link_restore
from provisions.services.history import (
    annotation_snapshot,
    history_of,
    link_snapshot,
    snapshot_diff,
)

FIELD_LABELS = {
    "provision": gettext_lazy("Provision"),
    "body": gettext_lazy("Note"),
    "quote": gettext_lazy("Quoted text"),
    "status": gettext_lazy("Status"),
    "concerns": gettext_lazy("Concerns"),
    "demands": gettext_lazy("Safeguard demands"),
    "tags": gettext_lazy("Tags"),
    "review_reason": gettext_lazy("Editor's reason"),
    "anchor_state": gettext_lazy("Anchor"),
    "concern": gettext_lazy("Concern"),
    "demand": gettext_lazy("Safeguard demand"),
    "kind": gettext_lazy("Kind"),
    "rationale": gettext_lazy("Rationale"),
    "sources": gettext_lazy("Sources"),
    "confidence": gettext_lazy("Confidence"),
    "review_note": gettext_lazy("Review note"),
}
CHOICES = {
    "status": {**dict(Annotation.Status.choices), **dict(ProvisionLink.Status.choices)},
    "anchor_state": dict(Annotation.Anchor.choices),
    "kind": dict(ProvisionLink.Kind.choices),
    "confidence": dict(ProvisionLink.Confidence.choices),
}


def _comparable(snapshot: dict) -> dict:
    """A snapshot as a person compares it: the quoted words instead of raw selectors."""
    snapshot = dict(snapshot)
    if "selectors" in snapshot:
        selectors = snapshot.pop("selectors") or []
        quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
        snapshot["quote"] = quote.get("exact", "") if quote else ""
    return snapshot


def _blank_like(snapshot: dict) -> dict:
    """What "nothing" looks like for each field, so a first revision reads as all added."""
    return {
        key: "" if isinstance(value, str) else [] if isinstance(value, list) else None
        for key, value in snapshot.items()
    }


def _label(field: str, value):
    if value in (None, ""):
        return "—"
    if field == "provision":
        # Snapshots keep the eid (stable across imports); people read "Article 24(2)".
        return citation_for_eid(value)
    return CHOICES.get(field, {}).get(value, value)


def _describe(change: dict, *, initial: bool = False) -> dict:
    field, old, new = change["field"], change["old"], change["new"]
    shown = {"field": field, "label": FIELD_LABELS.get(field, field)}
    if initial:
        # The first version: its values as they were, nothing to compare with.
        if isinstance(new, list):
            return {**shown, "kind": "items", "items": new}
        return {**shown, "kind": "initial", "new": _label(field, new)}
    if change["words"] is not None and field not in CHOICES:
        return {**shown, "kind": "words", "words": change["words"]}
    if isinstance(old, list) or isinstance(new, list):
        old, new = old or [], new or []
        return {
            **shown,
            "kind": "list",
            "removed": [item for item in old if item not in new],
            "added": [item for item in new if item not in old],
        }
    return {**shown, "kind": "value", "old": _label(field, old), "new": _label(field, new)}


def revision_entries(revisions) -> list[dict]:
    """Newest first, each with its changes against the revision before it.

    All the word diffs of the page share one time box (provisions.diffing), newest first: however
    many long versions a note has, the page loads, and the latest changes are the ones compared
    word by word if the box runs out."""
    oldest_first = sorted(revisions, key=lambda r: (r.created_at, r.pk))
    snapshots = [_comparable(revision.snapshot) for revision in oldest_first]
    deadline = deadline_in(PAGE_DIFF_SECONDS)
    entries = []
    for index in reversed(range(len(oldest_first))):
        revision, after = oldest_first[index], snapshots[index]
        initial = index == 0
        before = _blank_like(after) if initial else snapshots[index - 1]
        changes = snapshot_diff(before, after, deadline=deadline)
        entries.append(
            {
                "revision": revision,
                "action": action_label(revision),
                "initial": initial,
                "changes": [_describe(change, initial=initial) for change in changes],
            }
        )
    return entries


def _history_page(request, obj, kind: str):
    # Only the revisions this editor may read: what an annotation was while it was someone
    # else's draft is neither listed nor used as the "before" of the first version shown.
    revisions = history_of(obj, user=request.user).select_related("actor__member")
    entries = revision_entries(revisions)
    return render(
        request,
        "provisions/history.html",
        {"object": obj, "kind": kind, "entries": entries},
    )


def _annotations(user):
    return Annotation.objects.visible_to(user).select_related(
        "provision__article", "author__member"
    )


def _links():
    return with_translations(ProvisionLink.objects.with_targets(), *LINK_POINTS)


def _revision_or_404(request, obj) -> Revision:
    """The revision named in the query (the confirmation page) or the form (the restore), among
    those of `obj` the editor may read."""
    raw = (request.POST if request.method == "POST" else request.GET).get("revision", "")
    # isdecimal, not isdigit ("²" is a digit int() refuses); no id has more than 19 digits.
    return get_object_or_404(
        history_of(obj, user=request.user),
        pk=int(raw) if raw.isdecimal() and len(raw) <= 19 else 0,
    )


@editor_required
@require_safe
def annotation_history(request, pk: int):
    return _history_page(
        request, get_object_or_404(_annotations(request.user), pk=pk), "annotation"
    )


@editor_required
@require_safe
def link_history(request, pk: int):
    return _history_page(request, get_object_or_404(_links(), pk=pk), "link")


# What a restore brings back (the status, the anchor's state and the review notes stay).
RESTORED_FIELDS = {
    "annotation": ("body", "quote", "concerns", "demands", "tags"),
    "link": ("kind", "rationale", "sources", "confidence"),
}


def _restored_content(obj, kind: str, snapshot: dict) -> dict:
    """The content that will be current after the restore, as readers will see it."""
    if kind == "link":
        return {
            "kind": _label("kind", snapshot.get("kind")),
            "confidence": _label("confidence", snapshot.get("confidence")),
            "rationale": snapshot.get("rationale", ""),
            "sources": snapshot.get("sources") or [],
        }
    quote = _comparable(snapshot)["quote"]
    try:
        normalise_selectors(obj.provision.text, snapshot.get("selectors"))
        orphaned = False
    except ValidationError:
        orphaned = True  # the service keeps the old words, flagged (annotation_restore)
    return {
        "body_html": render_markdown(snapshot.get("body", "")),
        "quote": quote,
        "orphaned": orphaned,
        "concerns": with_translations(
            Concern.objects.filter(slug__in=snapshot.get("concerns") or [])
        ),
        "demands": with_translations(
            SafeguardDemand.objects.filter(slug__in=snapshot.get("demands") or [])
        ),
        "tags": snapshot.get("tags") or [],
    }


def _restore_page(request, obj, kind: str, revision: Revision, form: RestoreForm, status=200):
    current = annotation_snapshot(obj) if kind == "annotation" else link_snapshot(obj)
    fields = RESTORED_FIELDS[kind]
    before, after = _comparable(current), _comparable(revision.snapshot)
    changes = snapshot_diff(
        {field: before.get(field) for field in fields},
        {field: after.get(field) for field in fields},
        deadline=deadline_in(PAGE_DIFF_SECONDS),
    )
    context = {
        "object": obj,
        "kind": kind,
        "revision": revision,
        "form": form,
        "restored": _restored_content(obj, kind, revision.snapshot),
        "changes": [_describe(change) for change in changes],
    }
    return render(request, "provisions/history_restore.html", context, status=status)


def _restore(request, obj, kind: str, service, history_url: str):
    """GET: the confirmation page. POST: the restore, with the editor's reason; a refusal
    comes back on the page with what was typed, and nothing is changed."""
    revision = _revision_or_404(request, obj)
    if request.method != "POST":
        return _restore_page(request, obj, kind, revision, RestoreForm())
    form = RestoreForm(request.POST)
    if form.is_valid():
        try:
            service(
                **{kind: obj},
                editor=request.user,
                revision=revision,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("Restored the content of version %(v)s.") % {"v": revision.version}
            )
            return redirect(history_url, pk=obj.pk)
    return _restore_page(request, obj, kind, revision, form, status=400)


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def annotation_history_restore(request, pk: int):
    annotation = get_object_or_404(_annotations(request.user), pk=pk)
    return _restore(
        request, annotation, "annotation", annotation_restore, "provisions:annotation_history"
    )


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def link_history_restore(request, pk: int):
    return _restore(
        request, get_object_or_404(_links(), pk=pk), "link", link_restore, "provisions:link_history"
    )
