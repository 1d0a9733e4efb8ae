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
- the page's generations are the ones it was rendered under: a publication or a retraction on
  any worker is seen at once. With Redis they come from this process's copy, which every write
  updates before its response is sent (`mirror.py`), when that copy is trusted; otherwise (and
  with the database cache) they are read from the shared cache for this very request (one
  round trip). Anything else (a generation missing, the cache down, a page never served here)
  goes down the normal path, which renders or refreshes it.

Headers: every response a page-cached view gives goes back up through the whole stack, which
adds its headers (CSP with this response's nonce, X-Frame-Options, Vary, Content-Language,
Permissions-Policy…). On the way out this middleware keeps those final headers with the page,
the nonce replaced by a placeholder; a response served early gets exactly those headers, with a
fresh nonce in both the header and the HTML. So headers are those of the normal path by
construction (tests/test_cache_early.py compares them). Middleware above this one (Django's
security middleware, whitenoise) runs for both paths.

Language: the page's key holds the language of its address (`keys.page_language`: `/fr/…` and
`/…` are different pages), as the view's does; nothing else here depends on the language.

The key itself (a digest of the scheme, host, htmx headers and address) is worked out once per
such request as the WSGI server gave it: `_PageKeys` remembers it for the next request with the
same values, for pages this process holds.

`/healthz` is answered here too, for the same certainly anonymous GET or HEAD: its view runs
(its one query) without the stack's layers, none of which decides anything for it, and its
response gets the headers the whole stack added to it the first time (learned as for pages).
"""

import logging
import re

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.http.response import ResponseHeaders
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.urls import NoReverseMatch, get_script_prefix, resolve, reverse
from django.utils.csp import generate_nonce

from provisions.cache import mirror
from provisions.cache.generations import enabled
from provisions.cache.keys import page_key
from provisions.cache.process_pages import process_pages
from provisions.cache.storage import (
    HIT_HEADER,
    accepts_gzip,
    assemble,
    is_current,
    text_pieces,
)

logger = logging.getLogger(__name__)

# Where the page's final headers held this response's nonce.
NONCE_PLACEHOLDER = "<tw:csp-nonce>"
# Set per response by the layers below this one, or by the way the page is given (gzip or not):
# never copied from one response to the next.
_PER_RESPONSE = frozenset({"content-length", "content-encoding", HIT_HEADER.lower()})
_WELL_FORMED_CSRF = re.compile(f"[A-Za-z0-9]{{{CSRF_SECRET_LENGTH}}}")
# What the view puts on the request when it gives a page from the cache: (key, entry).
SERVED_ATTRIBUTE = "_treatywatch_cached_page"
# The health check's URL name (treatywatch/urls.py).
HEALTH_URL_NAME = "healthz"
# What a page's key depends on, as the WSGI server gives it (keys.page_key reads these).
_KEY_INPUTS = (
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_HX_REQUEST",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
)


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


class _PageKeys:
    """`keys.page_key` of requests seen lately, by the raw values it is computed from.

    The key is a function of those values (and of the settings and code, fixed for a process):
    a sha256, the host checked against ALLOWED_HOSTS, the address escaped. Only keys of pages
    this process holds are remembered, and at most `limit` of them (all are forgotten when full),
    so that no one can make it grow by asking for addresses that are not pages."""

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self.known: dict[tuple, str] = {}

    @staticmethod
    def inputs(request) -> tuple:
        meta = request.META
        return (request.scheme, *(meta.get(name) for name in _KEY_INPUTS))

    def get(self, inputs: tuple) -> str | None:
        return self.known.get(inputs)

    def remember(self, inputs: tuple, key: str) -> None:
        if len(self.known) >= self.limit:
            self.known = {}
        self.known[inputs] = key


def _servable(entry: dict | None) -> bool:
    return entry is not None and "final_headers" in entry and b"csrf" not in entry["segments"][1::2]


def _prepare_headers(entry: dict) -> tuple[ResponseHeaders, list[tuple[str, str]]]:
    """The page's final headers as Django holds them, apart from those that carry the nonce;
    kept with the entry in this process's memory."""
    final = entry["final_headers"]
    prepared = (
        ResponseHeaders({name: value for name, value in final if NONCE_PLACEHOLDER not in value}),
        [(name, value) for name, value in final if NONCE_PLACEHOLDER in value],
    )
    entry["early_headers"] = prepared
    return prepared


class CachedPageMiddleware:
    """Serves a current cached page to a certainly anonymous reader before the rest of the
    stack sees the request; learns each page's final headers from the normal path."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_keys = _PageKeys()
        self._health = None  # (path, view), found on the first request
        self.health_headers = None  # what the whole stack added to /healthz's answer

    def __call__(self, request):
        if not certainly_anonymous(request):
            return self._normal(request)
        health_path, health_view = self._health or self._find_health()
        if request.path_info == health_path:
            return self._health_check(request, health_view)
        if not enabled():
            return self._normal(request)
        try:
            response = self._early(request)
        except DisallowedHost:
            response = None  # the normal path answers it as it always does
        if response is not None:
            return response
        response = self._normal(request)
        self._learn(request, response)
        return response

    def _normal(self, request):
        """Through the rest of the stack. A write announced to other workers' copies of the
        generations keeps its response until they all hold it (mirror.py)."""
        mirror.request_started()
        try:
            return self.get_response(request)
        finally:
            mirror.settle()

    def _find_health(self) -> tuple:
        try:
            # As request.path_info has it: without the prefix of a site mounted at a sub-path
            # (SCRIPT_NAME), which reverse() puts in front and resolve() does not take.
            path = "/" + reverse(HEALTH_URL_NAME).removeprefix(get_script_prefix())
        except NoReverseMatch:  # a URLconf without the health check (some tests')
            self._health = (None, None)
        else:
            self._health = (path, resolve(path).func)
        return self._health

    def _health_check(self, request, view):
        """/healthz without the stack, once its headers are known; else through the stack."""
        if self.health_headers is None:
            response = self.get_response(request)
            if response.status_code == 200 and not response.cookies:
                self.health_headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in _PER_RESPONSE
                ]
            return response
        try:
            request.get_host()
        except DisallowedHost:
            return self.get_response(request)  # refused, as the normal path refuses it
        response = view(request)
        response["Content-Length"] = str(len(response.content))
        for name, value in self.health_headers:
            # The view's own headers (Content-Type, Expires, Cache-Control) are this answer's.
            if name not in response:
                response[name] = value
        return response

    def _early(self, request):
        inputs = self.page_keys.inputs(request)
        known = self.page_keys.get(inputs)
        key = known or page_key(request)
        entry = process_pages.get(key)
        if not _servable(entry):
            return None
        if known is None:
            self.page_keys.remember(inputs, key)
        if not is_current(entry, self._generations(entry["generation_keys"])):
            return None
        return self._answer(request, entry)

    @staticmethod
    def _answer(request, entry) -> HttpResponse:
        """The page with a fresh nonce in its HTML and CSP header, and the final headers."""
        nonce = generate_nonce()
        values = {b"nonce": nonce.encode()}
        gzipped = accepts_gzip(request)
        # Plain text goes to the WSGI server piece by piece: a page of 300 KB is not copied into
        # one string for each reader (whitenoise's file is not copied at all: sendfile).
        pieces = [assemble(entry, values, gzipped=True)] if gzipped else text_pieces(entry, values)
        fixed, with_nonce = entry.get("early_headers") or _prepare_headers(entry)
        response = HttpResponse(pieces[0])
        response.writelines(pieces[1:])
        # The final headers were checked once, when prepared: copied as they are.
        response.headers._store = fixed._store.copy()
        for name, value in with_nonce:
            response.headers[name] = value.replace(NONCE_PLACEHOLDER, nonce)
        response.headers["Content-Length"] = str(sum(map(len, pieces)))
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        response.headers[HIT_HEADER] = "hit"
        return response

    @staticmethod
    def _generations(keys: list[str]) -> tuple | None:
        """From this process's copy if it is trusted (mirror.py), else one round trip."""
        copy = mirror.mirror_for(caches["default"])
        if copy is not None and (generations := copy.current(keys)) is not None:
            return generations
        epoch = copy.seed_epoch() if copy is not None else None
        try:
            found = cache.get_many(keys)
        except Exception:  # the cache is down: the normal path serves the page without it
            logger.exception("Page cache unavailable")
            return None
        if len(found) != len(keys):
            return None
        if copy is not None:
            copy.seed(epoch, found)
        return tuple(found[k] for k in keys)

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
        headers = [
            (name, value.replace(nonce_text, NONCE_PLACEHOLDER) if nonce_text else value)
            for name, value in response.headers.items()
            if name.lower() not in _PER_RESPONSE
        ]
        entry.pop("early_headers", None)  # made again from these (_prepare_headers)
        entry["final_headers"] = headers
