"""Cross-cutting request handling: extra security headers, no caching of what members see, a
clean 503 when the DB is down, and signing out members who have been idle too long."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from provisions import roles
from provisions.error_pages import error_page

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in member is kept by a browser or proxy cache.

    What a member sees can hold unpublished work — their drafts, the team's submissions, the
    review queue, histories, the edit pages, and the htmx fragments of all of these; an API
    token's owner likewise. Rather than trusting every view to remember, every response to an
    authenticated request (a session, or a token the API has authenticated by the time the
    response comes back here) gets `Cache-Control: private, no-store`. Anonymous readers see
    published work only, and their pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class DatabaseUnavailableMiddleware:
    """When the database does not answer, show the 503 page instead of a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable: %s", exception.__class__.__name__)
        response = TemplateResponse(request, "503.html", {}, status=503)
        response["Retry-After"] = "30"
        response.render()
        return response


def idle_clock() -> float:
    """Now, in seconds (a function so that tests can move time on)."""
    return timezone.now().timestamp()


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


class IdleTimeoutMiddleware:
    """Signs out a member who has done nothing for too long: editors after 30 minutes,
    everyone else after 12 hours (settings TREATYWATCH_IDLE_TIMEOUT_*); and anyone signed in for
    longer than SESSION_COOKIE_AGE, however active (the cookie's own expiry moves on with use).

    The session remembers when its member signed in and the last request's time. The request
    that comes too late is served as anonymous: a public page simply shows the message, a
    protected one sends the person to sign in, where the message says why.
    """

    SESSION_KEY = "treatywatch_last_activity"
    SIGNED_IN_KEY = "treatywatch_signed_in_at"
    # The stored time moves on at most once a minute, so reading pages does not write the
    # session on every request.
    RESOLUTION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def touch(cls, request) -> None:
        """Start the clocks (called when someone signs in)."""
        session = getattr(request, "session", None)
        if session is not None:
            session[cls.SESSION_KEY] = session[cls.SIGNED_IN_KEY] = idle_clock()

    @staticmethod
    def limit_for(user) -> int:
        if roles.has_editor_account(user):
            return settings.TREATYWATCH_IDLE_TIMEOUT_EDITOR
        return settings.TREATYWATCH_IDLE_TIMEOUT_MEMBER

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            now = idle_clock()
            signed_in_at = request.session.get(self.SIGNED_IN_KEY)
            if isinstance(signed_in_at, (int, float)) and now - signed_in_at > (
                settings.SESSION_COOKIE_AGE
            ):
                self._sign_out(request, "expired", settings.SESSION_COOKIE_AGE)
                return self.get_response(request)
            last = request.session.get(self.SESSION_KEY)
            idle = now - last if isinstance(last, (int, float)) else None
            if idle is not None and idle > min(
                settings.TREATYWATCH_IDLE_TIMEOUT_EDITOR, settings.TREATYWATCH_IDLE_TIMEOUT_MEMBER
            ):
                limit = self.limit_for(request.user)
                if idle > limit:
                    self._sign_out(request, "idle", limit)
                    return self.get_response(request)
            if idle is None or idle >= self.RESOLUTION_SECONDS:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request, reason: str, limit: int) -> None:
        request.treatywatch_logout_reason = reason
        logout(request)
        if reason == "idle":
            text = _("You were signed out after %(duration)s without activity. Sign in again.")
        else:
            text = _("You were signed out: a session lasts at most %(duration)s. Sign in again.")
        messages.info(request, text % {"duration": _duration(limit)})


class ErrorPageMiddleware:
    """Bare 400/403/405 answers (Django's `require_POST`, `HttpResponseForbidden()`…) become the
    site's error page for people, or the API's JSON error under /api/.

    An htmx request keeps its bare answer: htmx swaps nothing on an error, and the access rules
    (provisions/access.py) already tell it where to go.
    """

    STATUSES = (400, 403, 405)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code not in self.STATUSES
            or getattr(response, "streaming", False)
            or response.content
            or getattr(request, "htmx", False)
        ):
            return response
        page = error_page(request, response.status_code)
        for header in ("Allow", "Retry-After", "Vary"):
            if header in response:
                page[header] = response[header]
        return page
