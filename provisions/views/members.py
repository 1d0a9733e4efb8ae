"""The members page for editors (/review/members/): who is in the team, in which role, with or
without two-factor sign-in; create a member, change a role, deactivate an account, make an
enrolment link. Every change goes through provisions/services/members.py or
provisions/services/enrolment.py, which write the audit log.

E-mail addresses are shown here because only verified editors open this page; no public page
shows them. One-time passwords and enrolment links are shown once, in the answer to the POST that
made them (never stored readable, never cached), as the tokens page does.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from provisions import roles
from provisions.access import editor_required
from provisions.forms import ServiceErrorsForm
from provisions.queries.members import members_listing
from provisions.services.enrolment import enrolment_link_create, enrolment_path
from provisions.services.members import (
    member_create,
    member_deactivate,
    member_set_role,
)

ROLE_CHOICES = [("analyst", gettext_lazy("Analyst")), ("editor", gettext_lazy("Editor"))]


class MemberCreateForm(ServiceErrorsForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    display_name = forms.CharField(
        label=gettext_lazy("Public name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Shown beside their work (never their username or e-mail); they can change it."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


def _rows(viewer):
    rows = list(members_listing())
    for user in rows:
        names = {group.name for group in user.groups.all()}
        user.role = (
            "editor" if roles.EDITORS in names else "analyst" if roles.ANALYSTS in names else ""
        )
        user.is_viewer = user.pk == viewer.pk
    return rows


def _page(request, *, form=None, created=None, enrolment=None, status=200):
    context = {
        "members": _rows(request.user),
        "form": form or MemberCreateForm(),
        "created": created,
        "enrolment": enrolment,
        "role_choices": ROLE_CHOICES,
        "nav": "review",
    }
    return render(request, "provisions/members.html", context, status=status)


def _enrolment_shown(request, user, raw: str) -> dict:
    return {"user": user, "url": request.build_absolute_uri(enrolment_path(raw))}


@editor_required
@never_cache
@require_http_methods(["GET", "POST"])
def members(request):
    """GET lists the members; POST creates one and shows their one-time password once."""
    if request.method != "POST":
        return _page(request)
    form = MemberCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        user, password = member_create(**form.cleaned_data, actor=request.user, request=request)
    except ValidationError as error:
        form.add_service_errors(error)
        return _page(request, form=form, status=400)
    enrolment = None
    if roles.has_editor_account(user):
        _link, raw = enrolment_link_create(user=user, actor=request.user, request=request)
        enrolment = _enrolment_shown(request, user, raw)
    return _page(request, created={"user": user, "password": password}, enrolment=enrolment)


def _member(pk: int):
    return get_object_or_404(get_user_model(), pk=pk)


@editor_required
@require_POST
def member_role(request, pk: int):
    user = _member(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose analyst or editor."))
        return redirect("provisions:members")
    try:
        member_set_role(
            user=user, role=form.cleaned_data["role"], actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": user.get_username(), "role": dict(ROLE_CHOICES)[form.cleaned_data["role"]]},
        )
    return redirect("provisions:members")


@editor_required
@require_POST
def member_deactivate_view(request, pk: int):
    user = _member(pk)
    try:
        member_deactivate(user=user, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is deactivated.") % {"name": user.get_username()})
    return redirect("provisions:members")


@editor_required
@never_cache
@require_POST
def member_enrolment_link(request, pk: int):
    """Make an enrolment link for a member without an authenticator; shown once, here."""
    user = _member(pk)
    try:
        _link, raw = enrolment_link_create(user=user, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("provisions:members")
    return _page(request, enrolment=_enrolment_shown(request, user, raw))
