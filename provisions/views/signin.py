"""Signing in: the password, then (for members with two-factor sign-in) a code, and the
lockout page django-axes shows after repeated failures.

A member with an authenticator is not signed in after the password: the session only remembers
who is half-way (for a few minutes), and `login()` happens once the code is right. So nothing,
not even a reader's page, ever runs as that member on the password alone.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from provisions.access import public, safe_next, with_next
from provisions.services import two_factor
from provisions.sign_in import PENDING_KEY, CodeForm, lockout_response
from provisions.signals import SECOND_FACTOR_STEP

# How long the password step stays good while the member finds their phone.
PENDING_SECONDS = 5 * 60


class SignInView(LoginView):
    """Django's sign-in page; members with two-factor sign-in go on to the code page."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_second_factor(user):
            return super().form_valid(form)
        # A new session key, so that a session planted before the password step is useless.
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "since": timezone.now().timestamp(),
        }
        return redirect(with_next(reverse("provisions:two_factor_verify"), self.get_redirect_url()))


sign_in = public(SignInView.as_view())


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    age = timezone.now().timestamp() - float(pending.get("since", 0))
    if (
        not 0 <= age <= PENDING_SECONDS
        or pending.get("backend") not in settings.AUTHENTICATION_BACKENDS
    ):
        del request.session[PENDING_KEY]
        return None, None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        del request.session[PENDING_KEY]
    return user, pending.get("backend")


@public
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step: a code from the authenticator app, or a recovery code.

    Also serves a signed-in member whose session has not passed the second factor yet.
    """
    next_url = safe_next(request)
    user, backend = _pending_user(request)
    step_up = False
    if user is None:
        current = request.user
        if not current.is_authenticated:
            # Nobody half-way through signing in (or it took too long): start again.
            login_url = with_next(resolve_url(settings.LOGIN_URL), next_url)
            return render(
                request,
                "registration/two_factor_verify.html",
                {
                    "expired": True,
                    "login_url": login_url,
                    "minutes": PENDING_SECONDS // 60,
                },
            )
        if current.is_verified() or not two_factor.has_second_factor(current):
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        user, step_up = current, True

    credentials = {"username": user.get_username(), "step": SECOND_FACTOR_STEP}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return lockout_response(request, None, credentials)

    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            if device is not None:
                return _finish(request, user, backend, device, step_up, next_url)
            form.add_error(
                "code",
                _("That code did not work. Type the newest code from your app or a recovery code."),
            )
            # Counted by django-axes like a wrong password, and written to the audit log.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": next_url, "step_up": step_up},
    )


def _finish(request, user, backend, device, step_up: bool, next_url: str):
    if step_up:
        # More power for this session: a new key, so that an earlier copy of it gains none.
        request.session.cycle_key()
        otp_login(request, device)
        two_factor.second_factor_passed(user=user, request=request)
    else:
        request.session.pop(PENDING_KEY, None)
        # django-otp marks the session verified when login() sees `otp_device`.
        user.otp_device = device
        auth_login(request, user, backend=backend)
        otp_login(request, device)
    if device._meta.model_name == "staticdevice":
        left = two_factor.recovery_codes_left(user)
        messages.warning(
            request,
            ngettext(
                "You used a recovery code; %(n)s is left. If you lost your phone, replace your "
                "authenticator now.",
                "You used a recovery code; %(n)s are left. If you lost your phone, replace your "
                "authenticator now.",
                left,
            )
            % {"n": left},
        )
        return redirect(with_next(reverse("provisions:two_factor"), next_url))
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
