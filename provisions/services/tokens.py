"""Personal API tokens: create, revoke, and recognise a token presented with a request.

A token is shown once, when it is created. Only its SHA-256 is stored, so a leaked database
does not leak working tokens; the first characters (`prefix`) let a member tell tokens apart.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.models import ApiToken, AuditEvent
from provisions.services.annotations import _clean_text

TOKEN_PREFIX = "tw_"  # noqa: S105 (a public marker, not a secret)
PREFIX_CHARS = 8
MAX_NAME_CHARS = 100
# A presented string longer than this cannot be one of our tokens (they are 46 characters).
MAX_TOKEN_CHARS = 200
# last_used_at is refreshed at most this often, so that busy readers do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    """The stored form of a token: its SHA-256 as 64 hexadecimal characters."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`. Returns the stored token and the raw token (shown only now)."""
    if not user.is_active:
        raise PermissionDenied(_("This account is inactive."))
    name = " ".join(_clean_text(name if isinstance(name, str) else "").split())
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(
            {"name": _("The name is too long (at most %(n)s characters).") % {"n": MAX_NAME_CHARS}}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=hash_token(raw), prefix=raw[:PREFIX_CHARS]
    )
    AuditEvent.objects.create(
        actor=user,
        action="api_token.created",
        object_repr=str(token)[:300],
        detail={"token_id": token.pk, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke a token: its owner or a superuser may. Revoking twice changes nothing."""
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        AuditEvent.objects.create(
            actor=user,
            action="api_token.revoked",
            object_repr=str(current)[:300],
            detail={"token_id": current.pk, "prefix": current.prefix},
        )
    return current


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token matching `raw` (with its user loaded), or None.

    None for anything that is not a current token: unknown, revoked, or its user inactive.
    """
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_CHARS:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
