"""Personal API tokens: create, revoke, and recognise a token presented with a request.

A token is shown once, when it is created. Only its SHA-256 is stored, so a leaked database
does not leak working tokens; the first characters (`prefix`) let a member tell tokens apart.

A token is worth no more than the sign-in that made it (docs/security.md, "API tokens"):
- it carries editor powers only when an editor made it from a session that had passed the
  second factor, and an editor account gets no token at all without that;
- it expires (TREATYWATCH_API_TOKEN_DAYS after it was made);
- it is revoked when its owner's password changes, their authenticator is replaced or they
  leave a group, and independently of any revocation it stops working when the password it was
  made under is no longer the owner's, or when an editor token's owner is no longer an editor.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions import roles
from provisions.models import ApiToken
from provisions.services.audit import audit_record
from provisions.text import clean_text

TOKEN_PREFIX = "tw_"  # noqa: S105 (a public marker, not a secret)
PREFIX_CHARS = 8
MAX_NAME_CHARS = 100
# A presented string longer than this cannot be one of our tokens (they are 46 characters).
MAX_TOKEN_CHARS = 200
# last_used_at is refreshed at most this often, so that busy readers do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# Why a token was revoked (ApiToken.revoked_reason and the audit event's detail).
REVOKED_BY_OWNER = "owner"
REVOKED_PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a secret)
REVOKED_AUTHENTICATOR_REPLACED = "authenticator_replaced"
REVOKED_GROUP_LEFT = "group_left"


def hash_token(raw: str) -> str:
    """The stored form of a token: its SHA-256 as 64 hexadecimal characters."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def password_fingerprint(user) -> str:
    """Which password `user` has now: a SHA-256 of Django's stored (salted, hashed) password.

    It reveals nothing the password hash beside it in the database does not, and it changes with
    every password change, whichever way it happens (the pages, a reset, the admin, a command,
    the shell). Not keyed with SECRET_KEY, so that rotating the key does not end every token.
    """
    return hashlib.sha256((user.password or "").encode("utf-8")).hexdigest()


def token_lifetime() -> timedelta:
    return timedelta(days=settings.TREATYWATCH_API_TOKEN_DAYS)


@transaction.atomic
def api_token_create(
    *, user, name: str, two_factor_verified: bool = False, request=None
) -> tuple[ApiToken, str]:
    """A new token for `user`. Returns the stored token and the raw token (shown only now).

    `two_factor_verified` says whether whoever asks proved the second factor just before (a
    session verified by django-otp); a management command cannot, and passes False. An editor
    account gets a token only with it, and that token carries editor powers; every other token
    carries at most its owner's analyst powers, whatever the owner later becomes.
    """
    if not user.is_active:
        raise PermissionDenied(_("This account is inactive."))
    editor_account = roles.has_editor_account(user)
    if editor_account and not two_factor_verified:
        raise PermissionDenied(
            _(
                "An editor's token is made only after signing in with the second factor, by the "
                "editor, in their workspace."
            )
        )
    name = " ".join(clean_text(name if isinstance(name, str) else "").split())
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(
            {"name": _("The name is too long (at most %(n)s characters).") % {"n": MAX_NAME_CHARS}}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=hash_token(raw),
        prefix=raw[:PREFIX_CHARS],
        expires_at=timezone.now() + token_lifetime(),
        two_factor_verified=bool(two_factor_verified),
        editor_powers=editor_account,
        password_fingerprint=password_fingerprint(user),
    )
    audit_record(
        action="api_token.created",
        actor=user,
        obj=token,
        detail={
            "token_id": token.pk,
            "prefix": token.prefix,
            "two_factor_verified": token.two_factor_verified,
            "editor_powers": token.editor_powers,
            "expires_at": token.expires_at.isoformat(),
        },
        request=request,
    )
    return token, raw


def _revoke(token: ApiToken, *, reason: str, actor, request) -> None:
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        action="api_token.revoked",
        actor=actor,
        obj=token,
        detail={"token_id": token.pk, "prefix": token.prefix, "reason": reason},
        request=request,
    )


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user, request=None) -> ApiToken:
    """Revoke a token: its owner or a superuser may. Revoking twice changes nothing."""
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is None:
        _revoke(current, reason=REVOKED_BY_OWNER, actor=user, request=request)
    return current


@transaction.atomic
def api_tokens_revoke_all(
    *, user, reason: str, actor=None, request=None, two_factor_verified_only: bool = False
) -> int:
    """Revoke every token of `user` that is not revoked yet (each one audited); how many.

    Called when what the tokens stood on changes: the password (views/passwords.py), the
    authenticator (services/two_factor.py) or the groups (provisions/signals.py).
    `two_factor_verified_only` limits it to tokens made after two-factor sign-in.
    """
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if two_factor_verified_only:
        live = live.filter(two_factor_verified=True)
    tokens = list(live)
    for token in tokens:
        _revoke(token, reason=reason, actor=actor, request=request)
    return len(tokens)


def api_token_still_holds(token: ApiToken, *, user=None, now=None) -> bool:
    """Whether a token works: not revoked, not expired, its owner active and with the password
    it was made under, and — for a token with editor powers — still an editor.

    `user` is the token's owner when the caller has it already (the tokens page), so that a
    list of tokens reads the owner's groups once.
    """
    now = now or timezone.now()
    user = user if user is not None else token.user
    return (
        token.revoked_at is None
        and token.expires_at > now
        and user.is_active
        and secrets.compare_digest(token.password_fingerprint, password_fingerprint(user))
        and (not token.editor_powers or roles.has_editor_account(user))
    )


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token matching `raw` (with its user loaded), or None.

    None for anything that is not a current token: unknown, revoked, expired, its user inactive,
    made under an earlier password, or an editor token whose owner is no longer an editor.
    The user it returns carries the token's strength: `is_verified()` is true only for a token
    with editor powers, so provisions/roles.py gives an editor account editor (and, if it is in
    Editors only, any) powers through the API only with such a token.
    """
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_CHARS:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not api_token_still_holds(token, now=now):
        return None
    editor_powers = token.editor_powers
    token.user.is_verified = lambda: editor_powers
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
