"""`CachedPageMiddleware`: a cached public page served at the layer of whitenoise, before
sessions, authentication, two-factor, axes, messages and CSRF see the request.

`serving.cache_public_page` serves a cached page from inside the view, after the whole middleware
stack has run for the request (a session lookup, the user, the verified device, the messages…).
For a reader who is certainly anonymous all of that decides nothing, so this middleware, placed
right after whitenoise, answers from this process's copy of the page (`process_pages`) when:

- the request is a GET or HEAD with no session cookie, no messages cookie, no `Authorization`
  or `If-None-Match` header and no CSRF cookie that Django would rewrite (a well-formed one is
  fine: the pages served here hold no CSRF token);
- this process holds the page for this address, host, language and htmx variant (the same
  `keys.page_key` as the view's), with no CSRF token in it, and it has already given it once
  through the whole stack (that response's final headers are kept with the page: see below);
- the page's generations, read from the shared cache for this very request (one round trip),
  are the ones it was rendered under: a publication or a retraction on any worker is seen at
  once. Anything else (a generation missing, the cache down, a page never served here) goes
  down the normal path, which renders or refreshes it.

Headers: every response a page-cached view gives goes back up through the whole stack, which
adds its headers (CSP with this response's nonce, X-Frame-Options, Vary, Content-Language,
Permissions-Policy…). On the way out this middleware keeps those final headers with the page,
the nonce replaced by a placeholder; a response served early gets exactly those headers, with a
fresh nonce in both the header and the HTML. So headers are those of the normal path by
construction (tests/test_cache_early.py compares them). Middleware above this one (Django's
security middleware, whitenoise) runs for both paths.

Language: the language is chosen as `LocaleMiddleware` chooses it (its own code is called), so
that `/fr/…` and `/…` are different pages, as in the view's key.
"""

import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.middleware.locale import LocaleMiddleware
from django.utils.csp import LazyNonce

from provisions.cache.generations import enabled
from provisions.cache.keys import page_key
from provisions.cache.process_pages import process_pages
from provisions.cache.storage import HIT_HEADER, from_stored, is_current

logger = logging.getLogger(__name__)

# Where the page's final headers held this response's nonce.
NONCE_PLACEHOLDER = "<tw:csp-nonce>"
# Set per response by the layers below this one, or by the way the page is given (gzip or not):
# never copied from one response to the next.
_PER_RESPONSE = frozenset({"content-length", "content-encoding", HIT_HEADER.lower()})
_WELL_FORMED_CSRF = re.compile(f"[A-Za-z0-9]{{{CSRF_SECRET_LENGTH}}}")
# What the view puts on the request when it gives a page from the cache: (key, entry).
SERVED_ATTRIBUTE = "_treatywatch_cached_page"


def certainly_anonymous(request) -> bool:
    """No session, no pending messages, no token, no CSRF cookie Django would rewrite."""
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and "HTTP_IF_NONE_MATCH" not in request.META  # the view may answer 304
        and (csrf_cookie is None or bool(_WELL_FORMED_CSRF.fullmatch(csrf_cookie)))
    )


def _servable(entry: dict | None) -> bool:
    return entry is not None and "final_headers" in entry and b"csrf" not in entry["segments"][1::2]


class CachedPageMiddleware:
    """Serves a current cached page to a certainly anonymous reader before the rest of the
    stack sees the request; learns each page's final headers from the normal path."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.locale = LocaleMiddleware(get_response)

    def __call__(self, request):
        if not (enabled() and certainly_anonymous(request)):
            return self.get_response(request)
        try:
            response = self._early(request)
        except DisallowedHost:
            response = None  # the normal path answers it as it always does
        if response is not None:
            return response
        response = self.get_response(request)
        self._learn(request, response)
        return response

    def _early(self, request):
        self.locale.process_request(request)  # the language, as the view's key has it
        key = page_key(request)
        entry = process_pages.get(key)
        if not _servable(entry):
            return None
        keys = entry["generation_keys"]
        try:
            found = cache.get_many(keys)
        except Exception:  # the cache is down: the normal path serves the page without it
            logger.exception("Page cache unavailable")
            return None
        if len(found) != len(keys) or not is_current(entry, tuple(found[k] for k in keys)):
            return None
        request._csp_nonce = LazyNonce()
        response = from_stored(request, entry, "hit")
        if response is None:
            return None
        nonce = str(request._csp_nonce) if entry["nonce_in_headers"] else ""
        for name in [name for name in response.headers if name.lower() not in _PER_RESPONSE]:
            del response.headers[name]
        for name, value in entry["final_headers"]:
            response.headers[name] = value.replace(NONCE_PLACEHOLDER, nonce)
        return response

    @staticmethod
    def _learn(request, response) -> None:
        """Keep the final headers of a page the view gave from the cache, for the next time."""
        served = getattr(request, SERVED_ATTRIBUTE, None)
        if (
            served is None
            or response.status_code != 200
            or response.cookies
            or response.get(HIT_HEADER) not in ("hit", "miss")
        ):
            return
        _key, entry = served
        nonce = getattr(request, "_csp_nonce", None)
        nonce_text = str(nonce) if nonce else ""  # false until something used it
        headers, nonce_in_headers = [], False
        for name, value in response.headers.items():
            if name.lower() in _PER_RESPONSE:
                continue
            if nonce_text and nonce_text in value:
                value, nonce_in_headers = value.replace(nonce_text, NONCE_PLACEHOLDER), True
            headers.append((name, value))
        entry["nonce_in_headers"] = nonce_in_headers
        entry["final_headers"] = headers
