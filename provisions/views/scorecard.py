"""The scorecard: each party against the coalition's six safeguard demands (/scorecard/), and the
commitments behind it, which analysts propose and editors publish (the annotations' workflow)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from provisions import roles
from provisions.access import analyst_required, editor_required, public
from provisions.cache.serving import cache_public_page
from provisions.forms import CommitmentForm
from provisions.models import Commitment
from provisions.services import history
from provisions.services.commitments import (
    commitment_create,
    commitment_publish,
    commitment_reject,
    commitment_submit,
    commitment_update,
)
from provisions.treaty_status import CACHE_SCOPE, Standing, all_statuses, scorecard


@public
@require_safe
@cache_public_page(CACHE_SCOPE)
def scorecard_page(request):
    demands, rows = scorecard(all_statuses())
    # Parties first, then signatories: the States campaigners address now.
    rows.sort(key=lambda row: (Standing.ORDER.index(row.status.standing), row.status.party.name))
    context = {
        "demands": demands,
        "rows": rows,
        "levels": Commitment.Level.choices,
        "ratified_without": [
            r for r in rows if r.status.standing == Standing.PARTY and not r.commits_to_something
        ],
        "signed_without": [
            r for r in rows if r.status.standing == Standing.SIGNED and not r.commits_to_something
        ],
    }
    return render(request, "provisions/scorecard.html", context)


def _visible(request, pk: int) -> Commitment:
    return get_object_or_404(Commitment.objects.visible_to(request.user).for_display(), pk=pk)


@public
@require_safe
def commitment_detail(request, pk: int):
    commitment = _visible(request, pk)
    user = request.user
    context = {
        "commitment": commitment,
        "revisions": history.history_of(commitment, user=user),
        "is_author": commitment.author_id == user.pk,
        "can_review": roles.is_editor(user),
    }
    return render(request, "provisions/commitment.html", context)


@analyst_required
@require_http_methods(["GET", "POST"])
def commitment_propose(request):
    initial = {key: request.GET[key] for key in ("party", "demand") if key in request.GET}
    form = CommitmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = commitment_create(
                party=data["party"],
                demand=data["demand"],
                author=request.user,
                level=data["level"],
                evidence_url=data["evidence_url"],
                quote=data["quote"],
                evidence_date=data["evidence_date"],
                submit=request.POST.get("intent") == "submit",
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect(commitment)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "provisions/commitment_form.html", {"form": form, "editing": None}, status=status
    )


@analyst_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk: int):
    commitment = _visible(request, pk)
    initial = {
        "party": commitment.party.code,
        "demand": commitment.demand.slug,
        "level": commitment.level,
        "evidence_url": commitment.evidence_url,
        "quote": commitment.quote,
        "evidence_date": commitment.evidence_date,
        "version": commitment.version,
    }
    form = CommitmentForm(request.POST or None, initial=initial)
    # Party and demand are what the commitment is about: they are not edited.
    form.fields["party"].disabled = form.fields["demand"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = commitment_update(
                commitment=commitment,
                user=request.user,
                version=data["version"],
                level=data["level"],
                evidence_url=data["evidence_url"],
                quote=data["quote"],
                evidence_date=data["evidence_date"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect(commitment)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "editing": commitment}
    return render(request, "provisions/commitment_form.html", context, status=status)


def _act(request, pk: int, action, success: str):
    commitment = _visible(request, pk)
    try:
        action(commitment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(commitment)


@analyst_required
@require_POST
def commitment_submit_view(request, pk: int):
    return _act(
        request,
        pk,
        lambda c: commitment_submit(commitment=c, user=request.user),
        _("Submitted for review."),
    )


@editor_required
@require_POST
def commitment_publish_view(request, pk: int):
    return _act(
        request,
        pk,
        lambda c: commitment_publish(commitment=c, editor=request.user),
        _("Published: the scorecard shows it now."),
    )


@editor_required
@require_POST
def commitment_reject_view(request, pk: int):
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda c: commitment_reject(commitment=c, editor=request.user, reason=reason),
        _("Rejected; the author sees your reason."),
    )


@editor_required
@require_safe
def commitment_queue(request):
    """The commitments waiting for an editor."""
    waiting = (
        Commitment.objects.visible_to(request.user)
        .filter(status=Commitment.Status.SUBMITTED)
        .for_display()
        .order_by("submitted_at", "pk")
    )
    return render(request, "provisions/commitment_queue.html", {"waiting": waiting})
