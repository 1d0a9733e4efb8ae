"""The error answer for a status: the API's JSON under /api/, one sentence for htmx, the site's
page everywhere else. Used by the error views (provisions/views/errors.py) and by
`ErrorPageMiddleware` (provisions/middleware.py), which is why it is not in a view module.
"""

from django.http import HttpResponse
from django.shortcuts import render
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


def api_message(status: int) -> str:
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
        return error_response(status, code, api_message(status))
    if getattr(request, "htmx", False):
        # htmx swaps nothing on an error status: one sentence, not a whole page.
        return HttpResponse(api_message(status), status=status, content_type="text/plain")
    return render(request, template, context or {}, status=status)
