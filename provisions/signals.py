"""Receivers for Django's sign-in signals: they write the audit log and start the idle clock;
one for group membership, which revokes a member's API tokens when they leave a group; one for
the admin's change log, which retires every cached public page; and one that gives each new
SQLite connection the function the search fallback matches with.

Connected in `ProvisionsConfig.ready`. They record or hand over to a service; they never decide
anything (the rules live in views, services and provisions/roles.py).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_save

from provisions.cache.generations import everything_changed
from provisions.middleware import IdleTimeoutMiddleware
from provisions.search.fallback import add_sqlite_functions
from provisions.services.audit import attempted_username, audit_record
from provisions.services.tokens import REVOKED_GROUP_LEFT, api_tokens_revoke_all

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
    during = credentials.get("during")  # e.g. "confirmation" (provisions/views/confirm.py)
    if during:
        detail["during"] = str(during)[:40]
    if credentials.get("step") == SECOND_FACTOR_STEP:
        action = "two_factor.failed"
        detail.setdefault("during", "sign-in")
    audit_record(action=action, detail=detail, request=request)


def record_sign_out(sender, request, user, **kwargs):
    if user is None:
        return
    detail = {}
    reason = getattr(request, "treatywatch_logout_reason", None)
    if reason:
        detail["reason"] = reason
    audit_record(action="sign_out", actor=user, obj=user, detail=detail, request=request)


def revoke_tokens_on_leaving_a_group(sender, instance, action, reverse, pk_set, **kwargs):
    """A member who leaves a group loses the tokens made while they were in it.

    Every ORM route that takes someone out of a group sends this (user.groups.remove / set /
    clear, group.user_set…, whatever service, command or shell calls them), inside the
    transaction that changes the rows, so the tokens go with the membership or not at all.
    Routes that bypass it (deleting a Group, raw SQL) still cannot raise a token above its
    owner's current roles: the API checks a token's editor powers against the owner's groups on
    every request (services/tokens.py).
    """
    if action not in ("pre_remove", "pre_clear"):
        return
    User = get_user_model()
    if reverse:  # group.user_set.remove(users…) or .clear(): `instance` is the group
        members = User.objects.filter(groups=instance)
        if action == "pre_remove":
            members = members.filter(pk__in=pk_set or ())
    else:  # user.groups.remove(groups…) or .clear(): `instance` is the user
        groups = instance.groups.all()
        if action == "pre_remove":
            groups = groups.filter(pk__in=pk_set or ())
        members = [instance] if groups.exists() else []
    for member in members:
        api_tokens_revoke_all(user=member, reason=REVOKED_GROUP_LEFT)


def retire_cached_pages_on_admin_change(sender, **kwargs) -> None:
    """Editors may change any row in the admin, which bypasses the services: a change there is
    logged as a LogEntry, and retires every cached page (provisions/cache/)."""
    everything_changed()


def connect() -> None:
    uid = "provisions.audit"
    user_logged_in.connect(record_sign_in, dispatch_uid=f"{uid}.sign_in")
    user_login_failed.connect(record_sign_in_failure, dispatch_uid=f"{uid}.sign_in_failed")
    user_logged_out.connect(record_sign_out, dispatch_uid=f"{uid}.sign_out")
    m2m_changed.connect(
        revoke_tokens_on_leaving_a_group,
        sender=get_user_model().groups.through,
        dispatch_uid="provisions.tokens.group_left",
    )
    post_save.connect(
        retire_cached_pages_on_admin_change,
        sender="admin.LogEntry",
        dispatch_uid="page-cache-admin",
    )
    connection_created.connect(add_sqlite_functions, dispatch_uid="provisions.search.sqlite")
