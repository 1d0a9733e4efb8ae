"""Receivers for Django's sign-in signals: they write the audit log and start the idle clock.

Connected in `ProvisionsConfig.ready`. They record; they never decide anything (the rules live
in views, services and provisions/roles.py).
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from provisions.middleware import IdleTimeoutMiddleware
from provisions.services.audit import attempted_username, audit_record

# What a failed attempt says about itself in `credentials` (see views/signin.py).
SECOND_FACTOR_STEP = "second_factor"


def _device_kind(device) -> str | None:
    if device is None:
        return None
    return "recovery_code" if device._meta.model_name == "staticdevice" else "authenticator"


def record_sign_in(sender, request, user, **kwargs):
    IdleTimeoutMiddleware.touch(request)
    detail = {}
    kind = _device_kind(getattr(user, "otp_device", None))
    if kind:
        detail["second_factor"] = kind
    audit_record(action="sign_in.succeeded", actor=user, obj=user, detail=detail, request=request)


def record_sign_in_failure(sender, credentials, request=None, **kwargs):
    # Only the username that was typed: Django has already masked the password, and nothing
    # else the form carried is kept.
    detail = {"username": attempted_username(None, credentials)}
    action = "sign_in.failed"
    if credentials.get("step") == SECOND_FACTOR_STEP:
        action = "two_factor.failed"
        detail["during"] = "sign-in"
    audit_record(action=action, detail=detail, request=request)


def record_sign_out(sender, request, user, **kwargs):
    if user is None:
        return
    detail = {}
    reason = getattr(request, "treatywatch_logout_reason", None)
    if reason:
        detail["reason"] = reason
    audit_record(action="sign_out", actor=user, obj=user, detail=detail, request=request)


def connect() -> None:
    uid = "provisions.audit"
    user_logged_in.connect(record_sign_in, dispatch_uid=f"{uid}.sign_in")
    user_login_failed.connect(record_sign_in_failure, dispatch_uid=f"{uid}.sign_in_failed")
    user_logged_out.connect(record_sign_out, dispatch_uid=f"{uid}.sign_out")
