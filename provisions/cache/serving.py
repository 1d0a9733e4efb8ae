"""`cache_public_page`: serve a public view from the cache to anonymous visitors.

Only requests without a session cookie (no signed-in user) or pending messages are served or
stored; what is stored, and how it is given back to each visitor, is provisions/cache/storage.py.
"""

import functools
import logging

from django.conf import settings
from django.core.cache import cache

from provisions import replica
from provisions.cache.early import SERVED_ATTRIBUTE
from provisions.cache.generations import complete, enabled
from provisions.cache.keys import generation_key, page_key
from provisions.cache.process_pages import process_pages
from provisions.cache.scopes import SITE
from provisions.cache.storage import from_stored, is_current, storable

logger = logging.getLogger(__name__)


def _cacheable_request(request) -> bool:
    """Only anonymous visitors without a session, pending messages or an API token share pages;
    a conditional request (If-None-Match) is left to the view, which may answer 304."""
    return (
        enabled()
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and "HTTP_IF_NONE_MATCH" not in request.META
        and not request.user.is_authenticated
    )


def cache_public_page(*scopes: str, scopes_for=None):
    """Serve this public view from the cache for anonymous visitors.

    scopes name what the page shows besides the site itself, formatted with the view's URL
    keyword arguments: `@cache_public_page("article:{number}")`, `@cache_public_page(ANALYSIS)`.
    Or `scopes_for`, a function of those arguments giving the scopes (None: not cached), as the
    API's anonymous reads name theirs (provisions/api/endpoint.py).
    The htmx fragment of a page is stored apart from the full page.

    One round trip to the cache per request: the page's generations, and the page itself unless
    this process holds it already. A stored page is served only if it was rendered under the
    current generations; otherwise the view renders it again and it replaces the old one.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            if scopes_for is None:
                named = tuple(s.format(**kwargs) for s in scopes)
            elif (named := scopes_for(**kwargs)) is None:
                return view(request, *args, **kwargs)
            generation_keys = [generation_key(scope) for scope in (SITE, *named)]
            key = page_key(request)
            entry = process_pages.get(key)
            try:
                found = cache.get_many(generation_keys if entry else [*generation_keys, key])
                generations = complete(found, generation_keys)
                if not is_current(entry, generations):
                    # This process's copy is out of date (or it has none): the shared one may
                    # have been rendered again by another process already.
                    entry = found.get(key) if entry is None else cache.get(key)
                    if is_current(entry, generations):
                        process_pages.put(key, entry)
            except Exception:  # the cache is down: readers still get the page, just slower
                logger.exception("Page cache unavailable")
                return view(request, *args, **kwargs)
            if is_current(entry, generations) and (response := from_stored(request, entry, "hit")):
                setattr(request, SERVED_ATTRIBUTE, (key, entry))
                return response
            csrf_used_before = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            # Stored under these generations for everyone: rendered from rows at least as new.
            replica.primary_unless_caught_up()
            response = view(request, *args, **kwargs)
            timeout = settings.TREATYWATCH_PAGE_CACHE_SECONDS
            entry = storable(request, response, csrf_used_before, generations, timeout)
            if entry is None:
                return response
            entry["generation_keys"] = generation_keys
            try:
                cache.set(key, entry, timeout)
            except Exception:
                logger.exception("Page cache unavailable")
            process_pages.put(key, entry)
            if given := from_stored(request, entry, "miss"):
                setattr(request, SERVED_ATTRIBUTE, (key, entry))
                return given
            return response

        return wrapper

    return decorator
