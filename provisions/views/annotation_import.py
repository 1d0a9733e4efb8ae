"""Editors import annotations made elsewhere (/review/import/): upload, read the preview (which
writes nothing), confirm. The reading, placing and writing are provisions.services.
annotation_import's; this view only carries the file between the two steps."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from provisions.access import editor_required
from provisions.importing.annotation_notes import MAX_UPLOAD_BYTES, AnnotationFileRefused
from provisions.services.annotation_import import annotation_import, annotation_import_plan

TEMPLATE = "provisions/annotation_import.html"
# The preview lists this many placed notes; orphans and refusals are always listed in full.
PREVIEW_PLACED = 50
MAX_SOURCE_URL_CHARS = 2000


def _refused(request, context: dict, message: str):
    context["error"] = message
    return render(request, TEMPLATE, context, status=400)


@editor_required
@require_http_methods(["GET", "POST"])
def annotation_import_page(request):
    context = {"max_kb": MAX_UPLOAD_BYTES // 1024}
    if request.method == "GET":
        return render(request, TEMPLATE, context)
    source_url = request.POST.get("source_url", "").strip()
    context["source_url"] = source_url
    if len(source_url) > MAX_SOURCE_URL_CHARS or (
        source_url and not source_url.startswith(("http://", "https://"))
    ):
        return _refused(request, context, _("The source address must be a web address."))
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            return _refused(
                request, context, _("The file is larger than %(n)s KB.") % {"n": context["max_kb"]}
            )
        raw = upload.read()
    else:
        raw = request.POST.get("file_text", "").encode()
    confirm = request.POST.get("confirm") == "import"
    try:
        plan = annotation_import_plan(
            raw=raw, source_urls=[source_url] if source_url else [], limit=MAX_UPLOAD_BYTES
        )
        if confirm:
            result = annotation_import(plan=plan, importer=request.user, request=request)
    except AnnotationFileRefused as refusal:
        return _refused(request, context, _("Nothing was changed. %(why)s") % {"why": refusal})
    except PermissionDenied as refusal:
        return _refused(request, context, str(refusal))
    if confirm:
        messages.success(
            request,
            ngettext(
                "%(n)s note imported as your draft.",
                "%(n)s notes imported as your drafts.",
                len(result.created),
            )
            % {"n": len(result.created)}
            + (
                " " + _("Those that could not be placed wait under Orphans and fuzzy anchors.")
                if plan.orphan_count
                else ""
            ),
        )
        return redirect("provisions:anchors" if plan.orphan_count else "provisions:workspace")
    placed = [p for p in plan.to_import if not p.is_orphan]
    context |= {
        "plan": plan,
        "file_text": raw.decode("utf-8-sig"),
        "orphans": [p for p in plan.to_import if p.is_orphan],
        "placed": placed[:PREVIEW_PLACED],
        "placed_more": max(0, len(placed) - PREVIEW_PLACED),
        "refused": [p for p in plan.notes if p.refused],
        "changed": [p for p in plan.to_import if p.note.remarks],
    }
    return render(request, TEMPLATE, context)
