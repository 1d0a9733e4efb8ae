"""Two-factor sign-in with django-otp: an authenticator app (TOTP) plus ten single-use recovery
codes. Editors must have it; analysts may.

A member's authenticator is a confirmed `TOTPDevice`; their recovery codes are the tokens of
one `StaticDevice`. Codes are checked against one device chosen by their shape (six digits: the
app; eight letters and digits: a recovery code), so a wrong code slows down only that device
(django-otp's exponential back-off).
"""

import re
import time
from base64 import b32encode

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from provisions import roles
from provisions.services.audit import audit_record
from provisions.services.tokens import REVOKED_AUTHENTICATOR_REPLACED, api_tokens_revoke_all

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
TOTP_CODE = re.compile(r"\d{6}")
# django-otp's StaticToken.random_token(): 8 characters of lower-case base32.
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")
# TOTPDevice defaults: 30-second steps, 6 digits, one step of clock difference either way.
STEP, DIGITS, TOLERANCE = 30, 6, 1


def has_second_factor(user) -> bool:
    """Whether signing in as `user` needs a code (a confirmed authenticator or recovery codes)."""
    return user_has_device(user, confirmed=True)


def authenticator_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(raw) -> str:
    """What people type: spaces and hyphens (as codes are shown) dropped, lower case."""
    if not isinstance(raw, str):
        return ""
    return re.sub(r"[\s-]+", "", raw).lower()[:32]


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --- Set-up --------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh 20-byte TOTP secret, hex-encoded as TOTPDevice stores it."""
    return random_hex(20)


def _secret_bytes(key: str) -> bytes:
    try:
        secret = bytes.fromhex(key)
    except (TypeError, ValueError):
        secret = b""
    if len(secret) < 16:
        raise ValidationError(
            {"code": _("This set-up has expired. Scan the new QR code and try again.")}
        )
    return secret


def secret_for_humans(key: str) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    text = b32encode(_secret_bytes(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user, key: str) -> str:
    """The otpauth:// address the QR code carries (issuer from OTP_TOTP_ISSUER)."""
    return TOTPDevice(user=user, key=key).config_url


def qr_code_svg(uri: str) -> str:
    """The QR code as an inline SVG element: no image service, no script, no inline style."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="totp-qr", title=_("QR code")
    )


def needs_enrolment_link(user) -> bool:
    """An editor account with no second factor yet: its first authenticator comes only through
    an enrolment link (services/enrolment.py), never from whoever knows the password."""
    return roles.has_editor_account(user) and not has_second_factor(user)


@transaction.atomic
def two_factor_enable(
    *, user, key: str, code: str, enrolment=None
) -> tuple[TOTPDevice, list[str], bool]:
    """Confirm a new authenticator with a code it shows, replacing any earlier one.

    Returns the device, the new recovery codes (only when the member had none left: they are
    shown once) and whether an earlier authenticator was replaced. An editor's first
    authenticator needs `enrolment`, a usable EnrolmentLink made for them (consumed by
    services.enrolment.enrolment_complete, which is the only caller that passes one).
    """
    if needs_enrolment_link(user) and not (
        enrolment is not None and enrolment.user_id == user.pk and enrolment.is_usable()
    ):
        raise PermissionDenied(_("Editors set up two-factor sign-in with an enrolment link."))
    secret = _secret_bytes(key)
    code = normalise_code(code)
    if not TOTP_CODE.fullmatch(code):
        raise ValidationError({"code": _("Type the 6-digit code your app shows.")})
    totp = TOTP(secret, step=STEP, t0=0, digits=DIGITS, drift=0)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=TOLERANCE):
        raise ValidationError(
            {
                "code": _(
                    "That code does not match. Type the newest code, and check that the time on "
                    "your phone is right."
                )
            }
        )
    earlier = TOTPDevice.objects.filter(user=user)
    replaced = earlier.filter(confirmed=True).exists()
    earlier.delete()
    device = TOTPDevice.objects.create(
        user=user,
        name=AUTHENTICATOR_NAME,
        key=key,
        confirmed=True,
        # The code just used cannot be used again to sign in.
        last_t=totp.t(),
        drift=totp.drift,
    )
    codes = [] if recovery_codes_left(user) else recovery_codes_regenerate(user=user)
    # Tokens made with the earlier second factor stand on it: they go with it. A replacement
    # ends every token; a first set-up ends those made after two-factor sign-in with an
    # authenticator deleted since by other means than two_factor_remove (e.g. the shell).
    api_tokens_revoke_all(
        user=user,
        reason=REVOKED_AUTHENTICATOR_REPLACED,
        actor=user,
        two_factor_verified_only=not replaced,
    )
    return device, codes, replaced


def two_factor_set_up(*, user, key: str, code: str, request=None):
    """A member's own set-up or replacement of their authenticator (two_factor_enable),
    recorded in the audit log, a wrong code included (which changes nothing)."""
    try:
        device, codes, replaced = two_factor_enable(user=user, key=key, code=code)
    except ValidationError:
        audit_record(
            action="two_factor.failed", actor=user, detail={"during": "set-up"}, request=request
        )
        raise
    action = "two_factor.replaced" if replaced else "two_factor.enabled"
    audit_record(action=action, actor=user, obj=user, request=request)
    return device, codes, replaced


@transaction.atomic
def two_factor_remove(*, user) -> None:
    """Delete the member's authenticator and recovery codes (an operator's reset of a lost
    phone, through services.enrolment.enrolment_link_create), and revoke their API tokens: the
    authenticator is being replaced, and whoever has the lost phone may have more."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    api_tokens_revoke_all(user=user, reason=REVOKED_AUTHENTICATOR_REPLACED)


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """Ten new single-use recovery codes; the earlier ones stop working."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


@transaction.atomic
def recovery_codes_renew(*, user, request=None) -> list[str]:
    """A member's own new recovery codes (recovery_codes_regenerate), recorded in the audit
    log."""
    codes = recovery_codes_regenerate(user=user)
    audit_record(action="two_factor.recovery_codes_created", actor=user, obj=user, request=request)
    return codes


# --- Sign-in -------------------------------------------------------------------------------


def two_factor_verify(*, user, code: str):
    """The device that accepts `code` (spending it if it is a recovery code), or None.

    Raises ValidationError while that device is slowed down after wrong codes.
    """
    code = normalise_code(code)
    if TOTP_CODE.fullmatch(code):
        model = TOTPDevice
    elif RECOVERY_CODE.fullmatch(code):
        model = StaticDevice
    else:
        return None
    with transaction.atomic():
        device = (
            model.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        if device is None:
            return None
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = (info or {}).get("locked_until")
            seconds = max(1, int((wait - timezone.now()).total_seconds()) + 1) if wait else 60
            raise ValidationError(
                ngettext(
                    "Too many wrong codes. Wait %(n)s second and try again.",
                    "Too many wrong codes. Wait %(n)s seconds and try again.",
                    seconds,
                )
                % {"n": seconds}
            )
        return device if device.verify_token(code) else None


def second_factor_passed(*, user, request=None) -> None:
    """Record that a signed-in member's session passed the second factor (a step up; at sign-in
    the sign-in itself is recorded, provisions/signals.py)."""
    audit_record(action="two_factor.verified", actor=user, obj=user, request=request)


def session_confirmed(*, user, request=None) -> None:
    """Record that a session confirmed the password (and a code) before a sensitive change
    (provisions/confirmation.py)."""
    audit_record(action="session.confirmed", actor=user, obj=user, request=request)


def current_code(device: TOTPDevice) -> str:
    """The code `device` accepts next (for the development-only `totp_code` command and tests):
    the current one, or the next step's if the current one was already used."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def demo_authenticator(user) -> TOTPDevice:
    """The demo editor's authenticator (`seed --demo`), created once and kept."""
    device = authenticator_of(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    if not recovery_codes_left(user):
        recovery_codes_regenerate(user=user)
    return device
