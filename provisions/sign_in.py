"""What the sign-in, confirmation, enrolment and two-factor pages share: the code form, the
session keys they pass each other, the set-up page's QR code and secret, and the page django-axes
shows after repeated failures (AXES_LOCKOUT_CALLABLE)."""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from provisions import roles
from provisions.services import two_factor

# Who is half-way through signing in (password given, code not yet): views/signin.py.
PENDING_KEY = "treatywatch_2fa_pending"
# Recovery codes just made, shown once on the next page.
NEW_CODES_KEY = "treatywatch_2fa_new_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class SetUpCodeForm(CodeForm):
    """The code that confirms a new authenticator: only the app's (a recovery code proves
    nothing about the new app, and two_factor_enable refuses one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = gettext_lazy(
            "The 6-digit code the app now shows for TreatyWatch."
        )


def two_factor_facts() -> dict:
    """The numbers the two-factor pages state, from the code that makes them true."""
    return {
        "recovery_code_count": two_factor.RECOVERY_CODE_COUNT,
        "code_digits": two_factor.DIGITS,
        "code_seconds": two_factor.STEP,
    }


def setup_context(user, key: str) -> dict:
    """What a set-up page (views/two_factor.py, views/enrolment.py) shows for the secret `key`."""
    uri = two_factor.provisioning_uri(user, key)
    return {
        **two_factor_facts(),
        "required": roles.has_editor_account(user),
        # Made by segno from our own otpauth:// address: SVG paths, no text from a person.
        "qr_svg": mark_safe(two_factor.qr_code_svg(uri)),  # noqa: S308
        "secret": two_factor.secret_for_humans(key),
    }


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out username+address (AXES_LOCKOUT_CALLABLE).

    The same page whether the username exists or not, and it does not repeat the username.
    """
    request.session.pop(PENDING_KEY, None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
