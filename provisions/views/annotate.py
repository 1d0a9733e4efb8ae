"""Analysts' writing views: annotate a provision, edit, delete, submit, reply, propose a link.

Each view parses a form, calls one service and shows the service's refusal next to the field,
keeping everything the person typed. The same view serves the full page and, for htmx, the
inline fragment (`template#partial`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from provisions.access import analyst_required
from provisions.diffing import word_diff
from provisions.forms import AnnotationForm, LinkProposalForm, ReplyForm
from provisions.models import Annotation, Article, Provision, Tag
from provisions.models.languages import html_language, is_rtl
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES
from provisions.rendering import render_markdown
from provisions.services import (
    EditConflict,
    annotation_create,
    annotation_delete,
    annotation_submit,
    annotation_update,
    link_propose,
)
from provisions.services.annotations import MAX_BODY_CHARS, quote_refusals, refuse_images
from provisions.services.language_text import language_text

SELECTION_FIELDS = ("quote", "prefix", "suffix", "start", "end")


def _article_provisions(article):
    """Provisions that can be annotated: those in the text as it stands now."""
    return article.provisions.current().order_by("position")


def _preview(body: str) -> dict:
    """The note rendered, where it was cut (None: whole) and what saving it would refuse (an
    image). Only as much as a note may hold is rendered: Markdown's cost grows with length, and
    saving the rest would be refused anyway."""
    cut = MAX_BODY_CHARS if len(body) > MAX_BODY_CHARS else None
    body = body[:MAX_BODY_CHARS]
    try:
        refuse_images(body)
    except ValidationError as error:
        problems = error.messages
    else:
        problems = []
    return {"preview_html": render_markdown(body), "preview_cut": cut, "preview_problems": problems}


def _template(request, page: str, partial: str) -> str:
    return f"{page}#{partial}" if request.htmx else page


def _note_language(request) -> str:
    """The language of the text the note is made on (?language=ar from the article page in
    Arabic); anything else is English, the provisions' own text."""
    asked = request.POST.get("language") or request.GET.get("language") or ENGLISH
    return asked if asked in dict(TEXT_LANGUAGES) else ENGLISH


def _words_in(choice: dict, language: str) -> dict:
    """The chosen provision's words in the note's language, or why there are none."""
    shown = choice["shown"]
    if shown is None or language == ENGLISH:
        return {}
    try:
        words, _source = language_text(shown, language)
    except ValidationError as error:
        return {"shown": None, "shown_refusal": " ".join(error.messages)}
    return {
        "shown_words": words,
        "shown_lang": html_language(language),
        "shown_rtl": is_rtl(language),
    }


def _provision_choice(form: AnnotationForm, article, eid: str) -> dict:
    """Offer the provisions open to new notes (`quote_refusal`), and show the one chosen as the
    reader sees it, above the field for the exact words; or say why it cannot be annotated."""
    provisions = list(_article_provisions(article))
    refusals = quote_refusals(provisions)
    offered = [p for p in provisions if p.pk not in refusals]
    form.offer(offered)
    chosen = next((p for p in provisions if p.eid == eid), None)
    refusal = refusals.get(chosen.pk, "") if chosen else ""
    if not form.is_bound and (chosen is None or refusal) and offered:
        # Asked for one that is not offered: the drop-down and the text shown agree on another.
        chosen = offered[0]
        form.initial["provision"] = chosen.eid
    return {
        "offered": offered,
        "shown": None if refusal else chosen,
        "shown_refusal": refusal or (next(iter(refusals.values()), "") if not offered else ""),
    }


def _posted_provision(number: int, eid: str | None) -> Provision | None:
    """The current provision of Article `number` that a sent form names, read with its article
    and chapter in one query (the write analysts make most then reads neither again), or None.
    """
    if not eid or "\x00" in eid:  # NUL: PostgreSQL refuses it; the form says what is wrong
        return None
    return (
        Provision.objects.current()
        .select_related("article__chapter")
        .filter(article__number=number, eid=eid)
        .first()
    )


@analyst_required
@vary_on_headers("HX-Request")
def annotate(request, number: int):
    posted = (
        _posted_provision(number, request.POST.get("provision"))
        if request.method == "POST"
        else None
    )
    article = posted.article if posted else None
    if article is None:
        article = get_object_or_404(Article.objects.select_related("chapter"), number=number)
    provisions = _article_provisions(article)
    preview = {}
    language = _note_language(request)
    # The provision asked for: the form's own field (also as ?provision=, which a form sent with
    # GET gives), or the article page's ?eid= link.
    eid = (
        request.POST.get("provision")
        or request.GET.get("provision")
        or request.GET.get("eid")
        or article.eid
    )
    # Inline forms (one per provision on the article page) need ids of their own.
    auto_id = f"{slugify(eid)}-%s" if request.htmx else "id_%s"
    # The form opened in a provision's slot on the article page (and sent from there again):
    # that provision's text is just above it, so the form does not repeat it.
    inline = request.htmx and (
        request.headers.get("HX-Target", "").startswith("annotate-slot-")
        or request.POST.get("inline") == "1"
    )
    if request.method == "POST":
        form = AnnotationForm(
            request.POST, provisions=provisions, known_provision=posted, auto_id=auto_id
        )
        action = request.POST.get("action")
        if action == "preview":
            # The no-JavaScript preview: the same form again, with the rendered note above it.
            preview = _preview(request.POST.get("body", ""))
        elif action == "show":
            pass  # No JavaScript: the same form again, with the chosen provision's text.
        elif form.is_valid():
            status = "submitted" if request.POST.get("action") == "submit" else "draft"
            try:
                annotation = annotation_create(
                    provision=form.cleaned_data["provision"],
                    author=request.user,
                    body=form.cleaned_data["body"],
                    selectors=form.selectors(),
                    concerns=form.cleaned_data["concerns"],
                    demands=form.cleaned_data["demands"],
                    tags=form.tag_names(),
                    status=status,
                    language=language,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                text = (
                    _("Submitted for review. An editor will publish it.")
                    if status == "submitted"
                    else _("Draft saved. Only you can see it until you submit it.")
                )
                if request.htmx:
                    response = render(
                        request,
                        "provisions/annotate.html#saved",
                        {"annotation": annotation, "message": text, "article": article},
                    )
                    # The article page listens for this and reloads its annotations.
                    response["HX-Trigger"] = "annotation-saved"
                    return response
                messages.success(request, text)
                return redirect(f"{article.get_absolute_url()}#annotation-{annotation.pk}")
    else:
        initial = {key: request.GET.get(key) for key in SELECTION_FIELDS if request.GET.get(key)}
        initial["provision"] = eid
        form = AnnotationForm(initial=initial, provisions=provisions, auto_id=auto_id)
    context = {
        "article": article,
        "form": form,
        "tags": Tag.objects.visible_to(request.user)[:200],
        "inline": inline,
        "note_language": language,
        **preview,
    }
    choice = _provision_choice(form, article, eid)
    context |= choice | _words_in(choice, language)
    return render(request, _template(request, "provisions/annotate.html", "form"), context)


def _editable(request, pk: int) -> Annotation:
    annotation = get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("provision__article", "author"),
        pk=pk,
    )
    refusal = annotation.edit_refusal(request.user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return annotation


def _form_for(annotation: Annotation, data=None) -> AnnotationForm:
    provisions = annotation.provision.article.provisions.filter(pk=annotation.provision_id)
    if data is not None:
        return AnnotationForm(data, provisions=provisions)
    quote = annotation.selector("TextQuoteSelector") or {}
    position = annotation.selector("TextPositionSelector") or {}
    initial = {
        "provision": annotation.provision.eid,
        "quote": quote.get("exact", ""),
        "prefix": quote.get("prefix", ""),
        "suffix": quote.get("suffix", ""),
        "start": position.get("start"),
        "end": position.get("end"),
        "body": annotation.body,
        "concerns": list(annotation.concerns.all()),
        "demands": list(annotation.demands.all()),
        "tags": ", ".join(annotation.tags.values_list("name", flat=True)),
        "version": annotation.version,
    }
    return AnnotationForm(initial=initial, provisions=provisions)


@analyst_required
def annotation_edit(request, pk: int):
    annotation = _editable(request, pk)
    if request.method != "POST":
        form = _form_for(annotation)
        return _edit_page(request, annotation, form)
    form = _form_for(annotation, request.POST)
    if form.is_valid():
        try:
            updated = annotation_update(
                annotation=annotation,
                user=request.user,
                version=form.cleaned_data.get("version"),
                body=form.cleaned_data["body"],
                selectors=form.selectors(),
                concerns=form.cleaned_data["concerns"],
                demands=form.cleaned_data["demands"],
                tags=form.tag_names(),
            )
        except EditConflict as conflict:
            return _conflict(request, conflict, form)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved (version %(v)s).") % {"v": updated.version})
            return redirect(updated.get_absolute_url())
    return _edit_page(request, annotation, form)


def _edit_page(request, annotation: Annotation, form: AnnotationForm):
    context = {"annotation": annotation, "form": form, "shown": annotation.provision}
    return render(request, "provisions/annotation_edit.html", context)


def _conflict(request, conflict: EditConflict, form: AnnotationForm):
    """Someone saved a newer version: show both side by side; the person chooses."""
    current = conflict.current
    data = request.POST.copy()
    # Saving "mine" from here overwrites the version the person has now seen.
    data["version"] = current.version
    mine = _form_for(current, data)
    mine.is_valid()
    context = {
        "annotation": current,
        "form": mine,
        "mine_body_html": render_markdown(form.cleaned_data.get("body", "")),
        "body_diff": word_diff(current.body, form.cleaned_data.get("body", "")),
    }
    return render(request, "provisions/annotation_conflict.html", context, status=409)


@analyst_required
def annotation_delete_view(request, pk: int):
    annotation = get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("provision__article"), pk=pk
    )
    refusal = annotation.delete_refusal(request.user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if request.method == "POST":
        article_url = annotation.provision.article.get_absolute_url()
        annotation_delete(annotation=annotation, user=request.user)
        messages.success(request, _("Draft deleted."))
        if request.htmx:
            return HttpResponse("")
        if request.POST.get("next") == "workspace":
            return redirect("provisions:workspace")
        return redirect(article_url)
    return render(request, "provisions/annotation_delete.html", {"annotation": annotation})


@analyst_required
@require_POST
def annotation_submit_view(request, pk: int):
    annotation = get_object_or_404(Annotation.objects.visible_to(request.user), pk=pk)
    try:
        annotation_submit(annotation=annotation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Submitted for review."))
    return redirect(annotation.get_absolute_url())


@analyst_required
@require_POST
def annotation_reply(request, pk: int):
    parent = get_object_or_404(Annotation.objects.visible_to(request.user), pk=pk)
    form = ReplyForm(request.POST)
    form.is_valid()
    try:
        reply = annotation_create(
            provision=parent.provision,
            author=request.user,
            body=form.cleaned_data.get("body", ""),
            in_reply_to=parent,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        # Keep what was typed: back to the thread with the text in the form.
        root_pk = parent.in_reply_to_id or parent.pk
        request.session["reply_draft"] = {"parent": root_pk, "body": form.data.get("body", "")}
        return redirect(f"{parent.get_absolute_url()}#reply")
    messages.success(request, _("Reply posted."))
    return redirect(f"{reply.in_reply_to.get_absolute_url()}#annotation-{reply.pk}")


@analyst_required
@require_POST
def preview(request):
    """Markdown preview for the annotation form (htmx)."""
    return render(
        request, "provisions/annotate.html#preview", _preview(request.POST.get("body", ""))
    )


@analyst_required
@require_GET
def tag_suggestions(request):
    """<option>s for the tags <datalist>: complete the last comma-separated term."""
    # NUL: PostgreSQL refuses it in a query (a server error); no tag holds one.
    typed = request.GET.get("tags", "").replace("\x00", "")[:600]
    head, _sep, last = typed.rpartition(",")
    last = last.strip()
    tags = Tag.objects.visible_to(request.user)
    tags = tags.filter(name__icontains=last)[:10] if last else tags[:10]
    prefix = f"{head.strip()}, " if head.strip() else ""
    options = [f"{prefix}{tag.name}" for tag in tags]
    return render(request, "provisions/annotate.html#tag_options", {"options": options})


@analyst_required
def propose_link(request, number: int):
    article = get_object_or_404(Article.objects.select_related("chapter"), number=number)
    provisions = _article_provisions(article)
    if request.method == "POST":
        form = LinkProposalForm(request.POST, provisions=provisions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                link_propose(
                    provision=data["provision"],
                    proposer=request.user,
                    concern=data["concern"],
                    demand=data["demand"],
                    kind=data["kind"],
                    rationale=data["rationale"],
                    sources=data["sources"].split(),
                    confidence=data["confidence"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Link proposed. An editor will review it."))
                return redirect(article.get_absolute_url())
    else:
        form = LinkProposalForm(
            initial={"provision": request.GET.get("eid") or article.eid}, provisions=provisions
        )
    return render(request, "provisions/propose_link.html", {"article": article, "form": form})
