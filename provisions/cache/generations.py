"""Generations: one small value per scope in the shared cache, part of the key of every page
that depends on that scope. Bumping a scope's generation retires all those pages at once, on
every worker.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from provisions.cache import mirror
from provisions.cache.keys import generation_key, release
from provisions.cache.scopes import SITE

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return settings.TREATYWATCH_PAGE_CACHE


def _fresh_generation() -> int:
    # Random, not 0: a generation evicted from the cache must never come back as an old value.
    return secrets.randbits(62)


def complete(found: dict, keys: list[str]) -> tuple[int, ...]:
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
    keys = [generation_key(scope) for scope in (SITE, *scopes)]
    try:
        generations = complete(cache.get_many(keys), keys)
    except Exception:
        logger.exception("Page cache unavailable")
        return None
    return "-".join([release(), *map(str, generations)])


def _bump(scopes) -> None:
    # A fresh random value, not an increment: two workers bumping at once (the database cache
    # increments by reading and writing back) could otherwise both write the same number, and
    # a later race could bring back a value a stale page was stored under. A new random value
    # differs from every value read before it, whoever wins.
    fresh = {generation_key(scope): _fresh_generation() for scope in scopes}
    announce = getattr(cache, "set_generations", None)
    if announce is not None:
        # Redis: written and announced at once to every worker's copy (mirror.py); a response
        # waits until no worker can still trust a copy without them. Even when no listener
        # heard it: a listener whose connection was cut a moment ago is not counted, yet its
        # copy stays trusted until its lease runs out.
        announce(fresh)
        mirror.hold_response()
        return
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
