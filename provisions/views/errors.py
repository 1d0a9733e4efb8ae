"""Error answers: the site's layout for people, the API's JSON shape for API clients.

Django calls these for 400, 403, 404 and 500 (`handler400`… in treatywatch/urls.py) and for a
failed CSRF check (`CSRF_FAILURE_VIEW`); `ErrorPageMiddleware` gives the same pages to the bare
400/403/405 answers of Django's decorators (`require_POST` and friends). None shows a stack trace.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import get_template
from django.utils.translation import gettext as _

from provisions.api.errors import error_response
from provisions.error_pages import api_message, error_page, is_api_request


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403)


def not_found(request, exception=None):
    return error_page(request, 404)


def csrf_failure(request, reason=""):
    # Django's reason ("CSRF cookie not set.") is for the log, not for the reader.
    return error_page(request, 403, {"csrf_failed": True})


def server_error(request):
    # Rendered without context processors: the failure may be the database they would touch.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        # The database is down and a middleware (sessions, sign-in state) hit it before any view
        # ran, so DatabaseUnavailableMiddleware could not answer: the same 503 page here.
        if is_api_request(request):
            return error_response(
                503,
                "unavailable",
                _("TreatyWatch is briefly unavailable. Try again in a moment."),
                headers={"Retry-After": "30"},
            )
        response = HttpResponse(get_template("503.html").render({}), status=503)
        response["Retry-After"] = "30"
        return response
    if is_api_request(request):
        return error_response(500, "server_error", api_message(500))
    return HttpResponse(get_template("500.html").render({}), status=500)
