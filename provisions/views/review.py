"""The editors' review queue: proposed links and submitted annotations, approved or sent back.

Every action is a plain POST form that works without JavaScript (it redirects back to the queue
with a message, or re-renders the queue with the error beside the item and what was typed).
htmx posts the same forms and gets back only what changed: the item goes away, or comes back
with its error; the counts and the message are swapped in out of band.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from provisions.access import editor_required
from provisions.forms import ServiceErrorsForm
from provisions.models import Annotation, ProvisionLink
from provisions.queries.review import (
    annotations_for_review,
    keep_refused_action,
    links_for_review,
    waiting_annotations,
    waiting_links,
)
from provisions.services import annotation_publish, annotation_reject, link_approve, link_reject
from provisions.services.review import BulkRefused, review_bulk

# The queue shows the newest items first; past this many, the page says how many more wait.
QUEUE_LIMIT = 100
# No row id is longer; int() refuses strings past 4,300 digits anyway.
MAX_ID_DIGITS = 19


# --- What the messages call an item (a link: its own str(), "Concern → Article 24(2)") -----


def _link_label(link: ProvisionLink) -> str:
    """A link as a message names it: its concern or demand in the page's language."""
    return f"{link.target.shown('title').text} → {link.provision.citation}"


def _annotation_label(annotation: Annotation) -> str:
    return _("annotation %(pk)s on %(citation)s") % {
        "pk": annotation.pk,
        "citation": annotation.provision.citation,
    }


# --- The edit-then-approve form ------------------------------------------------------------


class LinkEditForm(ServiceErrorsForm):
    """Collects an editor's changes; the service validates them and its messages are shown."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ProvisionLink.grouped_kind_choices)
    rationale = forms.CharField(
        label=gettext_lazy("Rationale"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sources = forms.CharField(
        label=gettext_lazy("Sources"),
        help_text=gettext_lazy("One web address per line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confidence = forms.ChoiceField(
        label=gettext_lazy("Confidence"), choices=ProvisionLink.Confidence.choices
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the record"),
        help_text=gettext_lazy("Optional; kept in the link's history."),
        required=False,
        max_length=5000,
    )

    @classmethod
    def for_link(cls, link: ProvisionLink, data=None) -> "LinkEditForm":
        initial = {
            "kind": link.kind,
            "rationale": link.rationale,
            "sources": "\n".join(link.sources),
            "confidence": link.confidence,
        }
        # Many of these forms share a page: every id must be unique.
        form = cls(data=data, initial=initial, auto_id=f"edit-link-{link.pk}-%s", label_suffix="")
        # Only the kinds that belong to this link's target (the service refuses the others).
        form.fields["kind"].choices = [
            (kind.value, kind.label)
            for kind in ProvisionLink.kinds_for(is_concern=link.concern_id is not None)
        ]
        return form

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "rationale": data["rationale"],
            "sources": data["sources"].split(),
            "confidence": data["confidence"],
        }


# --- Rendering -----------------------------------------------------------------------------


def _queue_context(request, *, failed=None, **extra) -> dict:
    """The queue; `failed` is (kind, pk, state) for the item whose action needs correcting."""
    links = list(
        links_for_review()
        .filter(status=ProvisionLink.Status.PROPOSED)
        .order_by("-proposed_at", "-pk")[:QUEUE_LIMIT]
    )
    annotations = list(
        annotations_for_review(request.user)
        .filter(status=Annotation.Status.SUBMITTED)
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")[:QUEUE_LIMIT]
    )
    for link in links:
        link.edit_form = LinkEditForm.for_link(link)
    if failed is not None:
        kind, pk, state = failed
        for item in links if kind == "link" else annotations:
            if item.pk == pk:
                _apply_failure(item, state)
    link_count = _count(links, waiting_links)
    annotation_count = _count(annotations, lambda: waiting_annotations(request.user))
    return {
        "links": links,
        "annotations": annotations,
        "link_count": link_count,
        "annotation_count": annotation_count,
        # The navigation badge, already known here (saves the context processor's count).
        "review_waiting": link_count + annotation_count,
        **extra,
    }


def _count(shown: list, queryset) -> int:
    """The full count, without a query when everything waiting is already on the page."""
    return len(shown) if len(shown) < QUEUE_LIMIT else queryset().count()


def _apply_failure(item, state: dict) -> None:
    for name, value in state.items():
        setattr(item, name, value)


def _counts(request) -> dict:
    link_count = waiting_links().count()
    annotation_count = waiting_annotations(request.user).count()
    return {
        "link_count": link_count,
        "annotation_count": annotation_count,
        "review_waiting": link_count + annotation_count,
    }


def _from_permalink(request) -> bool:
    """The action was taken on an annotation's permalink (its forms say so, and post without
    htmx): the editor goes back there, not to the queue."""
    return request.POST.get("back") == "permalink" and not request.htmx


def _done(request, item=None):
    """After a successful action on one item: htmx removes it; a plain POST goes back (to the
    annotation's permalink when it came from there)."""
    if request.htmx:
        return render(request, "provisions/review.html#item_done", _counts(request))
    if item is not None and _from_permalink(request):
        return redirect(item.get_absolute_url())
    return redirect(reverse("provisions:review"))


def _failed(request, kind: str, item, state: dict):
    """Show the item again with its error and what was typed; nothing was changed."""
    if kind == "annotation" and _from_permalink(request):
        keep_refused_action(request, item.pk, state)
        return redirect(item.get_absolute_url())
    if request.htmx:
        _apply_failure(item, state)
        if kind == "link":
            item.edit_form = state.get("edit_form") or LinkEditForm.for_link(item)
            return render(request, "provisions/review.html#link_item", {"link": item})
        return render(request, "provisions/review.html#annotation_item", {"annotation": item})
    context = _queue_context(request, failed=(kind, item.pk, state))
    shown = context["links"] if kind == "link" else context["annotations"]
    if not any(other.pk == item.pk for other in shown):
        # No longer in the queue (another editor got there first): say so on the queue.
        for message in state.get("action_errors") or state.get("reject_errors") or ():
            messages.error(request, message)
        return redirect(reverse("provisions:review"))
    return render(request, "provisions/review.html", context, status=400)


# --- Pages and actions ---------------------------------------------------------------------


@editor_required
@require_safe
def review(request):
    return render(request, "provisions/review.html", _queue_context(request))


@editor_required
@require_POST
def link_approve_view(request, pk: int):
    link = get_object_or_404(links_for_review(), pk=pk)
    try:
        link_approve(link=link, editor=request.user)
    except ValidationError as error:
        return _failed(request, "link", link, {"action_errors": error.messages})
    messages.success(request, _("Link approved: %(link)s") % {"link": link})
    return _done(request)


@editor_required
@require_POST
def link_reject_view(request, pk: int):
    link = get_object_or_404(links_for_review(), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        link_reject(link=link, editor=request.user, reason=reason)
    except ValidationError as error:
        state = {"reject_errors": error.messages, "reject_reason": reason, "open": "reject"}
        return _failed(request, "link", link, state)
    messages.success(request, _("Link rejected: %(link)s") % {"link": link})
    return _done(request)


@editor_required
@require_POST
def link_edit_approve_view(request, pk: int):
    link = get_object_or_404(links_for_review(), pk=pk)
    form = LinkEditForm.for_link(link, data=request.POST)
    if form.is_valid():
        try:
            link_approve(
                link=link, editor=request.user, note=form.cleaned_data["note"], **form.changes()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Link edited and approved: %(link)s") % {"link": link})
            return _done(request)
    return _failed(request, "link", link, {"edit_form": form, "open": "edit"})


@editor_required
@require_POST
def annotation_publish_view(request, pk: int):
    annotation = get_object_or_404(annotations_for_review(request.user), pk=pk)
    try:
        annotation_publish(annotation=annotation, editor=request.user)
    except ValidationError as error:
        return _failed(request, "annotation", annotation, {"action_errors": error.messages})
    messages.success(request, _("Published: %(item)s") % {"item": _annotation_label(annotation)})
    return _done(request, annotation)


@editor_required
@require_POST
def annotation_reject_view(request, pk: int):
    annotation = get_object_or_404(annotations_for_review(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        annotation_reject(annotation=annotation, editor=request.user, reason=reason)
    except ValidationError as error:
        state = {"reject_errors": error.messages, "reject_reason": reason, "open": "reject"}
        return _failed(request, "annotation", annotation, state)
    messages.success(
        request,
        _("Sent back to the author: %(item)s") % {"item": _annotation_label(annotation)},
    )
    return _done(request, annotation)


def _selected_ids(values) -> list[int]:
    # isdecimal, not isdigit: "²" is a digit to Python, yet int() refuses it (a server error).
    return sorted({int(v) for v in values if v.isdecimal() and len(v) <= MAX_ID_DIGITS})


@editor_required
@require_POST
def bulk(request):
    """One action over the selected items, all or nothing: a single refusal changes nothing."""
    action = request.POST.get("action", "")
    link_ids = _selected_ids(request.POST.getlist("links"))
    annotation_ids = _selected_ids(request.POST.getlist("annotations"))
    reason = request.POST.get("reason", "")
    links = list(ProvisionLink.objects.with_targets().filter(pk__in=link_ids))
    annotations = list(
        Annotation.objects.visible_to(request.user)
        .select_related("provision")
        .filter(pk__in=annotation_ids)
    )
    try:
        done = review_bulk(
            editor=request.user,
            action=action,
            links=links,
            annotations=annotations,
            reason=reason,
        )
    except BulkRefused as refusal:
        item = refusal.item
        label = _link_label(item) if isinstance(item, ProvisionLink) else _annotation_label(item)
        error = _("Nothing was changed. %(item)s: %(error)s") % {
            "item": label,
            "error": refusal.text,
        }
        return _bulk_failed(request, error, link_ids, annotation_ids, reason)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
        return _bulk_failed(request, error, link_ids, annotation_ids, reason)

    messages.success(request, _bulk_summary(action, done))
    if request.htmx:
        return render(request, "provisions/review.html#queue", _queue_context(request))
    return redirect(reverse("provisions:review"))


def _bulk_summary(action: str, done: int) -> str:
    if action == "approve_links":
        return ngettext("%(n)s link approved.", "%(n)s links approved.", done) % {"n": done}
    if action == "publish_annotations":
        return ngettext("%(n)s annotation published.", "%(n)s annotations published.", done) % {
            "n": done
        }
    return ngettext("%(n)s item rejected.", "%(n)s items rejected.", done) % {"n": done}


def _bulk_failed(request, error: str, link_ids, annotation_ids, reason: str):
    context = _queue_context(
        request,
        bulk_error=error,
        bulk_reason=reason,
        selected_links=set(link_ids),
        selected_annotations=set(annotation_ids),
    )
    if request.htmx:
        return render(request, "provisions/review.html#queue", context)
    return render(request, "provisions/review.html", context, status=400)
