"""Enrolling a first authenticator with a one-time enrolment link (services/enrolment.py).

The link (`/accounts/enrol/<token>/`) only puts its token in the session and moves on to
`/accounts/enrol/`, so the token does not stay in the address bar, the browser's history or a
Referer. That page needs the member signed in with their password (anonymous visitors go to the
sign-in page and come back), and then works like the ordinary set-up page: QR code, secret,
confirm with a code. The link is spent once the code is right; recovery codes follow.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login

from provisions import roles
from provisions.access import member_required, public, with_next
from provisions.services import two_factor
from provisions.services.enrolment import (
    LINK_HOURS,
    MAX_TOKEN_CHARS,
    EnrolmentRefused,
    enrolment_complete,
    enrolment_link_usable,
    enrolment_refused,
)
from provisions.sign_in import NEW_CODES_KEY, SetUpCodeForm, setup_context

LINK_SESSION_KEY = "treatywatch_enrolment_token"
SETUP_KEY = "treatywatch_enrolment_setup_key"


@public
@never_cache
@require_safe
@sensitive_variables("token")
def enrol_start(request, token):
    """Remember the link's token and continue at an address without it.

    It answers the same for any token, right or wrong: whether a link is good is told only to
    the member it was made for, once signed in."""
    if len(token) <= MAX_TOKEN_CHARS:
        request.session[LINK_SESSION_KEY] = token
    return redirect("provisions:enrol")


def _refused(request):
    request.session.pop(LINK_SESSION_KEY, None)
    request.session.pop(SETUP_KEY, None)
    return render(request, "registration/enrolment_refused.html", {"hours": LINK_HOURS}, status=403)


@member_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    token = request.session.get(LINK_SESSION_KEY)
    if two_factor.has_second_factor(user):
        request.session.pop(LINK_SESSION_KEY, None)
        messages.info(request, _("You already have two-factor sign-in."))
        return redirect("provisions:two_factor")
    if token is None:
        # Nothing presented (the page was opened directly): say where links come from.
        return render(
            request, "registration/enrolment_refused.html", {"hours": LINK_HOURS, "missing": True}
        )
    if not enrolment_link_usable(token=token, user=user):
        enrolment_refused(user=user, request=request)
        return _refused(request)

    key = request.session.get(SETUP_KEY)
    if not isinstance(key, str) or request.method == "GET" and "restart" in request.GET:
        key = request.session[SETUP_KEY] = two_factor.new_secret()
    form = SetUpCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device, codes = enrolment_complete(
                token=token, user=user, key=key, code=form.cleaned_data["code"], request=request
            )
        except EnrolmentRefused:
            return _refused(request)
        except ValidationError as error:
            form.add_error("code", error.message_dict.get("code", error.messages))
        else:
            request.session.pop(LINK_SESSION_KEY, None)
            request.session.pop(SETUP_KEY, None)
            request.session.cycle_key()  # the session gains power: a new key
            otp_login(request, device)
            request.session[NEW_CODES_KEY] = codes
            onward = reverse(
                "provisions:review" if roles.has_editor_account(user) else "provisions:workspace"
            )
            return redirect(with_next(reverse("provisions:two_factor_recovery_codes"), onward))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "form_action": reverse("provisions:enrol"),
            "enrolling": True,
            **setup_context(user, key),
        },
    )
