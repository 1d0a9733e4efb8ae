"""System checks for settings that production depends on (`manage.py check --deploy`)."""

from django.conf import settings
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


# Backends that never deliver: fine for development and tests, silent loss in production.
_UNDELIVERED_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
)


@register(Tags.mail, deploy=True)
def check_mail_is_configured(app_configs, **kwargs):
    """Password-reset mail must reach members: without a mail server named in the settings, a
    member who forgot their password asks for a link that never comes, and nobody notices."""
    if settings.DEBUG:
        return []
    mailer = settings.MAILERS.get("default", {})
    backend = mailer.get("BACKEND", "")
    host = mailer.get("OPTIONS", {}).get("host")
    smtp_without_host = backend == "django.core.mail.backends.smtp.EmailBackend" and not host
    if not (smtp_without_host or backend in _UNDELIVERED_BACKENDS or not backend):
        return []
    return [
        Error(
            "No mail server is configured: password-reset mail would never be delivered "
            f"(mail backend {backend or 'missing'}, no host).",
            hint=(
                "Set DJANGO_EMAIL_HOST (and DJANGO_EMAIL_PORT, DJANGO_EMAIL_USER, "
                "DJANGO_EMAIL_PASSWORD, DJANGO_DEFAULT_FROM_EMAIL), e.g. "
                "DJANGO_EMAIL_HOST=localhost DJANGO_EMAIL_PORT=25 DJANGO_EMAIL_USE_TLS=0 for a "
                "local MTA, and run "
                "`manage.py send_outbox` (docs/operations.md)."
            ),
            id="provisions.E002",
        )
    ]
