"""`/healthz`: does the database answer?

Monitoring polls it often, so it costs one trivial query and nothing else (tests/
test_public_pages.py holds it to exactly that): no session, user, template or cache is read for
a caller without a session cookie. For such a GET or HEAD this view is called at whitenoise's
layer, before the rest of the middleware (provisions/cache/early.py; tests/test_cache_early.py
compares its headers with the whole stack's).

One query is one round trip: on a pooled PostgreSQL connection, Django's health check
(conn_health_checks) would first send a `SELECT 1` of its own before the request's first query,
so that a connection that died (a database restart) is replaced rather than used. Here the
health check's `SELECT 1` is this view's own: a pooled connection that fails it is closed and
the query is tried once more on a new connection, as Django's check would have done; only if
that fails too is the answer 503.
"""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from provisions.access import public


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def database_answers() -> bool:
    """Whether the database answers a trivial query (DatabaseError covers "not reachable" as
    well as "reachable but refusing", e.g. shutting down)."""
    pooled = connection.connection is not None and not connection.health_check_done
    if pooled:
        connection.health_check_done = True  # the query below is the check
    try:
        _select_one()
    except DatabaseError:
        if not pooled or connection.in_atomic_block:
            return False
        connection.close()  # a pooled connection that died: once more, on a new one
        try:
            _select_one()
        except DatabaseError:
            return False
    return True


@public
@never_cache  # a proxy must never answer for the database with an old status
def healthz(request):
    if not database_answers():
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
