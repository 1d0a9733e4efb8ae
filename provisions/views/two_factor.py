"""Setting up two-factor sign-in, replacing the authenticator, and the recovery codes.

Editors must set it up before any editor page opens (provisions/access.py sends them
here); analysts are offered it from their workspace. The QR code is an inline SVG made on the
server, and the secret is shown as text for typing in by hand: nothing leaves the site.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from provisions.access import member_required, safe_next, second_factor_url, with_next
from provisions.confirmation import confirmation_needed
from provisions.services import two_factor
from provisions.sign_in import NEW_CODES_KEY, SetUpCodeForm, setup_context, two_factor_facts

SETUP_KEY = "treatywatch_2fa_setup_key"


@member_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_page(request):
    """Set-up (QR code, secret, confirm with a code) or, once on, its status and options."""
    user = request.user
    next_url = safe_next(request)
    enabled = two_factor.has_second_factor(user)
    if two_factor.needs_enrolment_link(user):
        # Whoever knows an editor's password must not choose the second factor (issue 11 §1):
        # the first authenticator comes through an enrolment link (views/enrolment.py).
        from provisions.services.enrolment import LINK_HOURS

        return render(
            request, "registration/enrolment_needed.html", {"hours": LINK_HOURS}, status=403
        )
    if enabled and not user.is_verified():
        # Changing the second factor needs the second factor.
        return redirect(second_factor_url(user, request.get_full_path()))
    replacing = enabled and "replace" in (request.POST if request.method == "POST" else request.GET)
    if replacing:
        # A new authenticator outlives this session: the password and a code again first.
        query = {"replace": "1", **({"next": next_url} if next_url else {})}
        refused = confirmation_needed(
            request, f"{reverse('provisions:two_factor')}?{urlencode(query)}"
        )
        if refused is not None:
            return refused
    if enabled and not replacing:
        if request.method == "POST":
            return redirect(with_next(reverse("provisions:two_factor"), next_url))
        return render(
            request,
            "registration/two_factor_status.html",
            {
                "codes_left": two_factor.recovery_codes_left(user),
                "has_authenticator": two_factor.authenticator_of(user) is not None,
                "next": next_url,
                **two_factor_facts(),
            },
        )

    key = request.session.get(SETUP_KEY)
    if not isinstance(key, str) or request.method == "GET" and "restart" in request.GET:
        key = request.session[SETUP_KEY] = two_factor.new_secret()
    form = SetUpCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device, codes, _replaced = two_factor.two_factor_set_up(
                user=user, key=key, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form.add_error("code", error.message_dict.get("code", error.messages))
        else:
            request.session.pop(SETUP_KEY, None)
            request.session.cycle_key()  # the session gains power: a new key
            otp_login(request, device)
            if codes:
                request.session[NEW_CODES_KEY] = codes
                return redirect(
                    with_next(reverse("provisions:two_factor_recovery_codes"), next_url)
                )
            messages.success(request, _("Your new authenticator is set up."))
            return redirect(with_next(reverse("provisions:two_factor"), next_url))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "replacing": replacing,
            # A replacement keeps the recovery codes left (new ones come only when none are);
            # a first set-up has none.
            "codes_left": two_factor.recovery_codes_left(user) if replacing else 0,
            **setup_context(user, key),
        },
    )


@member_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """GET shows freshly made recovery codes, once; POST makes ten new ones."""
    user = request.user
    next_url = safe_next(request)
    if request.method == "POST":
        if not two_factor.has_second_factor(user):
            return redirect(with_next(reverse("provisions:two_factor"), next_url))
        if not user.is_verified():
            return redirect(second_factor_url(user, reverse("provisions:two_factor")))
        # Back to the page with the button once confirmed: a POST cannot be replayed.
        refused = confirmation_needed(
            request, with_next(reverse("provisions:two_factor"), next_url)
        )
        if refused is not None:
            return refused
        request.session[NEW_CODES_KEY] = two_factor.recovery_codes_renew(user=user, request=request)
        return redirect(with_next(reverse("provisions:two_factor_recovery_codes"), next_url))
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. If you lost yours, make new ones below."),
        )
        return redirect(with_next(reverse("provisions:two_factor"), next_url))
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": [two_factor.format_recovery_code(code) for code in codes], "next": next_url},
    )
