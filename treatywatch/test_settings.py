"""Settings for the test suite: the production settings with test-only conveniences."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
# Tests talk plain HTTP to the test client and to live_server.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from treatywatch.settings import *  # noqa: E402,F403

# Hashed static files need collectstatic; tests use the plain storage.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Password hashing dominates test time otherwise; production keeps the strong default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Serve static files straight from the finders: no collectstatic before tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Most tests write rows with the ORM and read pages again: they test rendering, so the page cache
# (provisions/cache/) is off; tests/test_cache.py switches it on.
TREATYWATCH_PAGE_CACHE = False
# The read replica's alias, as a mirror of the test database (no copy is made): the router is
# off (TREATYWATCH_READ_REPLICA, DATABASE_ROUTERS) unless a test switches it on
# (tests/test_replica.py). With DATABASE_REPLICA_URL set, the real replica is kept
# (tests/test_replica_streaming.py runs tests/replica_pages.py so).
if "replica" not in DATABASES:  # noqa: F405
    DATABASES = {
        **DATABASES,  # noqa: F405
        "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}},  # noqa: F405
    }
