"""Confirming it is really you before a change that outlives the session.

Creating an API token, replacing the authenticator and making new recovery codes ask for the
password again — and a current code from a member who has a second factor (every editor) —
unless the session did so in the last few minutes (provisions/confirmation.py). So a session
left open on a shared computer, or a stolen session cookie, cannot turn itself into a token or
a new authenticator. Wrong passwords and codes count towards the sign-in lockout like at
sign-in.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from provisions import roles
from provisions.access import member_required, safe_next, second_factor_response
from provisions.confirmation import CONFIRMED_KEY, confirm_seconds, needs_code
from provisions.services import two_factor
from provisions.sign_in import CodeForm, lockout_response
from provisions.signals import SECOND_FACTOR_STEP

# What failed attempts on this page say about themselves in the audit log.
DURING = "confirmation"


class ConfirmForm(CodeForm):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["password", "code"]

    def __init__(self, *args, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)
        if not with_code:
            del self.fields["code"]


@member_required
@never_cache
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def confirm(request):
    """The password again (and a code), then back to where the member was going."""
    user = request.user
    next_url = safe_next(request)
    if roles.second_factor_missing(user):
        # An editor account must pass the second factor before it can confirm anything.
        return second_factor_response(request)
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return lockout_response(request, None, credentials)

    with_code = needs_code(user)
    form = ConfirmForm(request.POST if request.method == "POST" else None, with_code=with_code)
    if form.is_valid() and _check(request, form, with_code):
        # The session gains power: a new key, so that an earlier copy of the cookie gains none.
        request.session.cycle_key()
        request.session[CONFIRMED_KEY] = time.time()
        two_factor.session_confirmed(user=user, request=request)
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "registration/confirm.html",
        {
            "form": form,
            "next": next_url,
            "with_code": with_code,
            "minutes": max(1, confirm_seconds() // 60),
        },
        status=400 if form.is_bound else 200,
    )


def _check(request, form, with_code: bool) -> bool:
    """The password through Django's authenticate() (django-axes counts a wrong one), then the
    code; errors go on the form."""
    user = request.user
    checked = authenticate(
        request,
        username=user.get_username(),
        password=form.cleaned_data["password"],
        during=DURING,
    )
    if checked is None or checked.pk != user.pk:
        form.add_error("password", _("That is not your password."))
        return False
    if not with_code:
        return True
    try:
        device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
    except ValidationError as error:
        form.add_error("code", error)
        return False
    if device is None:
        form.add_error(
            "code",
            _("That code did not work. Type the newest code from your app or a recovery code."),
        )
        user_login_failed.send(
            sender=__name__,
            credentials={
                "username": user.get_username(),
                "step": SECOND_FACTOR_STEP,
                "during": DURING,
            },
            request=request,
        )
        return False
    return True
