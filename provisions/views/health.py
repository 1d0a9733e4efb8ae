"""`/healthz`: does the database answer?

Monitoring polls it often, so it costs one trivial query and nothing else (tests/
test_public_pages.py holds it to exactly that): no session, user, template or cache is read for
a caller without a session cookie. For such a GET or HEAD this view is called at whitenoise's
layer, before the rest of the middleware (provisions/cache/early.py; tests/test_cache_early.py
compares its headers with the whole stack's). (On a pooled
PostgreSQL connection, Django's own health check — conn_health_checks — adds its `SELECT 1`
before the first query of a request; that one keeps a dead connection from answering 503.)
"""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from provisions.access import public


@public
@never_cache  # a proxy must never answer for the database with an old status
def healthz(request):
    try:
        # The one query: a round trip through the pooled connection (replaced first if it died,
        # conn_health_checks), without touching any table. DatabaseError covers "not reachable"
        # as well as "reachable but refusing" (e.g. shutting down): both are 503.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
