"""System checks for settings that production depends on (`manage.py check --deploy`)."""

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, register


@register(Tags.caches, deploy=True)
def check_cache_is_shared(app_configs, **kwargs):
    """The cache holds what every worker must agree on: the page cache's generations (a write on
    one worker retires the pages of all) and the API write limit's counters. A cache in each
    process's memory (or none) silently breaks both once gunicorn runs more than one worker."""
    backend = caches["default"]
    if not isinstance(backend, (LocMemCache, DummyCache)):
        return []
    return [
        Error(
            f"The default cache ({type(backend).__name__}) is not shared by the server's "
            "workers: a rejected or edited annotation stays on the pages other workers cached "
            "for up to 15 minutes, and the API write limit counts per worker.",
            hint=(
                "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0), or leave it unset without "
                "DJANGO_DEBUG to use the database cache (its table is created by migrate)."
            ),
            id="provisions.E001",
        )
    ]
