"""Whole public pages for anonymous readers, kept in Django's cache (Redis, or the database,
shared by every worker), served compressed, and never stale.

When the Convention is in the news, most traffic is anonymous readers opening the same few pages.
`cache_public_page` stores such a page once and serves it again without touching the database.

Never stale: every cache key contains *generations*, small counters kept in the cache, one per
scope the page depends on:

    site               in every key; bumped by seeding, imports and edits in the admin
    analysis           home, table of contents, coverage, the lists, search: any public analysis
    article:<number>   one article page (its annotations, replies and links)
    concern:<slug>     one concern page;  demand:<slug>  one safeguard demand page

A write service, after its change, calls `annotation_changed` / `link_changed` /
`everything_changed`, which bump exactly the scopes whose public pages differ before and after;
pages cached under the old generations are never asked for again (they expire on their own).
The generations live in the shared cache, so a write on one worker retires the pages of all:
each worker's own copies (`_ProcessPages`) are served only after their generations were read
from the shared cache for that very request.
The bump happens at once and again when the transaction commits: a page rendered from the old
rows between the two is stored under a generation that the second bump retires. Keys also hold a
fingerprint of the code and templates (`release`), so a deploy never serves old markup.

Never another visitor's secrets: only requests without a session cookie (no signed-in user) are
served or stored, only 200 responses that set no cookie are stored, and the two per-response
values a page may contain are taken out before storing and put back for each visitor:
- the CSP nonce: Django's CSP middleware makes one per response and puts it in the header only
  if the page used it. A stored page holds a placeholder; on the way out it gets this response's
  nonce (`str(nonce)` makes the middleware emit the same value in the header), so header and
  HTML always agree. Leaving the nonce out of anonymous pages (script-src allows 'self') would
  work too, but pages would then differ by who reads them, and every template would have to
  know it.
- the CSRF token: readers' pages carry none (base.html gives it to members only, who are the only
  ones to send unsafe htmx requests; readers thus get no cookie at all). Should a cached page
  ever give one to anonymous visitors, the stored page holds a placeholder and each visitor gets
  a token for their own CSRF cookie, exactly as an uncached page would give them.
"""

import functools
import logging
import re
import secrets
import struct
import threading
import time
import zlib
from collections import OrderedDict
from hashlib import sha256
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections, router, transaction
from django.db.models.signals import post_save
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

SITE = "site"
ANALYSIS = "analysis"
HIT_HEADER = "X-Page-Cache"
# Stored pages are the only entries whose number grows with traffic (one per address).
PAGE_KEY_PREFIX = "tw:page:"
# Placeholders cannot come from user text: "<" is always escaped or sanitised in a page.
NONCE_MARK = b"<tw:csp-nonce>"
CSRF_MARK = b"<tw:csrf-token>"
_MARK_NAMES = {NONCE_MARK: b"nonce", CSRF_MARK: b"csrf"}
_MARKS = re.compile(b"(" + b"|".join(map(re.escape, _MARK_NAMES)) + b")")
_CSRF_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
_ARTICLE_EID = re.compile(r"^art_(\d+)(?:__|$)")
# htmx headers that change what a view renders (fragment, or the whole page for a history restore).
_HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def article_scope(number) -> str:
    return f"article:{number}"


def concern_scope(slug: str) -> str:
    return f"concern:{slug}"


def demand_scope(slug: str) -> str:
    return f"demand:{slug}"


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


def enabled() -> bool:
    return settings.TREATYWATCH_PAGE_CACHE


# --- Generations ------------------------------------------------------------------------------


def _generation_key(scope: str) -> str:
    return f"tw:gen:{scope}"


def _fresh_generation() -> int:
    # Random, not 0: a generation evicted from the cache must never come back as an old value.
    return secrets.randbits(62)


def _complete(found: dict, keys: list[str]) -> tuple[int, ...]:
    """The generations of `keys` from a get_many result; a missing one is started afresh."""
    for key in keys:
        if key not in found:
            fresh = _fresh_generation()
            cache.add(key, fresh, timeout=None)  # another process may have been first: use theirs
            stored = cache.get(key)
            found[key] = fresh if stored is None else stored
    return tuple(found[key] for key in keys)


def current_version(*scopes: str) -> str | None:
    """A name for the present state of `scopes` (and of the site and the code): it changes
    whenever a write retires them. None when the cache is off or cannot be reached, so that
    nothing is kept under a name that might not change."""
    if not enabled():
        return None
    keys = [_generation_key(scope) for scope in (SITE, *scopes)]
    try:
        generations = _complete(cache.get_many(keys), keys)
    except Exception:
        logger.exception("Page cache unavailable")
        return None
    return "-".join([release(), *map(str, generations)])


def _bump(scopes) -> None:
    # A fresh random value, not an increment: two workers bumping at once (the database cache
    # increments by reading and writing back) could otherwise both write the same number, and
    # a later race could bring back a value a stale page was stored under. A new random value
    # differs from every value read before it, whoever wins.
    fresh = {_generation_key(scope): _fresh_generation() for scope in scopes}
    # The database cache reports, rather than raises, a write it could not make (e.g. another
    # worker inserted the same new row at that moment): try those again once, then fail.
    for _attempt in range(2):
        fresh = {key: fresh[key] for key in cache.set_many(fresh, timeout=None) or ()}
        if not fresh:
            return
    raise RuntimeError(f"Page cache: could not retire {sorted(fresh)}")


def _bump_after_commit(scopes) -> None:
    try:
        _bump(scopes)
    except Exception:  # the write is committed; the first bump already retired the old pages
        logger.exception("Page cache: bump after commit failed for %s", scopes)


def invalidate(*scopes: str) -> None:
    """Retire every cached page that depends on one of `scopes`, now and after the commit.

    A failure of the cache here propagates, so the write rolls back rather than leave stale
    pages behind."""
    scopes = tuple(dict.fromkeys(scopes))
    if not scopes:
        return
    _bump(scopes)
    transaction.on_commit(lambda: _bump_after_commit(scopes))


def everything_changed() -> None:
    """Seeding, imports, the admin: every cached page is retired."""
    invalidate(SITE)


# --- What a write changes ---------------------------------------------------------------------


def _history(target_type: str, pk: int, created_action: str) -> tuple[dict, dict | None]:
    """The object's state after this write and before it, from the history the services keep.

    Before is {} when this write created the object, None when the history does not say (a row
    written outside the services)."""
    from provisions.models import Revision

    rows = list(
        Revision.objects.filter(target_type=target_type, target_id=pk)
        .order_by("-pk")
        .values_list("action", "snapshot")[:2]
    )
    (action, after), *earlier = rows
    if earlier:
        return after, earlier[0][1]
    return after, {} if action == created_action else None


def _article_number(eid: str | None) -> str | None:
    found = _ARTICLE_EID.match(eid or "")
    return found.group(1) if found else None


def _public_scopes(snapshot: dict, public_status: str, points: list[str]) -> set[str]:
    """What a public reader saw of an object in this state: nothing unless it was public."""
    if snapshot.get("status") != public_status:
        return set()
    scopes = {ANALYSIS, *points}
    if number := _article_number(snapshot.get("provision")):
        scopes.add(article_scope(number))
    return scopes


def annotation_changed(annotation) -> None:
    """Call at the end of a write to an annotation, after its revision is recorded.

    Invalidates the article page, the concern and demand pages and the overview pages if the
    annotation was public before or is now; a draft or a submission changes no public page."""
    after, before = _history("annotation", annotation.pk, "created")
    if before is None:
        # What the public saw before is unknown; only a draft certainly was never public.
        if after.get("status") != "draft":
            everything_changed()
        return

    def scopes(snapshot):
        points = [concern_scope(s) for s in snapshot.get("concerns", ())]
        points += [demand_scope(s) for s in snapshot.get("demands", ())]
        return _public_scopes(snapshot, "published", points)

    invalidate(*sorted(scopes(after) | scopes(before)))


def link_changed(link) -> None:
    """Call at the end of a write to a provision link, after its revision is recorded."""
    after, before = _history("link", link.pk, "proposed")
    if before is None:
        # Seeded links have no history before their first review: assume they were public.
        # Their provision and point cannot change, so the scopes are the same.
        before = {**after, "status": "approved"}

    def scopes(snapshot):
        points = [concern_scope(snapshot["concern"])] if snapshot.get("concern") else []
        points += [demand_scope(snapshot["demand"])] if snapshot.get("demand") else []
        return _public_scopes(snapshot, "approved", points)

    invalidate(*sorted(scopes(after) | scopes(before)))


def _admin_changed_something(sender, **kwargs) -> None:
    """Editors may change any row in the admin, which bypasses the services: a change there is
    logged as a LogEntry, and retires every cached page."""
    everything_changed()


post_save.connect(
    _admin_changed_something, sender="admin.LogEntry", dispatch_uid="page-cache-admin"
)


# --- Serving ----------------------------------------------------------------------------------


def _cacheable_request(request) -> bool:
    """Only anonymous visitors without a session or pending messages share pages."""
    return (
        enabled()
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _page_key(request) -> str:
    variant = "|".join(
        [
            request.scheme,
            request.get_host(),
            get_language() or "",
            *(request.headers.get(name, "") for name in _HTMX_HEADERS),
            request.get_full_path(),
        ]
    )
    return f"{PAGE_KEY_PREFIX}{release()}:{sha256(variant.encode()).hexdigest()[:32]}"


class _ProcessPages:
    """The pages this process served lately, so that a hit needs from the shared cache only the
    few bytes of the generations, not the page. Bounded in bytes; least recently used go first.
    An entry here is only ever served after its generations were checked against the cache."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[str, dict] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict) -> None:
        if entry["bytes"] > self.max_bytes // 4:
            return
        with self.lock:
            if (old := self.entries.pop(key, None)) is not None:
                self.size -= old["bytes"]
            self.entries[key] = entry
            self.size += entry["bytes"]
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= dropped["bytes"]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_process_pages = _ProcessPages(max_bytes=24 * 1024 * 1024)


def _deflate(data: bytes, level: int) -> bytes:
    """A raw deflate stream for `data` alone, ending on a byte boundary (sync flush): such
    streams can be concatenated into one."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


_FINAL_BLOCK = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
# gzip member header: magic, deflate, no flags, no time, no extra flags, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _storable(request, response, csrf_used_before: bool, generations: tuple, timeout: int):
    """The response as a cache entry with this visitor's nonce and CSRF token taken out, or
    None when it must not be shared.

    The page is kept as segments: fixed text, then a placeholder (b"nonce" / b"csrf"), then text…
    Each text segment is also compressed once, on its own, so that a gzip response is assembled
    per visitor from the stored pieces plus the few compressed bytes of their nonce and token.
    (Compressed apart, the per-visitor secrets share no dictionary with the rest of the page, so
    the size of the response tells nothing about them: no BREACH.)"""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or "private" in response.get("Cache-Control", "")
        or "no-store" in response.get("Cache-Control", "")
        or response.has_header("Content-Encoding")
    ):
        return None
    content = response.content
    nonce = get_nonce(request)
    if nonce:  # true only when something on the page used it
        content = content.replace(str(nonce).encode(), NONCE_MARK)
    secret = request.META.get("CSRF_COOKIE")
    if secret and request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not csrf_used_before:

        def placeholder(match):
            token = match.group()
            return CSRF_MARK if _unmask_cipher_token(token.decode()) == secret else token

        content = _CSRF_CANDIDATE.sub(placeholder, content)
    segments = _MARKS.split(content)
    segments[1::2] = [_MARK_NAMES[mark] for mark in segments[1::2]]
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "set-cookie")
    ]
    return {
        "generations": generations,
        "expires": time.time() + timeout,
        "bytes": len(content),
        "segments": segments,
        "deflated": [_deflate(text, 6) for text in segments[0::2]],
        "headers": headers,
    }


def _from_stored(request, stored: dict, state: str) -> HttpResponse | None:
    values = {}
    for name in set(stored["segments"][1::2]):
        if name == b"nonce":
            nonce = get_nonce(request)
            if nonce is None:  # no CSP middleware: render the page afresh instead
                return None
            values[name] = str(nonce).encode()
        else:
            values[name] = get_token(request).encode()
    pieces = [
        values[segment] if index % 2 else segment
        for index, segment in enumerate(stored["segments"])
    ]
    if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        crc, body = 0, [_GZIP_HEADER]
        for index, piece in enumerate(pieces):
            crc = zlib.crc32(piece, crc)
            body.append(_deflate(piece, 1) if index % 2 else stored["deflated"][index // 2])
        size = sum(map(len, pieces))
        body += [_FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
        content = b"".join(body)
        response = HttpResponse(content)
        response["Content-Encoding"] = "gzip"
    else:
        content = b"".join(pieces)
        response = HttpResponse(content)
    # Known here: CommonMiddleware would otherwise copy the whole page once more to measure it.
    response["Content-Length"] = str(len(content))
    for name, value in stored["headers"]:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    response[HIT_HEADER] = state
    return response


def _current(entry: dict | None, generations: tuple) -> bool:
    return (
        entry is not None and entry["generations"] == generations and entry["expires"] > time.time()
    )


def cache_public_page(*scopes: str):
    """Serve this public view from the cache for anonymous visitors.

    scopes name what the page shows besides the site itself, formatted with the view's URL
    keyword arguments: `@cache_public_page("article:{number}")`, `@cache_public_page(ANALYSIS)`.
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
            generation_keys = [
                _generation_key(scope) for scope in (SITE, *(s.format(**kwargs) for s in scopes))
            ]
            key = _page_key(request)
            entry = _process_pages.get(key)
            try:
                found = cache.get_many(generation_keys if entry else [*generation_keys, key])
                generations = _complete(found, generation_keys)
                if not _current(entry, generations):
                    # This process's copy is out of date (or it has none): the shared one may
                    # have been rendered again by another process already.
                    entry = found.get(key) if entry is None else cache.get(key)
                    if _current(entry, generations):
                        _process_pages.put(key, entry)
            except Exception:  # the cache is down: readers still get the page, just slower
                logger.exception("Page cache unavailable")
                return view(request, *args, **kwargs)
            if _current(entry, generations) and (response := _from_stored(request, entry, "hit")):
                return response
            csrf_used_before = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            response = view(request, *args, **kwargs)
            timeout = settings.TREATYWATCH_PAGE_CACHE_SECONDS
            entry = _storable(request, response, csrf_used_before, generations, timeout)
            if entry is None:
                return response
            try:
                cache.set(key, entry, timeout)
            except Exception:
                logger.exception("Page cache unavailable")
            _process_pages.put(key, entry)
            return _from_stored(request, entry, "miss") or response

        return wrapper

    return decorator


# --- The shared backends ----------------------------------------------------------------------


class _ClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache backend with one redis-py client per connection pool.

    Django builds a new `redis.Redis` for every cache operation; with redis-py 8 that costs about
    0.15 ms (it sets up some 170 response callbacks): more than a page-cache hit's round trip to
    Redis. A redis-py client is thread-safe and only wraps the pool, which survives forks."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache backend, made fit to be shared by workers.

    - `incr` counts every call when workers count at once. Django's reads the value and writes
      it back in two statements, so two workers adding one to 5 may both write 6: the API write
      limit would let writes slip through. Here the counter's row is locked (SELECT … FOR
      UPDATE) for the read and the write, where the database can lock rows (PostgreSQL).
    - Beyond MAX_ENTRIES rows, only stored pages are dropped. Django drops the first third of
      all keys in alphabetical order: the write limit's counters and the generations first
      (their keys sort before the pages'), so that anyone requesting many different addresses
      (searches) could reset every token's write count.
    - `set_many` says which keys it could not write."""

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                # The table name is the operator's setting, quoted; the key is a parameter.
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Like Django's, but returns the keys it could not write, as the API of `set_many`
        says (Django's database cache drops such failures silently)."""
        failed = []
        for key, value in data.items():
            full_key = self.make_and_validate_key(key, version=version)
            if not self._base_set("set", full_key, value, timeout):
                failed.append(key)
        return failed

    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        # The table name is the operator's setting, quoted; values are parameters.
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now)],
        )
        excess = num - cursor.rowcount - self._max_entries
        if excess <= 0:
            return
        # Room for a while: a share of the entries (CULL_FREQUENCY), pages expiring first.
        drop = excess + self._max_entries // max(self._cull_frequency, 1)
        pages = self.make_and_validate_key(PAGE_KEY_PREFIX)
        pattern = pages.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cursor.execute(
            f"DELETE FROM {table} WHERE cache_key IN (SELECT cache_key FROM {table} "  # noqa: S608
            "WHERE cache_key LIKE %s ESCAPE '\\' ORDER BY expires LIMIT %s)",
            [pattern, drop],
        )
