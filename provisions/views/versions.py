"""Versions of the text and what re-anchoring left for editors.

- `article_versions` (public): any two versions of an article side by side, per provision, with
  the changed words marked (within one time box: provisions.diffing); a provision's text at a
  version is read by provisions/queries/versions.py.
- `anchors` (editors): the "Orphans and fuzzy anchors" list, with the forms that settle them
  (services.anchors); a fuzzy anchor shows the words changed from its old quote to the proposed
  one (the same time box). Plain POST forms that redirect back; htmx swaps only the item.
"""

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from provisions.access import editor_required, public
from provisions.cache.serving import cache_public_page
from provisions.diffing import PAGE_DIFF_SECONDS, WordDiff, deadline_in, word_diff
from provisions.models import Annotation, Article, Provision, TextVersion
from provisions.queries.versions import (
    Version,
    links_to_review,
    quotes_before_reanchoring,
    text_at,
    text_versions,
    unsettled_annotations,
)
from provisions.services.anchors import anchor_confirm, anchor_pick, link_anchor_confirm
from provisions.services.annotations import EditConflict

# The list shows this many annotations at most (oldest problems first); the rest wait.
ANCHORS_LIMIT = 100


# --- Versions of an article ---------------------------------------------------------------


def _row_label(provision: Provision) -> str:
    """An article's own text has no label of its own: the row says what it is."""
    if provision.kind == Provision.Kind.ARTICLE:
        return _("Article text")
    return provision.display_label


@dataclass
class ComparedProvision:
    provision: Provision
    label: str
    state: str  # "same", "changed", "added", "removed"
    words: WordDiff


def compare(provisions, index_a: int, index_b: int, order: dict[str, int]):
    rows = []
    deadline = deadline_in(PAGE_DIFF_SECONDS)  # one time box for the whole article
    for provision in provisions:
        old, new = text_at(provision, index_a, order), text_at(provision, index_b, order)
        if (old is None and new is None) or old == new == "":
            continue
        if old is None:
            state, words = "added", WordDiff([("ins", new)] if new else [])
        elif new is None:
            state, words = "removed", WordDiff([("del", old)] if old else [])
        elif old == new:
            state, words = "same", WordDiff([("same", new)])
        else:
            state, words = "changed", word_diff(old, new, deadline=deadline)
        rows.append(ComparedProvision(provision, _row_label(provision), state, words))
    return rows


def _pick(versions: list[Version], value: str | None, default: int) -> tuple[int, bool]:
    """(index, understood) of the version named by a label or a TextVersion id."""
    if not value:
        return default, True
    for index, version in enumerate(versions):
        if version.key == value:
            return index, True
    # An id is a short run of ASCII digits ("²" is a digit to str.isdigit, not to int).
    if value.isascii() and value.isdigit() and len(value) <= 18:
        label = TextVersion.objects.filter(pk=int(value)).values_list("label", flat=True).first()
        for index, version in enumerate(versions):
            if version.key == label:
                return index, True
    return default, False


@public
@require_safe
@cache_public_page()  # only imports (and the admin) change it, and both retire every page
def article_versions(request, number: int):
    article = get_object_or_404(Article.objects.select_related("chapter", "treaty"), number=number)
    versions = text_versions(article.treaty)
    order = {version.key: index for index, version in enumerate(versions)}
    last = len(versions) - 1
    index_b, known_b = _pick(versions, request.GET.get("b"), last)
    index_a, known_a = _pick(versions, request.GET.get("a"), max(0, index_b - 1))
    provisions = article.provisions.order_by("position", "pk").prefetch_related("versions")
    rows = compare(provisions, index_a, index_b, order)
    counts = Counter(row.state for row in rows)
    context = {
        "article": article,
        "treaty": article.treaty,
        "versions": versions,
        "version_a": versions[index_a],
        "version_b": versions[index_b],
        "rows": rows,
        "counts": counts,
        "unknown_version": not (known_a and known_b),
    }
    return render(request, "provisions/versions.html", context)


# --- Orphans and fuzzy anchors -------------------------------------------------------------


def _prepare(annotations: list[Annotation]) -> None:
    """Give each annotation what its item shows: old quote and the provisions to choose from."""
    quotes = quotes_before_reanchoring(a.pk for a in annotations)
    article_ids = {a.provision.article_id for a in annotations}
    scope = Q(article_id__in=[pk for pk in article_ids if pk is not None])
    if None in article_ids:
        scope |= Q(article__isnull=True)
    # An imported note may be placed in any article (services.anchors.anchor_pick).
    anywhere = any(a.imported_from for a in annotations)
    choices: dict = {}
    everything = []
    if annotations:
        current = Provision.objects.current()
        for provision in (current if anywhere else current.filter(scope)).order_by("position"):
            choices.setdefault(provision.article_id, []).append(provision)
            everything.append(provision)
    deadline = deadline_in(PAGE_DIFF_SECONDS)  # one time box for the page's word diffs
    for annotation in annotations:
        annotation.quote_before = quotes.get(annotation.pk, "")
        # A fuzzy anchor shows what changed, old → new, for the editor who confirms it.
        annotation.quote_changes = (
            word_diff(annotation.quote_before, annotation.quote, deadline=deadline)
            if annotation.anchor_state == Annotation.Anchor.FUZZY
            and annotation.quote_before
            and annotation.quote
            and annotation.quote_before != annotation.quote
            else None
        )
        annotation.choices = (
            everything
            if annotation.imported_from
            else choices.get(annotation.provision.article_id, [])
        )
        annotation.pick_eid = getattr(annotation, "pick_eid", annotation.provision.eid)
        annotation.pick_exact = getattr(annotation, "pick_exact", "")


def _anchors_context(request, failed: Annotation | None = None) -> dict:
    queryset = unsettled_annotations(request.user).order_by("provision__position", "pk")
    annotations = list(queryset[:ANCHORS_LIMIT])
    if failed is not None:
        annotations = [failed if a.pk == failed.pk else a for a in annotations]
    _prepare(annotations)
    total = len(annotations)
    if total == ANCHORS_LIMIT:
        total = queryset.count()
    return {
        "annotations": annotations,
        "annotation_total": total,
        "links": list(links_to_review().order_by("provision__position", "pk")),
    }


@editor_required
@require_safe
def anchors(request):
    return render(request, "provisions/anchors.html", _anchors_context(request))


def _annotation_or_404(request, pk: int) -> Annotation:
    return get_object_or_404(unsettled_annotations(request.user), pk=pk)


def _settled(request, message: str, item_id: str):
    if request.htmx:
        context = {"item_id": item_id, "message": message}
        return render(request, "provisions/anchors.html#item_done", context)
    messages.success(request, message)
    return redirect(reverse("provisions:anchors"))


def _refused(request, annotation: Annotation, errors: list[str], **typed):
    annotation.errors = errors
    for name, value in typed.items():
        setattr(annotation, name, value)
    if request.htmx:
        _prepare([annotation])
        return render(
            request, "provisions/anchors.html#annotation_item", {"annotation": annotation}
        )
    return render(
        request, "provisions/anchors.html", _anchors_context(request, annotation), status=400
    )


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)


STALE_MESSAGE = gettext_lazy(
    "Someone changed this annotation meanwhile. Reload the page and try again."
)


@editor_required
@require_POST
@vary_on_headers("HX-Request")
def anchor_confirm_view(request, pk: int):
    annotation = _annotation_or_404(request, pk)
    try:
        anchor_confirm(
            annotation=annotation, editor=request.user, version=request.POST.get("version")
        )
    except EditConflict:
        return _refused(request, annotation, [str(STALE_MESSAGE)])
    except ValidationError as error:
        return _refused(request, annotation, _messages(error))
    return _settled(
        request,
        _("Anchor confirmed: annotation %(pk)s on %(citation)s.")
        % {"pk": annotation.pk, "citation": annotation.provision.citation},
        f"anchor-{annotation.pk}",
    )


@editor_required
@require_POST
@vary_on_headers("HX-Request")
def anchor_pick_view(request, pk: int):
    annotation = _annotation_or_404(request, pk)
    eid = request.POST.get("eid", "")
    exact = request.POST.get("exact", "")
    typed = {"pick_eid": eid, "pick_exact": exact}
    provision = None
    if len(eid) <= 100 and "\x00" not in eid:  # no eid is longer; PostgreSQL refuses NUL
        treaty_id = annotation.provision.treaty_id
        provision = Provision.objects.filter(treaty_id=treaty_id, eid=eid).first()
    if provision is None:
        return _refused(request, annotation, [_("Choose a provision.")], **typed)
    try:
        anchor_pick(
            annotation=annotation,
            editor=request.user,
            version=request.POST.get("version"),
            provision=provision,
            exact=exact,
        )
    except EditConflict:
        return _refused(request, annotation, [str(STALE_MESSAGE)], **typed)
    except ValidationError as error:
        return _refused(request, annotation, _messages(error), **typed)
    return _settled(
        request,
        _("Annotation %(pk)s is anchored to the chosen words in %(citation)s.")
        % {"pk": annotation.pk, "citation": provision.citation},
        f"anchor-{annotation.pk}",
    )


@editor_required
@require_POST
@vary_on_headers("HX-Request")
def anchor_link_confirm_view(request, pk: int):
    link = get_object_or_404(links_to_review(), pk=pk)
    try:
        link_anchor_confirm(link=link, editor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("provisions:anchors"))
    return _settled(
        request,
        _("Link confirmed on %(citation)s.") % {"citation": link.provision.citation},
        f"anchor-link-{link.pk}",
    )
