"""The names of the page cache's entries in the shared cache: generations and stored pages.

Every stored page's key holds `release()`, a fingerprint of the code and templates, so that a
deploy never serves pages rendered by the previous code.
"""

import functools
from hashlib import sha256
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language_from_path

# Stored pages are the only entries whose number grows with traffic (one per address).
PAGE_KEY_PREFIX = "tw:page:"
# The Redis channel on which new generations are announced (backends.RedisCache, mirror.py).
GENERATIONS_CHANNEL = "tw:gen:announcements"
# htmx headers that change what a view renders (fragment, or the whole page for a history restore).
_HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")


@functools.cache
def release() -> str:
    """A fingerprint of the code and templates that render the pages, part of every key: a
    deploy that changes how a page looks never serves pages rendered by the previous code."""
    base = Path(settings.BASE_DIR)
    digest = sha256()
    for folder, patterns in (
        ("templates", ("*.html",)),
        ("provisions", ("*.py", "*.html")),
        ("locale", ("*.mo",)),
    ):
        for pattern in patterns:
            for path in sorted((base / folder).rglob(pattern)):
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def generation_key(scope: str) -> str:
    return f"tw:gen:{scope}"


def page_language(request) -> str:
    """The language a page at this address is rendered in: its prefix (/fr/…), else English.

    Read from the path, not from the active language, so that the key is right wherever the
    cache sits in the middleware stack (before LocaleMiddleware too). An unprefixed address is
    always English (i18n_patterns with prefix_default_language=False: LocaleMiddleware activates
    settings.LANGUAGE_CODE there, whatever Accept-Language or the language cookie say), so the
    visitor's headers and cookies never choose between stored pages.
    """
    return get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def page_key(request) -> str:
    """The stored page for this address (with its language prefix), language, host and htmx
    variant."""
    variant = "|".join(
        [
            request.scheme,
            request.get_host(),
            page_language(request),
            *(request.headers.get(name, "") for name in _HTMX_HEADERS),
            request.get_full_path(),
        ]
    )
    return f"{PAGE_KEY_PREFIX}{release()}:{sha256(variant.encode()).hexdigest()[:32]}"
