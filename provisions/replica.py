"""Reads of anonymous visitors from a PostgreSQL read replica (`DATABASE_REPLICA_URL`).

The database router cannot see the request, so `ReplicaReadsMiddleware` says, for the request
being handled, whether its reads may go to the replica (a context variable, so that threads and
async tasks never see another request's choice). They may when the request is a GET or HEAD from
someone who is certainly not signed in: no session cookie (the session, and the signed-in member,
would be read from it) and no `Authorization` header (an API token). Everything else reads the
primary:

- every write, and every read of a request once it has written (it reads its own writes);
- reads inside `transaction.atomic` (and so `select_for_update`, which needs one);
- the database cache's table (the page cache's generations, the API write limit), the sessions
  and the sign-in throttle: what the workers share must be read where it is written;
- migrations run on the primary only.

The page cache (provisions/cache/) stores a page for every anonymous reader under the
generations current when it was rendered. A replica a moment behind a write could render the old
content under the new generations, and that stale page would then be served until the next write.
So before rendering a page it will store, the cache calls `primary_unless_caught_up()`: the
request reads from the primary unless the replica has replayed everything the primary had
written when the generations were read (docs/deploy.md).
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Written by every worker and read back at once: never from a copy that may lag.
PRIMARY_ONLY_APPS = frozenset({"django_cache", "sessions", "axes", "otp_totp", "otp_static"})


@dataclass
class _Reads:
    replica: bool


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar(
    "treatywatch_replica_reads", default=None
)


def enabled() -> bool:
    return settings.TREATYWATCH_READ_REPLICA and REPLICA in settings.DATABASES


def reads_from_replica() -> bool:
    """Whether reads of the present request go to the replica now."""
    state = _reads.get()
    return state is not None and state.replica


def use_primary() -> None:
    """From now on, this request reads from the primary."""
    if (state := _reads.get()) is not None:
        state.replica = False


def may_read_replica(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


class ReplicaReadsMiddleware:
    """Marks the reads of an anonymous GET/HEAD request for the replica, for this request only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not may_read_replica(request):
            return self.get_response(request)
        token = _reads.set(_Reads(replica=True))
        try:
            return self.get_response(request)
        finally:
            # A streamed download is written after this returns: it reads from the primary.
            _reads.reset(token)


class ReplicaRouter:
    """Anonymous reads to the replica (when the middleware says so); everything else to the
    primary. Listed in DATABASE_ROUTERS only when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        if (
            not reads_from_replica()
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        use_primary()  # the rest of the request reads what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def primary_unless_caught_up() -> None:
    """Before rendering something that will be stored for others: read from the primary unless
    the replica has replayed all the primary had written by now."""
    if not reads_from_replica():
        return
    if not replica_caught_up():
        use_primary()


def replica_caught_up() -> bool:
    primary, replica = connections[DEFAULT_DB_ALIAS], connections[REPLICA]
    if primary.vendor != "postgresql" or replica.vendor != "postgresql":
        return True  # a test mirror of the same database
    try:
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (written,) = cursor.fetchone()
        with replica.cursor() as cursor:
            # Not in recovery: the same server (or a promoted replica), nothing to wait for.
            cursor.execute(
                "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
                [written],
            )
            (caught_up,) = cursor.fetchone()
    except DatabaseError:
        logger.warning("Read replica unavailable: reading from the primary")
        return False
    return bool(caught_up)
