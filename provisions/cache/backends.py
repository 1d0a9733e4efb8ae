"""The shared cache backends the settings name (`CACHES["default"]["BACKEND"]`): Django's Redis
and database backends, made fit for the page cache and the API write limit shared by every
gunicorn worker (docs/operations.md#the-cache-shared-by-every-worker)."""

import json

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections, router, transaction

from provisions.cache.keys import GENERATIONS_CHANNEL, PAGE_KEY_PREFIX


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

    def generations_channel(self) -> str:
        """Where new generations are announced (provisions/cache/mirror.py). Channels are not
        per database in Redis: the name holds the database number as well as the key prefix."""
        pool = self._cache._get_connection_pool(True)
        return f"{self.make_key(GENERATIONS_CHANNEL)}@{pool.connection_kwargs.get('db', 0)}"

    def set_generations(self, generations: dict[str, int]) -> int:
        """Write new generations (kept until replaced) and announce them, in one MULTI: no
        generation is ever written without its announcement. Returns how many listeners heard
        it (each worker that serves pages early listens)."""
        client = self._cache.get_client(write=True)
        pipeline = client.pipeline(transaction=True)
        pipeline.mset(
            {
                self.make_and_validate_key(key): self._cache._serializer.dumps(value)
                for key, value in generations.items()
            }
        )
        pipeline.publish(self.generations_channel(), json.dumps(generations))
        return pipeline.execute()[-1]

    def pubsub(self):
        """A connection of its own that listens for announcements."""
        return self._cache.get_client(write=True).pubsub()


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
