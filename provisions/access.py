"""Who may open a view, and where a request that may not (yet) is sent. Every view in the app
is classified with one of these decorators (`public`, `member_required`, `analyst_required`,
`editor_required`); a test walks every URL and fails on a view that is not.

For htmx requests a missing login is answered with `HX-Redirect` to the sign-in page instead of
swapping a login form into a fragment; a missing role is a plain 403. An editor account whose
session has not passed the second factor has no editor (or analyst) role until it does: it is
sent to set up two-factor sign-in or to enter a code (roles.second_factor_missing).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from provisions import roles
from provisions.services.two_factor import has_second_factor

ACCESS_ATTR = "treatywatch_access"


def mark_access(view, level: str):
    """Classify `view` (the decorators below; the API's endpoints mark their own)."""
    setattr(view, ACCESS_ATTR, level)
    return view


def public(view):
    """Deliberately open to anonymous readers."""
    return mark_access(view, "public")


def _login_response(request):
    login_url = resolve_url(settings.LOGIN_URL)
    if getattr(request, "htmx", False):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = f"{login_url}?next={request.htmx.current_url_abs_path or '/'}"
        return response
    return redirect_to_login(request.get_full_path(), login_url)


def second_factor_response(request):
    """An editor account without a verified second factor: set it up (or enter a code) first.

    Full pages go to that page and come back afterwards; an htmx fragment is refused (403) and
    htmx is told to load that page instead.
    """
    return send_to(request, second_factor_url(request.user, next_url=_current_path(request)))


def safe_next(request) -> str:
    """The `next` the request carries, if it points into this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def second_factor_url(user, next_url: str = "") -> str:
    """Where an editor account whose session lacks the second factor is sent: the code page if
    it has an authenticator, otherwise the set-up page."""
    name = "provisions:two_factor_verify" if has_second_factor(user) else "provisions:two_factor"
    return with_next(reverse(name), next_url)


def send_to(request, url: str):
    """A step the request must take first: a full page is redirected to `url`; an htmx request
    is refused (403) with `HX-Redirect`, so that htmx loads the page instead of swapping it
    into a fragment."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=403)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _current_path(request) -> str:
    if getattr(request, "htmx", False):
        return request.htmx.current_url_abs_path or "/"
    return request.get_full_path()


def _role_required(check, level: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _login_response(request)
            if not check(request.user):
                if roles.second_factor_missing(request.user):
                    return second_factor_response(request)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return mark_access(wrapper, level)

    return decorator


member_required = _role_required(lambda user: True, "member")
analyst_required = _role_required(roles.is_analyst, "analyst")
editor_required = _role_required(roles.is_editor, "editor")
