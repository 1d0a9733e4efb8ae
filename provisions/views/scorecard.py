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
from provisions.country_names import sort_key
from provisions.forms import CommitmentForm
from provisions.models import Commitment
from provisions.queries.translations import with_translations
from provisions.services import history
from provisions.services.commitments import (
    EDITABLE_FIELDS,
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
    rows.sort(
        key=lambda row: (
            Standing.ORDER.index(row.status.standing),
            sort_key(row.status.party.display_name),
        )
    )
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
    return get_object_or_404(
        with_translations(Commitment.objects.visible_to(request.user).for_display(), "demand"),
        pk=pk,
    )


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


def _evidence(data: dict) -> dict:
    """What the form says about the commitment itself (party and demand aside)."""
    return {name: data[name] for name in EDITABLE_FIELDS}


def _form_page(request, form: CommitmentForm, save, editing: Commitment | None):
    """The propose/edit page: a valid POST is saved through `save(cleaned_data)` and goes to
    the commitment; otherwise the form again, with the service's refusals by their fields."""
    if request.method == "POST" and form.is_valid():
        try:
            commitment = save(form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect(commitment)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "editing": editing}
    return render(request, "provisions/commitment_form.html", context, status=status)


@analyst_required
@require_http_methods(["GET", "POST"])
def commitment_propose(request):
    initial = {key: request.GET[key] for key in ("party", "demand") if key in request.GET}
    form = CommitmentForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: commitment_create(
            party=data["party"],
            demand=data["demand"],
            author=request.user,
            submit=request.POST.get("intent") == "submit",
            **_evidence(data),
        ),
        editing=None,
    )


@analyst_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk: int):
    commitment = _visible(request, pk)
    initial = {
        "party": commitment.party.code,
        "demand": commitment.demand.slug,
        "version": commitment.version,
        **{name: getattr(commitment, name) for name in EDITABLE_FIELDS},
    }
    form = CommitmentForm(request.POST or None, initial=initial)
    # Party and demand are what the commitment is about: they are not edited.
    form.fields["party"].disabled = form.fields["demand"].disabled = True
    return _form_page(
        request,
        form,
        lambda data: commitment_update(
            commitment=commitment, user=request.user, version=data["version"], **_evidence(data)
        ),
        editing=commitment,
    )


def _act(request, pk: int, service, success: str, **arguments):
    """A workflow step on a visible commitment (`service(commitment=…, **arguments)`), then
    back to it with the outcome as a message."""
    commitment = _visible(request, pk)
    try:
        service(commitment=commitment, **arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(commitment)


@analyst_required
@require_POST
def commitment_submit_view(request, pk: int):
    return _act(request, pk, commitment_submit, _("Submitted for review."), user=request.user)


@editor_required
@require_POST
def commitment_publish_view(request, pk: int):
    success = _("Published: the scorecard shows it now.")
    return _act(request, pk, commitment_publish, success, editor=request.user)


@editor_required
@require_POST
def commitment_reject_view(request, pk: int):
    return _act(
        request,
        pk,
        commitment_reject,
        _("Rejected; the author sees your reason."),
        editor=request.user,
        reason=request.POST.get("reason", ""),
    )


@editor_required
@require_safe
def commitment_queue(request):
    """The commitments waiting for an editor."""
    waiting = with_translations(
        Commitment.objects.visible_to(request.user)
        .filter(status=Commitment.Status.SUBMITTED)
        .for_display()
        .order_by("submitted_at", "pk"),
        "demand",
    )
    return render(request, "provisions/commitment_queue.html", {"waiting": waiting})
