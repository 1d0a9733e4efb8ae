"""Error answers: the site's layout for people, the API's JSON shape for API clients.

Django calls these for 400, 403, 404 and 500 (`handler400`… in treatywatch/urls.py) and for a
failed CSRF check (`CSRF_FAILURE_VIEW`); `ErrorPageMiddleware` gives the same pages to the bare
400/403/405 answers of Django's decorators (`require_POST` and friends). None shows a stack trace.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _

from provisions.api.errors import error_response

API_PREFIX = "/api/"

# status → (template, the API's error code)
ERROR_PAGES = {
    400: ("400.html", "bad_request"),
    403: ("403.html", "forbidden"),
    404: ("404.html", "not_found"),
    405: ("405.html", "method_not_allowed"),
    500: ("500.html", "server_error"),
}


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_message(status: int) -> str:
    return {
        400: _("The request is not valid."),
        403: _("You are not allowed to do this."),
        404: _("Nothing here: check the address and the id."),
        405: _("This method is not allowed here."),
        500: _("Something went wrong on our side."),
    }[status]


def error_page(request, status: int, context: dict | None = None) -> HttpResponse:
    """The error answer for `status`: JSON under /api/, the site's page everywhere else."""
    template, code = ERROR_PAGES[status]
    if is_api_request(request):
        return error_response(status, code, _api_message(status))
    if getattr(request, "htmx", False):
        # htmx swaps nothing on an error status: one sentence, not a whole page.
        return HttpResponse(_api_message(status), status=status, content_type="text/plain")
    return render(request, template, context or {}, status=status)


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
        return error_response(500, "server_error", _api_message(500))
    return HttpResponse(get_template("500.html").render({}), status=500)
