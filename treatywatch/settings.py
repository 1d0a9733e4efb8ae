"""TreatyWatch settings, read from the environment.

Defaults are safe for production (DEBUG off, secure cookies, HSTS, strict CSP); a developer
opts into the relaxed settings with DJANGO_DEBUG=1, which `make run` does.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghij"  # noqa: S105
    elif env_bool("DJANGO_ALLOW_THROWAWAY_SECRET_KEY", False):
        # Said explicitly by a step that signs nothing and serves no one (the check that
        # migrations are complete, collectstatic in a build): a random key for this process only.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        # Refuse to start in production with a guessable key: sessions and password-reset
        # tokens are signed with it.
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles so that runserver serves through whitenoise too, as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Full-text search lookups; harmless on SQLite.
    "django.contrib.postgres",
    "django_htmx",
    # Two-factor sign-in (TOTP authenticator apps plus single-use recovery codes); see
    # docs/security.md for why django-otp rather than allauth's MFA.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Counts failed sign-ins and locks out a username+address after repeated failures.
    "axes",
    "provisions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # At whitenoise's layer: a cached public page for a certainly anonymous reader, before
    # sessions, auth, OTP, messages, CSRF and axes see the request (provisions/cache/early.py).
    "provisions.cache.early.CachedPageMiddleware",
    # Before anything reads the database: an anonymous GET reads from the replica, if there is
    # one (DATABASE_REPLICA_URL; provisions/replica.py).
    "provisions.replica.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: it tells request.user whether this session passed the second
    # factor (user.is_verified()), which editors' powers depend on (provisions/roles.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Needs the verified user and messages: signs out members idle too long.
    "provisions.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "provisions.middleware.SecurityHeadersMiddleware",
    # Cache-Control: private, no-store on every response to a signed-in member or API token.
    "provisions.middleware.PrivateResponsesMiddleware",
    "provisions.middleware.DatabaseUnavailableMiddleware",
    # After CSP (so the page it renders gets the header) and before the views: bare 400/403/405
    # answers become the site's error page.
    "provisions.middleware.ErrorPageMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "treatywatch.urls"
WSGI_APPLICATION = "treatywatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "provisions.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A pooled connection that died (database restarted) is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query plan once it looks costly: the search's facet count
    # over many matches crosses that line and spends ~25 ms compiling to save less. The short
    # queries of a web app never gain from it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# A streaming read replica of that database (docs/deploy.md): anonymous visitors' page reads go
# to it, members' requests and every write to the primary (provisions/replica.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
    }
TREATYWATCH_READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["provisions.replica.ReplicaRouter"] if DATABASE_REPLICA_URL else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache must be shared by every worker: it holds the page cache's generations (a write on
# one worker must retire the pages every worker serves) and the API write limit's counters.
# Redis when REDIS_URL is set; otherwise Django's database cache (its table is created by
# migration 0008). Only development (DJANGO_DEBUG=1, one runserver process) keeps it in memory;
# the deploy check provisions.E001 refuses a per-process cache (provisions/checks.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, one client per pool (see provisions/cache/backends.py).
            "BACKEND": "provisions.cache.backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "treatywatch",
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            # Django's database cache with a counter that stays exact when workers count at
            # once (provisions/cache/backends.py).
            "BACKEND": "provisions.cache.backends.DatabaseCache",
            "LOCATION": "treatywatch_cache",
            "KEY_PREFIX": "treatywatch",
            # Beyond this many rows, expired ones go, then stored pages (the soonest to expire)
            # until a third of the room is free; never the generations or the counters.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes' backend goes first so that a locked-out username+address is refused before the
# password is even checked; it authenticates nobody itself.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "provisions:workspace"
LOGOUT_REDIRECT_URL = "provisions:home"

LANGUAGE_CODE = "en"
# The Convention's six authentic languages (its Article 68), in the UN's order after English.
# Each name is in English here and translated in each catalogue; the switcher shows every
# language in its own name (templates/provisions/_language_switcher.html). docs/translations.md.
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How dates read in each language ("3 December 2026", "3 décembre 2026", "2026年12月3日"):
# templates use the named formats (DATE_FORMAT, SHORT_DATE_FORMAT, ...), never a fixed pattern.
FORMAT_MODULE_PATH = ["treatywatch.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Downloads of the public data are kept here as files until it changes (provisions/downloads.py).
# Every worker on a host shares it; it holds nothing that is not public.
TREATYWATCH_DOWNLOADS_DIR = Path(
    os.environ.get("TREATYWATCH_DOWNLOADS_DIR", BASE_DIR / "var" / "downloads")
)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, content-hashed files with a one-year immutable cache (needs collectstatic).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security -----------------------------------------------------------------------------
# A strict policy: nothing from another host, scripts only from us or with this response's
# nonce, no inline styles (htmx's indicator style is switched off in base.html).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# TLS is assumed in production (terminated by gunicorn's proxy); DJANGO_DEBUG=1 relaxes it.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    # Only when a proxy we control sets this header; otherwise clients could forge "https".
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# htmx sends the token from the page (hx-headers on <body>), so scripts never read the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A failed CSRF check gets the site's 403 page, saying what to do (Django's own is bare).
CSRF_FAILURE_VIEW = "provisions.views.errors.csrf_failure"
SESSION_COOKIE_AGE = 60 * 60 * 12
# The page cache (provisions/cache/; tests switch it off). A stored page lives at most this
# long: freshness comes from the generations, this only bounds memory and the life of a page
# after a write that bypassed the services.
TREATYWATCH_PAGE_CACHE = True
TREATYWATCH_PAGE_CACHE_SECONDS = 15 * 60
# Creating an API token, replacing the authenticator and making new recovery codes ask for the
# password again (and a code, for editors); the confirmation lasts this long (like GitHub's
# "sudo mode"), so that a session left open or stolen cannot turn itself into those.
TREATYWATCH_CONFIRM_SECONDS = int(os.environ.get("DJANGO_CONFIRM_SECONDS", 10 * 60))
# Signed in but inactive for this long means signed out (IdleTimeoutMiddleware). Editors can
# publish, so a forgotten editor session is worth more to an attacker and lasts less.
TREATYWATCH_IDLE_TIMEOUT_EDITOR = int(os.environ.get("DJANGO_EDITOR_IDLE_SECONDS", 30 * 60))
TREATYWATCH_IDLE_TIMEOUT_MEMBER = int(os.environ.get("DJANGO_MEMBER_IDLE_SECONDS", 12 * 60 * 60))

# --- Sign-in throttling (django-axes) ---------------------------------------------------------
# Five failures for one username from one address lock that pair out for 30 minutes. The pair,
# not the username alone, so that a stranger cannot lock a member out from elsewhere. Unknown
# usernames are counted exactly like real ones, so the lockout tells nothing about who exists.
# Failures are counted in the database (axes' own table), so every worker sees the same count;
# axes' cache handler would count per worker with an in-memory cache.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not restart it: "try again in 30 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "provisions.sign_in.lockout_response"
AXES_CLIENT_IP_CALLABLE = "provisions.services.audit.request_ip"
AXES_USERNAME_CALLABLE = "provisions.services.audit.attempted_username"
# Successful sign-ins are in our own audit log; axes keeps only what throttling needs, and masks
# what was typed into the form's secret fields.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp_token"]
# How many proxies we run in front of the app append to X-Forwarded-For (0: none, trust only
# REMOTE_ADDR). Client-supplied entries further left are never trusted.
TREATYWATCH_TRUSTED_PROXY_HOPS = int(os.environ.get("DJANGO_TRUSTED_PROXY_HOPS", "0"))

# --- Two-factor sign-in (django-otp) ----------------------------------------------------------
# The name authenticator apps show. On a seized phone it reveals the account; members at risk
# may rename the entry in their app, or the operator can set a neutral name here.
OTP_TOTP_ISSUER = os.environ.get("DJANGO_TOTP_ISSUER", "TreatyWatch")

# API writes allowed per token and minute (provisions/api/auth.py); the load script raises it.
TREATYWATCH_API_WRITES_PER_MINUTE = int(os.environ.get("TREATYWATCH_API_WRITES_PER_MINUTE", "60"))

# A personal API token stops working this many days after it was created (a leaked token that
# nobody remembers does not work for ever).
TREATYWATCH_API_TOKEN_DAYS = int(os.environ.get("TREATYWATCH_API_TOKEN_DAYS", "90"))

# Request bodies larger than this are refused before a view reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024

if os.environ.get("DJANGO_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["DJANGO_EMAIL_HOST"],
                "port": int(os.environ.get("DJANGO_EMAIL_PORT", "587")),
                "username": os.environ.get("DJANGO_EMAIL_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_PASSWORD", ""),
                # STARTTLS; a local MTA on port 25 may not offer it (DJANGO_EMAIL_USE_TLS=0).
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
            },
        }
    }
elif DEBUG:
    # Development without a mail server: `manage.py send_outbox` (started by `make run`)
    # prints the queued password-reset mail on the console.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # Production without DJANGO_EMAIL_HOST: SMTP with no host named. `check --deploy` refuses
    # it (provisions.E002): a reset link that silently never arrives is worse than no start.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "treatywatch@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
