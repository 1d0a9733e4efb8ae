"""Who is calling the API: a personal token in `Authorization: Bearer …`, or nobody.

The API never looks at the session cookie: a request is either anonymous or carries a token.
That keeps cross-site requests harmless (no ambient credentials, so no CSRF) and makes a read
depend only on what the request itself says.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils.translation import gettext as _

from provisions import roles
from provisions.access import mark_access
from provisions.api.errors import ApiError
from provisions.services import api_token_authenticate


def _clock() -> float:
    return time.time()


def unauthorized(message: str, *, invalid_token: bool = False) -> ApiError:
    challenge = 'Bearer realm="TreatyWatch API"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def bearer_token(request) -> str | None:
    """The raw token of an `Authorization: Bearer <token>` header; None without the header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise unauthorized(
            _("Send your token as “Authorization: Bearer <token>”."), invalid_token=True
        )
    return credentials.strip()


def authenticate(request) -> None:
    """Set request.user and request.api_token from the token, ignoring any session.

    A request without a token is anonymous; a token that is unknown, revoked, expired or no
    longer valid for its member (services/tokens.py) is refused (401) rather than quietly
    treated as anonymous. The member acts with the token's strength: editor powers only from a
    token made after two-factor sign-in by an editor.
    """
    request.api_token = None
    raw = bearer_token(request)
    if raw is None:
        request.user = AnonymousUser()
        return
    token = api_token_authenticate(raw)
    if token is None:
        raise unauthorized(
            _("This token is not valid, has expired or has been revoked."), invalid_token=True
        )
    request.api_token = token
    request.user = token.user


def _count_write(token) -> None:
    """At most N writes a minute per token (fixed one-minute windows in the shared cache)."""
    limit = settings.TREATYWATCH_API_WRITES_PER_MINUTE
    now = _clock()
    window = int(now // 60)
    # The hash (random per token) rather than the id: ids can be reused after a rollback.
    key = f"api-writes:{token.token_hash[:24]}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        # The key expired between add and incr.
        cache.add(key, 1, timeout=120)
        count = 1
    if count > limit:
        retry_after = max(1, 60 - int(now % 60))
        raise ApiError(
            429,
            "rate_limited",
            _("Too many writes with this token: at most %(n)s a minute.") % {"n": limit},
            headers={"Retry-After": str(retry_after)},
        )


def token_required(view):
    """A write: needs a valid token of an analyst or editor, and is rate-limited per token.

    Expects `authenticate` to have run (the API's endpoint wrapper does it).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "api_token", None) is None:
            raise unauthorized(_("This needs a personal API token."))
        if not roles.is_analyst(request.user):
            raise ApiError(
                403, "forbidden", _("Only analysts and editors can write through the API.")
            )
        _count_write(request.api_token)
        return view(request, *args, **kwargs)

    return mark_access(wrapper, "analyst")
